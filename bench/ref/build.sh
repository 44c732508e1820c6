#!/usr/bin/env bash
# Builds the reference SGEMM harness twice, once per BLAS library, into
# bench/ref/build/. Both libraries export cblas_sgemm, so each executable
# links exactly one of them, by full directory and rpath (not through the
# libblas.so.3 alternatives link, which could point at either).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/build
mkdir -p "$out"
multi=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
lib=/usr/lib/$multi
inc=/usr/include/$multi
CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -Wall -Wextra -std=c11}

openblas_dir=$lib/openblas-pthread
$CC $CFLAGS -DREF_OPENBLAS -isystem "$inc/openblas-pthread" "$here/gemm.c" -o "$out/gemm_openblas" \
	-L"$openblas_dir" -Wl,-rpath,"$openblas_dir" -lopenblas -lm

# Debian ships BLIS built either with OpenMP or pthreads; use whichever is installed.
for v in blis-openmp blis-pthread blis-serial; do
	if [ -e "$lib/$v/libblis.so" ]; then
		extra=""
		[ "$v" = blis-openmp ] && extra=-fopenmp
		$CC $CFLAGS $extra -DREF_BLIS -isystem "$inc/$v" "$here/gemm.c" -o "$out/gemm_blis" \
			-L"$lib/$v" -Wl,-rpath,"$lib/$v" -lblis -lm
		break
	fi
done
[ -x "$out/gemm_blis" ] || { echo "build.sh: no BLIS found under $lib (apt-get install libblis-dev)" >&2; exit 1; }
if [ "$(uname -m)" = x86_64 ]; then
	$CC $CFLAGS -pthread "$here/peak.c" -o "$out/peak"
fi
echo "built: $(cd "$out" && ls gemm_* peak 2>/dev/null | tr "\n" " ")"
