#!/usr/bin/env bash
# Times ONNX Runtime (in process, C API, one intra-op thread) against gomlp's
# Predict (one thread) on the same 784-256-10 model exported by mlp export,
# at batch 1, 32 and 128, alternating. Extra arguments go to the program
# (e.g. -rounds 9 -time 1s).
#
# Needs Go, gcc, node/npm. The runtime's shared library comes from the npm
# package onnxruntime-node (installed into interop/onnx/node_modules); the
# C API header from the Go module github.com/yalue/onnxruntime_go@v1.27.0
# (header only: API version 24, which the 1.30 runtime serves).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -d interop/onnx/node_modules/onnxruntime-node ]; then
	(cd interop/onnx && npm install --ignore-scripts --no-audit --no-fund --no-save onnxruntime-node@1.30.0 >/dev/null)
fi
lib=$(dirname "$(find "$root/interop/onnx/node_modules/onnxruntime-node/bin" -path '*linux*' -path "*$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')*" -name 'libonnxruntime.so.1' | head -n 1)")
[ -n "$lib" ] || { echo "no libonnxruntime.so.1 in the npm package for this CPU" >&2; exit 1; }
dir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json github.com/yalue/onnxruntime_go@v1.27.0 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
mkdir -p "$work/include" && cp "$dir/onnxruntime_c_api.h" "$dir/onnxruntime_ep_c_api.h" "$work/include/"

go build -o "$work/mlp" ./cmd/mlp
data=()
if [ -n "${MNIST_DIR:-}" ]; then data=(-data "$MNIST_DIR"); fi
"$work/mlp" train "${data[@]}" -quiet -epochs 1 -hidden 256 -out "$work/m.gmlp" >/dev/null
"$work/mlp" export -model "$work/m.gmlp" -out "$work/m.onnx" >/dev/null

cd bench/ort
CGO_CFLAGS="-O2 -I$work/include" CGO_LDFLAGS="-L$lib -Wl,-rpath,$lib" go build -o "$work/ort" .
echo "ONNX Runtime $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$root/interop/onnx/node_modules/onnxruntime-node/package.json" | head -n 1) ($lib)"
"$work/ort" -model "$work/m.onnx" "$@"
