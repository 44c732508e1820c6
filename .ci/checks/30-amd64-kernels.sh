#!/usr/bin/env bash
# The amd64 kernel sets, each forced in turn: the core suite runs the best
# set the CPU has (AVX-512 where present) and the tests compare every set
# with the generic one; this runs the whole mat and layers suites again with
# AVX-512 switched off (AVX2+FMA) and then with AVX2 switched off too
# (generic), through the GODEBUG options x/sys/cpu honours.
set -euo pipefail
if [ "$(go env GOARCH)" != amd64 ]; then
	echo "not amd64: nothing to check"
	exit 0
fi
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
	echo "CPU has AVX-512F: the core suite ran the avx512 set"
else
	echo "CPU has no AVX-512F: the avx512 set cannot run here"
fi
echo "--- AVX2+FMA set (GODEBUG=cpu.avx512f=off)"
GODEBUG=cpu.avx512f=off go test -count=1 ./mat/... ./layers/...
echo "--- generic set (GODEBUG=cpu.avx512f=off,cpu.avx2=off)"
GODEBUG=cpu.avx512f=off,cpu.avx2=off go test -count=1 ./mat/... ./layers/...
