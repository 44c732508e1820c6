package mat

import (
	"fmt"
	"os"
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

	// Everything below is optional: a nil field means the driver uses its
	// portable Go code (or the next simpler kernel) instead.

	// vectorExp says that the set uses this architecture's expVector,
	// which computes a prefix of dst[i] = e^src[i] bit-identically to
	// expGeneric (see Exp).
	vectorExp bool

	// prefetch, if set, asks for the cache lines of p ahead of use: a hint
	// that reads nothing into registers and cannot fault (its generic twin
	// does nothing). GatherRows uses it to overlap the misses of the rows it
	// copies next with the copy of the current one.
	prefetch func(p []float32)

	// packA and packB pack one full panel (gemm.mr rows of op(A), gemm.nr
	// columns of op(B)) faster than the Go packing loops; see panelPacker.
	packA, packB panelPacker

	// gemmRow, if set, computes several consecutive full tiles of one row
	// panel in one call, saving the per-tile call overhead (see rowKernel).
	gemmRow rowKernel

	// gemmRowStrided, if set, is gemmRow for B panels with any strides (see
	// stridedRowKernel); the driver then reads a row-major B in place
	// instead of packing it, where that pays.
	gemmRowStrided stridedRowKernel

	// rowA and edgeRowA, if set, are gemmRowStrided and edgeRows.row
	// reading A in place instead of from a packed panel (see inPlaceA).
	rowA, edgeRowA rowKernelA

	// edgeRows, if set, is a kernel with fewer rows than gemm.mr for the
	// last row panels, so that they need little or no padding (with 6 and
	// 4, a block of 128 rows is 20 panels of 6 and 2 of 4). It needs
	// gemmRowStrided.
	edgeRows *edgeKernel

	// edgeCols, if set, computes the last columns of a block, when there
	// are at most edgeCols.nr of them, from a panel that narrow instead of
	// one of gemm.nr mostly padding (with 64-wide tiles, the last 16 of 784
	// columns would cost a whole tile). It reads packed A panels.
	edgeCols *edgeColsKernel

	// fast holds kernels for shapes the packed driver serves badly: one
	// row of C (batch 1) and a narrow C (few columns). See fastKernels.
	fast *fastKernels

	// peak is the register-only FMA loop PeakGFLOPS runs.
	peak *peakLoop
}

// rowKernel is the micro-kernel looped over n consecutive tiles: tile t uses
// the B panel at b + t*k*nr and the C tile at c + t*nr (all tiles full).
type rowKernel func(k, n int, a, b, c *float32, ldc int, beta float32)

// stridedRowKernel computes n consecutive mr×nr tiles of one row panel,
// with the semantics of microKernel for each: tile t uses the packed A
// panel at a and the B panel at b + t*tileStride, whose step p is at
// + p*stepStride (elements), and writes the C tile at c + t*nr. B may thus
// be a packed panel (stepStride nr, tileStride nr*k) or a row-major matrix
// read in place (stepStride ldb, tileStride nr).
type stridedRowKernel func(k, n int, a, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32)

// rowKernelA is a stridedRowKernel that reads A through strides too: step
// p of row i of the panel at a + i*aRow + p*aStep. The driver calls it to
// read A where it is (aRow = lda and aStep = 1, or for op(A) = Aᵀ aRow = 1
// and aStep = lda); unlike a packed panel, that cannot carry alpha, so it
// does so only when alpha is 1.
type rowKernelA func(k, n int, a *float32, aRow, aStep int, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32)

// edgeKernel is a strided row kernel of another tile height, with its A
// packer.
type edgeKernel struct {
	mr    int
	row   stridedRowKernel
	packA panelPacker // packs full A panels of height mr
}

// edgeColsKernel is a pair of strided row kernels (heights gemm.mr and
// edgeRows.mr) with nr-wide tiles, and the packer of their B panels.
type edgeColsKernel struct {
	nr           int
	row, edgeRow stridedRowKernel
	packB        panelPacker
}

// microKernel computes one mr×nr tile of C from packed panels:
//
//	acc[i][j] = sum over p < k of a[p*mr+i] * b[p*nr+j]
//	c[i*ldc+j] = acc[i][j]                  if beta == 0 (C is not read)
//	c[i*ldc+j] = beta*c[i*ldc+j] + acc[i][j] otherwise
//
// for i < mr, j < nr. k may be 0. The driver folds alpha into the packed A
// panel and routes edge tiles through a padded scratch tile. fn may be nil
// in a set with a strided row kernel (gemmRowStrided), which then computes
// every tile.
type microKernel struct {
	mr, nr int
	fn     func(k int, a, b, c *float32, ldc int, beta float32)
}

// panelPacker packs one full panel of width w (the kernel's mr for A, nr for
// B) and depth k into dst, scaling by alpha:
//
//	copy:  dst[p*w+i] = alpha * src[p*ld+i]   (the panel's rows are contiguous)
//	trans: dst[p*w+i] = alpha * src[i*ld+p]   (the panel's columns are contiguous)
//
// for p < k, i < w. Either function may be nil.
type panelPacker struct {
	copy, trans func(k int, src *float32, ld int, dst *float32, alpha float32)
}

// kernelSets lists the implementations usable on this CPU, best first; the
// generic set is always last. It is filled at package init.
var kernelSets []*kernelSet

// active is the set in use; an atomic so that tests and benchmarks may switch
// it while other goroutines run kernels.
var active atomic.Pointer[kernelSet]

// kernelsEnv is the environment variable that, set to "generic", makes
// the package use only the generic kernels (read once, at init).
const kernelsEnv = "GOMLP_KERNELS"

func init() {
	if os.Getenv(kernelsEnv) != "generic" {
		kernelSets = archKernelSets()
	}
	kernelSets = append(kernelSets, &genericKernels)
	active.Store(kernelSets[0])
}

// Impl names the kernels in use: "avx512", "avx2+fma", "neon" or "generic".
func Impl() string { return active.Load().name }

// Impls lists the kernel implementations usable on this CPU, best first.
// The last is always "generic". Programs never need it (see SetImpl).
func Impls() []string {
	names := make([]string, len(kernelSets))
	for i, k := range kernelSets {
		names[i] = k.name
	}
	return names
}

// SetImpl switches every kernel to the named implementation (one of Impls)
// and returns the name that was in use before. Calls already running finish
// with the kernels they started with.
//
// Programs never need SetImpl or Impls: the best kernels for the CPU are
// chosen at start-up. They exist so that tests and benchmarks can compare
// implementations in one process; the setting is global, so a test that
// changes it restores it (defer SetImpl(previous)).
func SetImpl(name string) (previous string, err error) {
	for _, k := range kernelSets {
		if k.name == name {
			return active.Swap(k).name, nil
		}
	}
	return Impl(), fmt.Errorf("mat: kernel implementation %q is not available on this CPU (have %v)", name, Impls())
}
