//go:build gc && !purego

package mat

import (
	"os"
	"slices"
	"testing"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// TestDispatchAMD64 checks that the AVX-512 and AVX2+FMA kernels are picked
// exactly when the CPU (and GODEBUG, which x/sys/cpu honours:
// cpu.avx512f=off, cpu.avx2=off) allows them and GOMLP_KERNELS does not ask
// for the generic ones, best first.
func TestDispatchAMD64(t *testing.T) {
	var want []string
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA && os.Getenv(kernelsEnv) != "generic" {
		if cpu.X86.HasAVX512F {
			want = append(want, "avx512")
		}
		want = append(want, "avx2+fma")
	}
	want = append(want, "generic")
	if got := Impls(); !slices.Equal(got, want) {
		t.Fatalf("CPU has AVX2 %v, FMA %v, AVX-512F %v: Impls() = %v, want %v",
			cpu.X86.HasAVX2, cpu.X86.HasFMA, cpu.X86.HasAVX512F, got, want)
	}
	if Impl() != want[0] {
		t.Fatalf("Impl() = %q, want %q", Impl(), want[0])
	}
}

// TestFastArgsLayout pins the field offsets the assembly reads (FA_*).
func TestFastArgsLayout(t *testing.T) {
	var a fastArgs
	offsets := []struct {
		name      string
		got, want uintptr
	}{
		{"k", unsafe.Offsetof(a.k), 0},
		{"m", unsafe.Offsetof(a.m), 8},
		{"n", unsafe.Offsetof(a.n), 16},
		{"a", unsafe.Offsetof(a.a), 24},
		{"lda", unsafe.Offsetof(a.lda), 32},
		{"b", unsafe.Offsetof(a.b), 40},
		{"ldb", unsafe.Offsetof(a.ldb), 48},
		{"c", unsafe.Offsetof(a.c), 56},
		{"ldc", unsafe.Offsetof(a.ldc), 64},
		{"alpha", unsafe.Offsetof(a.alpha), 72},
		{"beta", unsafe.Offsetof(a.beta), 76},
	}
	for _, o := range offsets {
		if o.got != o.want {
			t.Errorf("fastArgs.%s at offset %d, the assembly reads %d", o.name, o.got, o.want)
		}
	}
}
