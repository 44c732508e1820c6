#!/usr/bin/env bash
# ARM: the NEON fast-path kernels under qemu (NEON, generic, purego), the
# whole suite on 32-bit arm (GOARM=7 and 6, generic kernels), the NEON WORD
# encodings against llvm-mc, and the arm64 performance model (bench/arm).
set -euo pipefail
source .ci/lib/install.sh
need_deb qemu-user-static llvm-22

step() { printf -- '--- %s\n' "$*"; }
# the kernel-level tests (.ci/run runs the whole arm64 suite once)
kernels='FastKernels|FastPath|StridedKernels|Packers|MicroKernel|Elem|ARM64|Contract|Wrappers|Axpy'

step "arm64 NEON kernels under qemu (Neoverse N1 and Cortex-A72 models)"
GOARCH=arm64 go test -count 1 -exec "env QEMU_CPU=neoverse-n1 qemu-aarch64-static" -run "$kernels" ./mat/
GOARCH=arm64 go test -count 1 -short -exec "env QEMU_CPU=cortex-a72 qemu-aarch64-static" -run "$kernels" ./mat/
step "arm64 generic kernels (GOMLP_KERNELS=generic, then -tags purego)"
GOARCH=arm64 go test -count 1 -exec "env GOMLP_KERNELS=generic qemu-aarch64-static" ./mat/
GOARCH=arm64 go test -count 1 -tags purego -exec qemu-aarch64-static ./mat/

step "the run-time switch on this machine too (GOMLP_KERNELS=generic)"
GOMLP_KERNELS=generic go test -count 1 ./mat/

for v in 7 6; do
	step "32-bit arm, GOARM=$v, whole suite under qemu"
	GOARCH=arm GOARM=$v go vet ./...
	GOARCH=arm GOARM=$v go test -count 1 -exec qemu-arm-static ./...
done

step "NEON WORD encodings against llvm-mc"
bash mat/testdata/neoncheck.sh

step "arm64 performance model (llvm-mca; modelled, not measured)"
go run ./bench/arm
