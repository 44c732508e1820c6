#!/usr/bin/env bash
# PyTorch and safetensors interop, checked against the real implementations:
#  1. DDP: torchrun trains 784-256-10 on MNIST with 2 gloo processes on
#     127.0.0.1; `mlp import` + `mlp eval` must give PyTorch's accuracy, the
#     same class for all 10,000 test images and the first 100 logit rows
#     within 1e-4.
#  2. Files PyTorch 1.13 writes (shapes, naming styles, float16/bfloat16/
#     float64, non-contiguous, shared storage, training checkpoints) are read
#     by gomlp with logits within 1e-5; files gomlp must refuse are refused.
#  3. .pt files gomlp exports load with torch.load(weights_only=True), for
#     every activation, the model's normalizer folded into the first Linear.
#  4. safetensors files cross-read with github.com/nlpodyssey/safetensors.
#  5. The readers' tests pass on big-endian s390x (qemu), and their fuzz
#     targets run for a few seconds each.
set -euo pipefail
source .ci/lib/install.sh
need_deb python3-torch python3-numpy
PY=/usr/bin/python3
: "${MNIST_DIR:?MNIST_DIR must point to the MNIST .gz files}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/mlp" ./cmd/mlp
mlp="$work/mlp"

echo "--- 1. DistributedDataParallel (torchrun, 2 processes, gloo, 127.0.0.1)"
# --redirects/--tee: Debian's torch 1.13 on Python 3.11 cannot parse their
# default "0", so stdout is redirected and teed explicitly.
OMP_NUM_THREADS=1 torchrun --redirects 1 --tee 1 --nproc_per_node 2 \
	--master_addr 127.0.0.1 --master_port 29517 \
	interop/torch/train_ddp.py --data "$MNIST_DIR" --out "$work/ddp.pt" --epochs 3 | tee "$work/torch.log"
"$mlp" import "$work/ddp.pt" -out "$work/ddp.gmlp" -mean 0.1307 -std 0.3081
"$mlp" eval -model "$work/ddp.gmlp" -data "$MNIST_DIR" -quiet -logits "$work/gomlp_logits.txt" | tee "$work/gomlp.log"
torch_acc=$(grep -o 'pytorch test accuracy: [0-9.]*%' "$work/torch.log" | awk '{print $4}')
gomlp_acc=$(tail -n 1 "$work/gomlp.log" | awk '{print $3}')
echo "accuracy: pytorch $torch_acc, gomlp $gomlp_acc"
[ -n "$torch_acc" ] && [ "$torch_acc" = "$gomlp_acc" ] || { echo "FAIL: accuracies differ"; exit 1; }
$PY interop/torch/compare.py "$work/gomlp_logits.txt" "$work/torch_logits.txt" \
	--classes "$work/torch_classes.txt" --tol 1e-4

echo "--- 2. files written by PyTorch $($PY -c 'import torch; print(torch.__version__)')"
$PY interop/torch/variants.py --data "$MNIST_DIR" --out "$work/v"
for logits in "$work"/v/*.logits; do
	name=$(basename "$logits" .logits)
	# shellcheck disable=SC2046
	"$mlp" import "$work/v/$name.pt" -out "$work/v/$name.gmlp" $(cat "$work/v/$name.args") >"$work/v/$name.import"
	"$mlp" eval -model "$work/v/$name.gmlp" -data "$MNIST_DIR" -quiet -logits "$work/v/$name.gomlp" >/dev/null
	rc=0
	$PY interop/torch/compare.py "$work/v/$name.gomlp" "$logits" --tol 1e-5 >"$work/v/$name.cmp" || rc=$?
	printf '%-22s %s\n' "$name" "$(head -n 1 "$work/v/$name.cmp")"
	[ $rc -eq 0 ] || { echo "FAIL: $name"; cat "$work/v/$name.import"; exit 1; }
done
# Read directly, without import, where the mapping is unambiguous.
"$mlp" eval -model "$work/v/named_fc.pt" -data "$MNIST_DIR" -quiet -logits "$work/v/direct.gomlp" >/dev/null
cmp "$work/v/direct.gomlp" "$work/v/named_fc.gomlp"
for want in "$work"/v/*.refused; do
	name=$(basename "$want" .refused)
	if "$mlp" import "$work/v/$name.pt" -out "$work/v/$name.gmlp" 2>"$work/v/$name.err" >/dev/null; then
		echo "FAIL: $name.pt was imported"; exit 1
	fi
	grep -qF "$(cat "$want")" "$work/v/$name.err" || { echo "FAIL: $name: $(cat "$work/v/$name.err")"; exit 1; }
	printf '%-22s refused: %s' "$name" "$(cut -c1-150 "$work/v/$name.err")"; echo
done

echo "--- 3. gomlp-written .pt loaded by torch.load(weights_only=True)"
# ddp.gmlp keeps the normalisation as its own layer; the export folds it into
# the first Linear, which moves float32 rounding (about 6e-6 here, on logits
# of order 10), so this uses step 1's tolerance.
"$mlp" export -model "$work/ddp.gmlp" -out "$work/export.pt"
$PY interop/torch/check_export.py "$work/export.pt" "$work/gomlp_logits.txt" --data "$MNIST_DIR" --tol 1e-4
"$mlp" export -model "$work/ddp.gmlp" -out "$work/export.safetensors" >/dev/null
"$mlp" eval -model "$work/export.safetensors" -data "$MNIST_DIR" -quiet -logits "$work/st_logits.txt" >/dev/null
$PY interop/torch/compare.py "$work/st_logits.txt" "$work/gomlp_logits.txt" --tol 1e-4
# Every activation, and the normalizer (kept by mlp import) folded by export.
for name in relu tanh sigmoid leaky_relu gelu; do
	"$mlp" export -model "$work/v/act_$name.gmlp" -out "$work/v/act_$name.export.pt" >"$work/v/act_$name.export"
	grep -q "model = nn.Sequential(nn.Linear(784, 48), " "$work/v/act_$name.export"
	$PY interop/torch/check_export.py "$work/v/act_$name.export.pt" "$work/v/act_$name.gomlp" \
		--data "$MNIST_DIR" --tol 1e-5 --activation "$name" | tail -n 1
done
"$mlp" export -model "$work/v/act_per_layer.gmlp" -out "$work/v/act_per_layer.export.pt" >/dev/null
$PY interop/torch/check_export.py "$work/v/act_per_layer.export.pt" "$work/v/act_per_layer.gomlp" \
	--data "$MNIST_DIR" --tol 1e-5 --activation sigmoid,gelu | tail -n 1

echo "--- 4. safetensors against github.com/nlpodyssey/safetensors"
(cd interop/safetensorscheck && go vet . && go test -count=1 .)
echo "--- 5. the readers on a big-endian machine (s390x under qemu), then fuzzing them briefly"
need_deb qemu-user-static
GOARCH=s390x go test -exec qemu-s390x-static ./safetensors ./torchpt ./interop
# Counts, not durations: a -fuzztime duration can end in a spurious "context
# deadline exceeded" on a loaded machine (golang/go#75804).
go test -run '^$' -fuzz '^FuzzRead$' -fuzztime 200000x -fuzzminimizetime 200x ./safetensors
go test -run '^$' -fuzz '^FuzzRead$' -fuzztime 200000x -fuzzminimizetime 200x ./torchpt
go test -run '^$' -fuzz '^FuzzUnpickle$' -fuzztime 200000x -fuzzminimizetime 200x ./torchpt
echo "torch interop: ok"
