#!/usr/bin/env bash
# A throughput model of the GEMV kernels' inner loops (one step p) with
# llvm-mca: cycles per step and flops per cycle, assuming every load hits L1.
# The real batch-1 GEMV streams B from L2, which llvm-mca does not model, so
# this shows only what the instruction mix allows on each core.
# Usage: bench/mca/run.sh [llvm-mca binary]
set -euo pipefail
cd "$(dirname "$0")"
mca=${1:-llvm-mca-22}
printf '%-16s %-16s %8s %12s\n' kernel mcpu cycles flops/cycle
for k in gemv_avx2:128 gemv_avx512:512; do
	f=${k%%:*}; flops=${k##*:}
	for cpu in znver4 sapphirerapids icelake-server skylake-avx512; do
		c=$($mca -mcpu=$cpu -iterations=1000 $f.s 2>/dev/null | awk '/^Total Cycles/ {print $3/1000}')
		printf '%-16s %-16s %8.2f %12.1f\n' $f $cpu $c "$(echo "$flops / $c" | bc -l)"
	done
done
