//go:build gc && !purego

package mat

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// archKernelSets returns the NEON kernels when the CPU has Advanced SIMD,
// which every arm64 CPU that runs Go has. (The Go runtime does not know
// GODEBUG=cpu.asimd=off and warns about it; GOMLP_KERNELS=generic, see
// impl.go, is the way to run the generic kernels.)
func archKernelSets() []*kernelSet {
	if !cpu.ARM64.HasASIMD {
		return nil
	}
	return []*kernelSet{&neonKernels}
}

// neonKernels: the kernels of asm_arm64.s.
//
// The GEMM tile is 8×12, sized for the 32 vector registers: 24 hold the
// 8×12 accumulators (three 4-float registers per row of C), four hold two
// columns of A (this step's and the next), four rotate through blocks of B
// loaded ahead of use. Each k step is 24 fused multiply-adds for 5 vector
// loads, against 16 for 4 with an 8×8 tile, and 24 independent
// accumulators cover the FMA latency of two pipes. A 12-wide tile also
// holds a 10-column C (the output layer) in one tile column. BLIS uses the
// same shape for ARMv8 single precision.
//
// The fast paths (batch 1, narrow C) have their own kernels; one row of C
// with op(B) = Bᵀ uses the dot kernel, whose 4-row tile then repeats the
// row (a quarter of its multiply-adds are useful, still more than the 8×12
// tile gives one row after packing all of B).
var neonKernels = kernelSet{
	name:     "neon",
	gemm:     microKernel{mr: 8, nr: 12, fn: gemm8x12NEON},
	relu:     reluSliceNEON,
	reluGrad: reluGradSliceNEON,
	add:      addSliceNEON,
	axpy:     axpySliceNEON,
	scale:    scaleSliceNEON,
	prefetch: prefetchARM64,
	packA:    panelPacker{copy: packCopy8NEON, trans: packTrans8NEON},
	packB:    panelPacker{copy: packCopy12NEON, trans: packTrans12NEON},
	gemmRow:  gemmRow8x12NEON,
	fast: &fastKernels{gemv: gemvFastNEON, dot: dotFastNEON, dot1: dotNEON, col: colFastNEON,
		transpose: transposeFastNEON},
	peak: &peakLoop{run: peakNEON, flops: 16 * 4 * 2},
}

// gemvFastNEON is the one-row fast path: the assembly needs four columns.
func gemvFastNEON(p *fastArgs) {
	if p.n < 4 {
		gemvGeneric(p)
		return
	}
	gemvNEON(p)
}

// dotFastNEON is the narrow-C fast path for op(A) = A: 3×5 tiles where
// they compute fewer columns than 4×4 ones (a 10-column C: 10, not 12).
func dotFastNEON(p *fastArgs) {
	if useDot5(p.n) {
		dot5NEON(p)
		return
	}
	dotNEON(p)
}

// transposeFastNEON is the fast paths' transpose: the assembly does the
// 4×4 blocks, Go the last rows and columns.
func transposeFastNEON(rows, cols int, src *float32, lds int, dst *float32, ldd int) {
	transposeBy4x4(rows, cols, src, lds, dst, ldd, transposeNEON)
}

// colFastNEON is the narrow-C fast path for op(A) = Aᵀ: the assembly's tile
// is 16 rows by 4 columns and reads whole tiles, so a C with fewer rows or
// columns goes to the Go twin (its work is at most 15·24·k or m·3·k
// multiply-adds).
func colFastNEON(p *fastArgs) {
	switch {
	case p.m < 16 || p.n < 4:
		colGeneric(p)
	case useCol5(p.n):
		col5NEON(p)
	default:
		colNEON(p)
	}
}

// gemvNEON, dotNEON, dot5NEON, colNEON and col5NEON compute the
// fastKernels contract (see fast.go); gemvNEON needs n >= 4, colNEON m >= 16
// and n >= 4, col5NEON m >= 16 and n >= 5.

//go:noescape
func gemvNEON(p *fastArgs)

//go:noescape
func dotNEON(p *fastArgs)

//go:noescape
func colNEON(p *fastArgs)

//go:noescape
func col5NEON(p *fastArgs)

//go:noescape
func dot5NEON(p *fastArgs)

// transposeNEON is fastKernels.transpose for rows and cols multiples of 4.
//
//go:noescape
func transposeNEON(rows, cols int, src *float32, lds int, dst *float32, ldd int)

// peakNEON runs n iterations of the register-only FMA loop PeakGFLOPS times.
//
//go:noescape
func peakNEON(n int)

// gemm8x12NEON is the microKernel contract on top of the row kernel.
func gemm8x12NEON(k int, a, b, c *float32, ldc int, beta float32) {
	gemmRow8x12NEON(k, 1, a, b, c, ldc, beta)
}

// gemmRow8x12NEON is the rowKernel for 8×12 tiles.
//
//go:noescape
func gemmRow8x12NEON(k, n int, a, b, c *float32, ldc int, beta float32)

// Panel packers (see panelPacker) for the 8-row A and 12-column B panels.

//go:noescape
func packCopy8NEON(k int, src *float32, ld int, dst *float32, alpha float32)

//go:noescape
func packCopy12NEON(k int, src *float32, ld int, dst *float32, alpha float32)

//go:noescape
func packTrans8NEON(k int, src *float32, ld int, dst *float32, alpha float32)

//go:noescape
func packTrans12NEON(k int, src *float32, ld int, dst *float32, alpha float32)

// The element kernels below process n floats, n a multiple of 4; the Go
// wrappers pass the bulk and finish the last 0-3 elements with the generic
// twin.

//go:noescape
func reluNEON(dst, src *float32, n int)

//go:noescape
func reluGradNEON(dst, grad, x *float32, n int)

//go:noescape
func addNEON(dst, x *float32, n int)

//go:noescape
func axpyNEON(alpha float32, x, y *float32, n int)

//go:noescape
func scaleNEON(alpha float32, x *float32, n int)

// The reslices below bound every other operand by len(dst), so the assembly
// never reads past a slice even if a caller passes a short one (the reslice
// panics first).

func reluSliceNEON(dst, src []float32) {
	src = src[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		reluNEON(unsafe.SliceData(dst), unsafe.SliceData(src), n)
	}
	reluGeneric(dst[n:], src[n:])
}

func reluGradSliceNEON(dst, grad, x []float32) {
	grad, x = grad[:len(dst)], x[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		reluGradNEON(unsafe.SliceData(dst), unsafe.SliceData(grad), unsafe.SliceData(x), n)
	}
	reluGradGeneric(dst[n:], grad[n:], x[n:])
}

func addSliceNEON(dst, x []float32) {
	x = x[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		addNEON(unsafe.SliceData(dst), unsafe.SliceData(x), n)
	}
	addGeneric(dst[n:], x[n:])
}

func axpySliceNEON(alpha float32, x, y []float32) {
	x = x[:len(y)]
	n := len(y) &^ 3
	if n > 0 {
		axpyNEON(alpha, unsafe.SliceData(x), unsafe.SliceData(y), n)
	}
	axpyGeneric(alpha, x[n:], y[n:])
}

func scaleSliceNEON(alpha float32, x []float32) {
	n := len(x) &^ 3
	if n > 0 {
		scaleNEON(alpha, unsafe.SliceData(x), n)
	}
	scaleGeneric(alpha, x[n:])
}

// expVector: the NEON set has no exp kernel (see kernelSet.vectorExp).
func expVector(dst, src []float32) int { return 0 }

//go:noescape
func prefetchARM64(p []float32)
