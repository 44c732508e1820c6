//go:build gc && !purego

package mat

import (
	"math"
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// arm64-only checks of the NEON kernels: dispatch, the argument block the
// assembly reads, and the contract between the element kernels and their
// Go wrappers. Everything that compares kernels with their Go twins runs
// for every kernel set (kernelset_test.go, elem_test.go, kernel_test.go).
// Run them under qemu from an amd64 machine with
//
//	GOARCH=arm64 go test -exec qemu-aarch64-static ./mat/
//	GOARCH=arm64 go test -exec 'env GOMLP_KERNELS=generic qemu-aarch64-static' ./mat/

func TestDispatchARM64(t *testing.T) {
	impls := Impls()
	want := []string{"generic"}
	if cpu.ARM64.HasASIMD && os.Getenv(kernelsEnv) != "generic" {
		want = []string{"neon", "generic"}
	}
	if len(impls) != len(want) || impls[0] != want[0] || Impl() != want[0] {
		t.Fatalf("HasASIMD=%v %s=%q: Impls() = %v, Impl() = %q, want %v",
			cpu.ARM64.HasASIMD, kernelsEnv, os.Getenv(kernelsEnv), impls, Impl(), want)
	}
}

// TestFastArgsOffsetsARM64 pins the field offsets the assembly reads (FA_*
// in asm_arm64.s).
func TestFastArgsOffsetsARM64(t *testing.T) {
	var a fastArgs
	got := []uintptr{unsafe.Offsetof(a.k), unsafe.Offsetof(a.m), unsafe.Offsetof(a.n),
		unsafe.Offsetof(a.a), unsafe.Offsetof(a.lda), unsafe.Offsetof(a.b), unsafe.Offsetof(a.ldb),
		unsafe.Offsetof(a.c), unsafe.Offsetof(a.ldc), unsafe.Offsetof(a.alpha), unsafe.Offsetof(a.beta)}
	want := []uintptr{0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 76}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fastArgs offsets %v, the assembly reads %v", got, want)
		}
	}
}

// TestElementAsmContract calls the element assembly directly with counts
// the wrappers never pass (not a multiple of 4, zero, negative): it must
// process exactly the largest multiple of 4 not above n (nothing for n <=
// 0) and never touch a float past it, so that a wrapper bug cannot turn
// into an out-of-bounds write.
func TestElementAsmContract(t *testing.T) {
	type kernel struct {
		name string
		run  func(dst, x, y *float32, n int)
	}
	kernels := []kernel{
		{"relu", func(d, x, y *float32, n int) { reluNEON(d, x, n) }},
		{"reluGrad", func(d, x, y *float32, n int) { reluGradNEON(d, x, y, n) }},
		{"add", func(d, x, y *float32, n int) { addNEON(d, x, n) }},
		{"axpy", func(d, x, y *float32, n int) { axpyNEON(2, x, d, n) }},
		{"scale", func(d, x, y *float32, n int) { scaleNEON(2, d, n) }},
	}
	const size = 40
	for _, kn := range kernels {
		for _, n := range []int{-5, -1, 0, 1, 2, 3, 5, 6, 7, 17, 18, 19, 21, 35} {
			buf := make([]float32, size)
			for i := range buf {
				buf[i] = guard
			}
			x := make([]float32, size)
			y := make([]float32, size)
			for i := range x {
				x[i], y[i] = float32(i+1), 1
			}
			dst := buf[2:]
			for i := range dst[:max(n, 0)] {
				dst[i] = 1000.5
			}
			kn.run(&dst[0], &x[0], &y[0], n)
			done := max(n, 0) &^ 3
			for i, v := range buf {
				changed := v != guard && v != 1000.5
				if i >= 2 && i-2 < done {
					if !changed {
						t.Fatalf("%s n=%d: element %d not processed", kn.name, n, i-2)
					}
				} else if changed {
					t.Fatalf("%s n=%d: element %d (of the first %d) written", kn.name, n, i-2, done)
				}
			}
		}
	}
}

// TestElementWrappersTails: the Go wrappers finish the last n mod 4 floats
// with the generic code, NaN where the input is NaN and the same bits
// everywhere else (the element-kernel NaN rule of doc.go).
func TestElementWrappersTails(t *testing.T) {
	nan := float32(math.NaN())
	for n := 0; n <= 9; n++ {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(i) - 4
			if i == n-1 {
				src[i] = nan
			}
		}
		got := make([]float32, n)
		reluSliceNEON(got, src)
		for i, v := range src {
			want := max(v, 0)
			if v != v {
				if got[i] == got[i] {
					t.Fatalf("relu n=%d: [%d] = %v, want NaN", n, i, got[i])
				}
				continue
			}
			if math.Float32bits(got[i]) != math.Float32bits(want) {
				t.Fatalf("relu n=%d: [%d] = %v, want %v", n, i, got[i], want)
			}
		}
	}
}
