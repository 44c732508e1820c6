#!/usr/bin/env bash
# Runs gomlp's reference harnesses (OpenBLAS, BLIS, PyTorch) on this machine
# and writes everything to a results file.
#
# Usage: bench/ref/run.sh [RESULTS_FILE]     (default: bench/ref/build/results.txt)
#
# Environment:
#   REPEAT=N         run each harness N times (default 1; 3 on a noisy machine)
#   PASSES=N         timed passes per configuration (default 5)
#   PASS_SECONDS=S   minimum length of one GEMM pass (default 0.3)
#   QUICK=1          smoke test: short passes, numbers not comparable
#   SKIP=list        any of: peak gemm torch (comma separated)
#   NO_INSTALL=1     never call apt-get
#
# The results file holds the text tables, then Go benchmark lines that
# benchstat can read next to `go test -bench` output from bench/, then a
# summary over the runs (see summarize.py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
results=${1:-$here/build/results.txt}
REPEAT=${REPEAT:-1}
PASSES=${PASSES:-5}
PASS_SECONDS=${PASS_SECONDS:-0.3}
SKIP=${SKIP:-}
python=/usr/bin/python3 # Debian's interpreter, where python3-torch lives

skipped() { [[ ",$SKIP," == *",$1,"* ]]; }

# --- install what is missing -------------------------------------------------
need=()
for pkg in build-essential libopenblas-dev libblis-dev python3-torch; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
	if [ -n "${NO_INSTALL:-}" ]; then
		echo "run.sh: missing packages: ${need[*]}" >&2
		exit 1
	fi
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "run.sh: installing ${need[*]}" >&2
	$sudo apt-get install -y "${need[@]}" >&2 ||
		{ $sudo apt-get update >&2 && $sudo apt-get install -y "${need[@]}" >&2; }
fi

"$here/build.sh" >&2
bin=$here/build
mkdir -p "$(dirname "$results")"

gemm_args=(-p "$PASSES" -t "$PASS_SECONDS")
torch_args=(--passes "$PASSES")
if [ -n "${QUICK:-}" ]; then
	gemm_args=(-p 1 -t 0.05)
	torch_args=(--quick)
fi

# Go's benchmark header, so benchstat puts these lines in the same table as
# `go test -bench` output from github.com/gomlp/gomlp/bench on this machine.
header() {
	echo "goos: linux"
	echo "goarch: $(go env GOARCH 2>/dev/null || dpkg --print-architecture)"
	echo "pkg: github.com/gomlp/gomlp/bench"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
}

main() {
	echo "# gomlp reference benchmarks (bench/ref/run.sh)"
	echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "# host: $(uname -srm); $(nproc) CPUs; $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')," \
		"family $(grep -m1 'cpu family' /proc/cpuinfo | sed 's/.*: //') model $(grep -m1 '^model\s' /proc/cpuinfo | sed 's/.*: //')"
	echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# packages: $(dpkg-query -W -f='${Package} ${Version}; ' libopenblas0-pthread libblis4 python3-torch 2>/dev/null)"
	echo "# settings: REPEAT=$REPEAT PASSES=$PASSES PASS_SECONDS=$PASS_SECONDS QUICK=${QUICK:-}"
	header
	# OpenBLAS picks its kernels from the CPU at load time. On AVX-512 CPUs
	# that is an AVX-512 kernel set (e.g. Cooperlake), while gomlp uses AVX2;
	# the Zen kernel set (what 0.3.21 picks on Zen 1-3) is also measured, as
	# the like-for-like AVX2 comparison, unless it is already the default.
	core=$("$bin/gemm_openblas" -V | sed -n 's/^# openblas_corename: //p')
	for ((r = 1; r <= REPEAT; r++)); do
		echo
		echo "# run: $r"
		if [ "$(uname -m)" = x86_64 ] && ! skipped peak; then
			"$bin/peak" -t "$PASS_SECONDS"
		fi
		if ! skipped gemm; then
			"$bin/gemm_openblas" "${gemm_args[@]}"
			if [ "$core" != Zen ] && [ "$core" != Haswell ] && [ "$(uname -m)" = x86_64 ]; then
				OPENBLAS_CORETYPE=Zen "$bin/gemm_openblas" "${gemm_args[@]}" -n openblas-zen
			fi
			"$bin/gemm_blis" "${gemm_args[@]}"
		fi
		if ! skipped torch; then
			"$python" "$here/torch_mlp.py" "${torch_args[@]}"
		fi
	done
	echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

main | tee "$results"
echo
echo "== summary over $REPEAT run(s): median of per-run medians [min run, max run] ==" | tee -a "$results"
"$python" "$here/summarize.py" "$results" | tee -a "$results"
echo "results written to $results" >&2
