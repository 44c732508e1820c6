//go:build gc && !purego

package mat

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// archKernelSets returns the assembly kernel sets this CPU supports, best
// first. x/sys/cpu folds in OS support for the YMM state and honours
// GODEBUG=cpu.avx2=off and cpu.fma=off.
// GODEBUG=cpu.avx512f=off leaves the AVX2 set.
func archKernelSets() []*kernelSet {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return nil
	}
	if cpu.X86.HasAVX512F {
		return []*kernelSet{&avx512Kernels, &avx2Kernels}
	}
	return []*kernelSet{&avx2Kernels}
}

var avx2Kernels = kernelSet{
	name:           "avx2+fma",
	gemm:           microKernel{mr: 6, nr: 16}, // the strided row kernels do all the work
	relu:           reluSliceAVX2,
	reluGrad:       reluGradSliceAVX2,
	add:            addSliceAVX2,
	axpy:           axpySliceAVX2,
	scale:          scaleSliceAVX2,
	vectorExp:      true,
	prefetch:       prefetchAMD64,
	packA:          panelPacker{copy: packCopy6AVX2, trans: packTrans6AVX2},
	packB:          panelPacker{copy: packCopy16AVX2, trans: packTrans16AVX2},
	gemmRowStrided: gemmRow6x16AVX2,
	edgeRows:       &edgeKernel{mr: 4, row: gemmRow4x16AVX2, packA: panelPacker{copy: packCopy4AVX2, trans: packTrans4AVX2}},
	fast: &fastKernels{gemv: gemvAVX2, dot: dotAVX2, dot1: dot1AVX2, col: colAVX2,
		transpose: transposeAVX2},
	peak: &peakLoop{run: peakAVX2, flops: 12 * 8 * 2},
}

// avx512Kernels is the AVX2 set with AVX-512 kernels where they measured
// faster: the 6×64 GEMM row kernel and its 4×64 edge kernel (B panels of 64
// columns, packed or read in place, Bᵀ packed by 16×16 transposes; A panels
// of 6 or 4 rows, packed by the AVX2 packers, or read in place), the
// batch-1 GEMV (256-column strips, and at most 16 columns under a mask), the
// dot kernel of narrow products and the peak loop. The AVX2 6×16 and 4×16
// kernels compute the last 16 or fewer columns of a block; narrow
// products with op(A) = Aᵀ, and A·Bᵀ with few rows and many columns, are
// computed transposed (fastKernels.swap), through a 16×16 AVX-512
// transpose.
var avx512Kernels = func() kernelSet {
	ks := avx2Kernels
	ks.name = "avx512"
	ks.gemm = microKernel{mr: 6, nr: 64}
	ks.gemmRowStrided = func(k, n int, a, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32) {
		gemmRow6x64AVX512(k, n, a, 1, 6, b, stepStride, tileStride, c, ldc, beta)
	}
	ks.packB = panelPacker{copy: packCopy64AVX512, trans: packTrans64AVX512Go}
	ks.edgeRows = &edgeKernel{mr: 4, packA: avx2Kernels.edgeRows.packA,
		row: func(k, n int, a, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32) {
			gemmRow4x64AVX512(k, n, a, 1, 4, b, stepStride, tileStride, c, ldc, beta)
		}}
	ks.rowA, ks.edgeRowA = gemmRow6x64AVX512, gemmRow4x64AVX512
	ks.edgeCols = &edgeColsKernel{nr: 16, row: gemmRow6x16AVX2, edgeRow: gemmRow4x16AVX2, packB: avx2Kernels.packB}
	fast := *avx2Kernels.fast
	fast.gemv, fast.gemvUnit, fast.blockGEMV = gemvAVX512, 256, true
	fast.dot = dotAVX512
	fast.transpose = transposeAVX512
	fast.swap = true
	ks.fast = &fast
	ks.peak = &peakLoop{run: peakAVX512, flops: 12 * 16 * 2}
	return ks
}()

//go:noescape
func peakAVX512(n int)

//go:noescape
func gemmRow6x64AVX512(k, n int, a *float32, aRow, aStep int, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32)

//go:noescape
func gemmRow4x64AVX512(k, n int, a *float32, aRow, aStep int, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32)

// packTrans64AVX512Go packs a 64-wide panel whose lanes are rows of src
// (dst[p*64+i] = alpha·src[i*ld+p]): whole blocks of 16 steps with the
// AVX-512 16×16 transposes, the rest with the AVX2 transpose kernel.
func packTrans64AVX512Go(k int, src *float32, ld int, dst *float32, alpha float32) {
	if k == 0 {
		return
	}
	full := k &^ 15
	packTrans64AVX512(full, src, ld, dst)
	if full < k {
		transposeAVX2(64, k-full, addFloats(src, full), ld, addFloats(dst, 64*full), 64)
	}
	if alpha != 1 {
		scaleSliceAVX2(alpha, unsafe.Slice(dst, 64*k))
	}
}

//go:noescape
func packTrans64AVX512(k int, src *float32, ld int, dst *float32)

//go:noescape
func packCopy64AVX512(k int, src *float32, ld int, dst *float32, alpha float32)

// gemvAVX512 runs the 256-column strips of a GEMV in the AVX-512 kernel,
// and the rest of the columns in the masked 16-column kernel where there
// are at most 16 of them, else in the AVX2 one.
func gemvAVX512(p *fastArgs) {
	full := p.n &^ 255
	q := *p
	if full > 0 {
		q.n = full
		gemv256AVX512(&q)
	}
	rest := p.n - full
	if rest == 0 {
		return
	}
	q.n, q.b, q.c = rest, addFloats(p.b, full), addFloats(p.c, full)
	if rest <= 16 {
		gemv16AVX512(&q)
	} else {
		gemvAVX2(&q)
	}
}

//go:noescape
func gemv16AVX512(p *fastArgs)

//go:noescape
func gemv256AVX512(p *fastArgs)

//go:noescape
func dotAVX512(p *fastArgs)

//go:noescape
func gemmRow6x16AVX2(k, n int, a, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32)

//go:noescape
func gemmRow4x16AVX2(k, n int, a, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32)

//go:noescape
func packCopy4AVX2(k int, src *float32, ld int, dst *float32, alpha float32)

//go:noescape
func packTrans4AVX2(k int, src *float32, ld int, dst *float32, alpha float32)

//go:noescape
func packCopy16AVX2(k int, src *float32, ld int, dst *float32, alpha float32)

//go:noescape
func packCopy6AVX2(k int, src *float32, ld int, dst *float32, alpha float32)

//go:noescape
func packTrans16AVX2(k int, src *float32, ld int, dst *float32, alpha float32)

//go:noescape
func packTrans6AVX2(k int, src *float32, ld int, dst *float32, alpha float32)

//go:noescape
func gemvAVX2(p *fastArgs)

//go:noescape
func dotAVX2(p *fastArgs)

//go:noescape
func dot1AVX2(p *fastArgs)

//go:noescape
func colAVX2(p *fastArgs)

//go:noescape
func transposeAVX2(rows, cols int, src *float32, lds int, dst *float32, ldd int)

//go:noescape
func transpose16AVX512(rows, cols int, src *float32, lds int, dst *float32, ldd int)

// transposeAVX512 sets dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols:
// the whole 16×16 blocks by transpose16AVX512, the last columns and rows
// by the AVX2 kernel.
func transposeAVX512(rows, cols int, src *float32, lds int, dst *float32, ldd int) {
	r16, c16 := rows&^15, cols&^15
	if r16 > 0 && c16 > 0 {
		transpose16AVX512(r16, c16, src, lds, dst, ldd)
		if c16 < cols {
			transposeAVX2(r16, cols-c16, addFloats(src, c16), lds, addFloats(dst, c16*ldd), ldd)
		}
	} else {
		r16 = 0
	}
	if r16 < rows {
		transposeAVX2(rows-r16, cols, addFloats(src, r16*lds), lds, addFloats(dst, r16), ldd)
	}
}

// The element wrappers send the multiple-of-8 bulk to the assembly and the
// rest to the Go twin.

func reluSliceAVX2(dst, src []float32) {
	src = src[:len(dst)]
	n := len(dst) &^ 7
	if n > 0 {
		reluAVX2(unsafe.SliceData(dst), unsafe.SliceData(src), n)
	}
	reluGeneric(dst[n:], src[n:])
}

func reluGradSliceAVX2(dst, grad, x []float32) {
	grad, x = grad[:len(dst)], x[:len(dst)]
	n := len(dst) &^ 7
	if n > 0 {
		reluGradAVX2(unsafe.SliceData(dst), unsafe.SliceData(grad), unsafe.SliceData(x), n)
	}
	reluGradGeneric(dst[n:], grad[n:], x[n:])
}

func addSliceAVX2(dst, x []float32) {
	x = x[:len(dst)]
	n := len(dst) &^ 7
	if n > 0 {
		addAVX2(unsafe.SliceData(dst), unsafe.SliceData(x), n)
	}
	addGeneric(dst[n:], x[n:])
}

func axpySliceAVX2(alpha float32, x, y []float32) {
	x = x[:len(y)]
	n := len(y) &^ 7
	if n > 0 {
		axpyAVX2(alpha, unsafe.SliceData(x), unsafe.SliceData(y), n)
	}
	axpyGeneric(alpha, x[n:], y[n:])
}

// expVector computes dst = e^src with the AVX2 kernel and returns
// len(dst): all of it.
func expVector(dst, src []float32) int {
	src = src[:len(dst)]
	if len(dst) > 0 {
		expAVX2(unsafe.SliceData(dst), unsafe.SliceData(src), len(dst))
	}
	return len(dst)
}

func scaleSliceAVX2(alpha float32, x []float32) {
	n := len(x) &^ 7
	if n > 0 {
		scaleAVX2(alpha, unsafe.SliceData(x), n)
	}
	scaleGeneric(alpha, x[n:])
}

//go:noescape
func reluAVX2(dst, src *float32, n int)

//go:noescape
func reluGradAVX2(dst, grad, x *float32, n int)

//go:noescape
func addAVX2(dst, x *float32, n int)

//go:noescape
func axpyAVX2(alpha float32, x, y *float32, n int)

//go:noescape
func expAVX2(dst, src *float32, n int)

//go:noescape
func scaleAVX2(alpha float32, x *float32, n int)

//go:noescape
func peakAVX2(n int)

//go:noescape
func prefetchAMD64(p []float32)
