package mat

import (
	"fmt"
	"sync/atomic"
)

// kernelSet is one complete implementation of the kernels: assembly for one
// ISA, or the generic Go twins. The driver code (Gemm, the Matrix-level
// element functions) is shared and calls through the active set.
type kernelSet struct {
	name string

	// gemm is the micro-kernel the Gemm driver spends its time in.
	gemm microKernel

	// Element kernels on equal-length contiguous slices (the callers check
	// lengths). Each must give bit-identical results to its generic twin.
	relu     func(dst, src []float32)            // dst[i] = src[i] < 0 ? 0 : src[i]
	reluGrad func(dst, grad, x []float32)        // dst[i] = x[i] > 0 ? grad[i] : 0
	add      func(dst, x []float32)              // dst[i] += x[i]
	axpy     func(alpha float32, x, y []float32) // y[i] += float32(alpha*x[i]), no fused multiply-add
	scale    func(alpha float32, x []float32)    // x[i] *= alpha
}

// microKernel computes one mr×nr tile of C from packed panels:
//
//	acc[i][j] = sum over p < k of a[p*mr+i] * b[p*nr+j]
//	c[i*ldc+j] = acc[i][j]                  if beta == 0 (C is not read)
//	c[i*ldc+j] = beta*c[i*ldc+j] + acc[i][j] otherwise
//
// for i < mr, j < nr. k may be 0. The driver folds alpha into the packed A
// panel and routes edge tiles through a padded scratch tile.
type microKernel struct {
	mr, nr int
	fn     func(k int, a, b, c *float32, ldc int, beta float32)
}

// kernelSets lists the implementations usable on this CPU, best first; the
// generic set is always last. It is filled at package init.
var kernelSets []*kernelSet

// active is the set in use; an atomic so that tests and benchmarks may switch
// it while other goroutines run kernels.
var active atomic.Pointer[kernelSet]

func init() {
	kernelSets = append(archKernelSets(), &genericKernels)
	active.Store(kernelSets[0])
}

// Impl names the kernels in use: "avx2+fma", "neon" or "generic".
func Impl() string { return active.Load().name }

// Impls lists the kernel implementations usable on this CPU, best first.
// The last is always "generic".
func Impls() []string {
	names := make([]string, len(kernelSets))
	for i, k := range kernelSets {
		names[i] = k.name
	}
	return names
}

// SetImpl switches every kernel to the named implementation (one of Impls)
// and returns the name that was in use before. It exists so that tests and
// benchmarks can compare implementations in one process; programs have no
// need for it. Calls already running finish with the kernels they started with.
func SetImpl(name string) (previous string, err error) {
	for _, k := range kernelSets {
		if k.name == name {
			return active.Swap(k).name, nil
		}
	}
	return Impl(), fmt.Errorf("mat: kernel implementation %q is not available on this CPU (have %v)", name, Impls())
}
