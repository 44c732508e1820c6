#!/usr/bin/env bash
# ONNX out and in, checked by the real implementations:
#  - ONNX Runtime (npm onnxruntime-node) runs gomlp's exported models on the
#    MNIST test set: within 1e-5 of Predict, argmax identical on all 10,000;
#  - onnx.checker.check_model (python3-onnx) accepts every exported file;
#  - PyTorch's torch.onnx.export (python3-torch), opsets 9/11/13/17, several
#    model styles, imported by gomlp: within 1e-5 of PyTorch, same argmax;
#  - ONNX's own operator test data (libonnx-testdata) through the importer;
#  - a short fuzz run of the decoder.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/lib/install.sh
need_deb python3-onnx python3-torch python3-numpy libonnx-testdata
PY=/usr/bin/python3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "onnx: $*" >&2; exit 1; }
data=()
if [ -n "${MNIST_DIR:-}" ]; then data=(-data "$MNIST_DIR"); fi

go build -o "$work/mlp" ./cmd/mlp
go build -o "$work/predict" ./interop/onnx/predict
mlp() { "$work/mlp" "$@"; }

echo "--- gomlp models: train briefly, export to ONNX"
# name, hidden sizes, dropout keep
models=("784-256-10 256 1" "784-512-512-10 512,512 0.5" "784-128-64-10 128,64 0.8")
for m in "${models[@]}"; do
	set -- $m
	mlp train "${data[@]}" -quiet -epochs 1 -hidden "$2" -keep "$3" -out "$work/$1.gmlp" >/dev/null
	mlp export -model "$work/$1.gmlp" -out "$work/$1.onnx"
done
# every activation the library has, and a normaliser fitted to the training images (untrained weights)
"$work/predict" -every-activation "$work/every-activation.gmlp"
mlp export -model "$work/every-activation.gmlp" -out "$work/every-activation.onnx"
mlp inspect "$work/784-256-10.onnx"

echo "--- onnx.checker.check_model (python3-onnx) on every exported file"
$PY - "$work"/*.onnx <<'PYEOF'
import sys, onnx
for path in sys.argv[1:]:
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    print(f"{path}: accepted (IR {m.ir_version}, opset {m.opset_import[0].version}, onnx {onnx.__version__})")
PYEOF

echo "--- gomlp's Predict on the MNIST test set"
"$work/predict" -mnist-x "$work/x.f32" -mnist-y "$work/y.u8"
refs=()
for m in "${models[@]}"; do
	set -- $m
	"$work/predict" -model "$work/$1.gmlp" -x "$work/x.f32" -out "$work/$1.gomlp.f32"
	refs+=("$work/$1.onnx" "$work/$1.gomlp.f32")
done
"$work/predict" -model "$work/every-activation.gmlp" -x "$work/x.f32" -out "$work/every-activation.gomlp.f32"
refs+=("$work/every-activation.onnx" "$work/every-activation.gomlp.f32")

echo "--- ONNX Runtime (onnxruntime-node) on the exported models"
if [ ! -d interop/onnx/node_modules/onnxruntime-node ]; then
	# --ignore-scripts: the install script fetches optional GPU files that are not needed.
	(cd interop/onnx && npm install --ignore-scripts --no-audit --no-fund --no-save onnxruntime-node@1.30.0 >/dev/null)
fi
node interop/onnx/ort_check.js "$work/x.f32" "${refs[@]}"

echo "--- round trip: export, import, eval gives the same accuracy"
acc() { tail -n 1 "$1" | sed -n 's/^test accuracy: \([0-9.]*\)%$/\1/p'; }
mlp eval "${data[@]}" -quiet -model "$work/784-256-10.gmlp" >"$work/a.txt"
mlp import "$work/784-256-10.onnx" -out "$work/back.gmlp"
mlp eval "${data[@]}" -quiet -model "$work/back.gmlp" >"$work/b.txt"
mlp eval "${data[@]}" -quiet -model "$work/784-256-10.onnx" >"$work/c.txt"
[ -n "$(acc "$work/a.txt")" ] && [ "$(acc "$work/a.txt")" = "$(acc "$work/b.txt")" ] && [ "$(acc "$work/a.txt")" = "$(acc "$work/c.txt")" ] ||
	fail "accuracy $(acc "$work/a.txt")% before the round trip, $(acc "$work/b.txt")% after import, $(acc "$work/c.txt")% evaluating the .onnx"
echo "test accuracy $(acc "$work/a.txt")% before and after"

echo "--- PyTorch torch.onnx.export -> mlp import -> Predict, against PyTorch"
$PY interop/onnx/torch_export.py "$work/x.f32" "$work/y.u8" "$work/torch"
n=0
for f in "$work"/torch/*.onnx; do
	base=$(basename "$f" .onnx)
	"$work/predict" -model "$f" -x "$work/x.f32" -ref "$work/torch/${base%-opset*}.probs.f32" -tol 1e-5
	n=$((n + 1))
done
[ "$n" -ge 33 ] || fail "only $n PyTorch files checked"
mlp import "$work/torch/fc-opset9.onnx" -out "$work/fc.gmlp"
mlp eval "${data[@]}" -model "$work/fc.gmlp" -quiet

echo "--- ONNX operator test data (libonnx-testdata): cases run and skipped"
go test -count=1 -run 'TestONNXOperatorCases' -v ./onnxnet/ | sed -n '/ran [0-9]* operator cases/,/^--- /p'
go test -count=1 -run 'TestONNXOperatorCases' ./onnxnet/ >/dev/null || fail "operator test cases failed"

echo "--- fuzzing the decoder (20 s)"
go test -run '^$' -fuzz FuzzDecode -fuzztime 20s ./onnx/ | tail -n 2

echo "--- fuzzing the importer (10 s)"
go test -run '^$' -fuzz FuzzImport -fuzztime 10s ./onnxnet/ | tail -n 2

echo "--- the ONNX Runtime speed harness builds and runs (bench/ort; timings here are not checked)"
bash bench/ort/run.sh -rounds 1 -time 20ms -batch 1,32
