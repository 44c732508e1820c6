//go:build gc && !purego

package mat

import (
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// TestDispatchAMD64 checks that the AVX2+FMA kernels are picked exactly
// when the CPU (and GODEBUG, which x/sys/cpu honours) allows them and
// GOMLP_KERNELS does not ask for the generic ones.
func TestDispatchAMD64(t *testing.T) {
	impls := Impls()
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA && os.Getenv(kernelsEnv) != "generic" {
		if len(impls) != 2 || impls[0] != "avx2+fma" || kernelSets[0] != &avx2Kernels {
			t.Fatalf("AVX2 and FMA present, Impls() = %v", impls)
		}
	} else if len(impls) != 1 || impls[0] != "generic" {
		t.Fatalf("no AVX2+FMA, Impls() = %v", impls)
	}
	if impls[len(impls)-1] != "generic" || Impl() != impls[0] {
		t.Fatalf("Impls() = %v, Impl() = %q", impls, Impl())
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
