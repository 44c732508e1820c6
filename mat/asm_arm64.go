//go:build gc && !purego

package mat

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// archKernelSets returns the NEON kernels when the CPU has Advanced SIMD.
// Every arm64 CPU that runs Go has it; the check keeps
// GODEBUG=cpu.asimd=off working as a way to force the generic kernels.
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
var neonKernels = kernelSet{
	name:     "neon",
	gemm:     microKernel{mr: 8, nr: 12, fn: gemmNEON8x12},
	relu:     reluNEON,
	reluGrad: reluGradNEON,
	add:      addNEON,
	axpy:     axpyNEON,
	scale:    scaleNEON,
	packA:    panelPacker{copy: packCopy8NEON, trans: packTrans8NEON},
	packB:    panelPacker{copy: packCopy12NEON, trans: packTrans12NEON},
	gemmRow:  gemmRowNEON8x12,
	peak:     &peakLoop{run: peakNEON, flops: 16 * 4 * 2},
}

// peakNEON runs n iterations of the register-only FMA loop PeakGFLOPS times.
//
//go:noescape
func peakNEON(n int)

// gemmNEON8x12 is the microKernel contract on top of the row kernel.
func gemmNEON8x12(k int, a, b, c *float32, ldc int, beta float32) {
	gemmRowNEON8x12(k, 1, a, b, c, ldc, beta)
}

// gemmRowNEON8x12 is the rowKernel for 8×12 tiles.
//
//go:noescape
func gemmRowNEON8x12(k, n int, a, b, c *float32, ldc int, beta float32)

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
func reluNEONAsm(dst, src *float32, n int)

//go:noescape
func reluGradNEONAsm(dst, grad, x *float32, n int)

//go:noescape
func addNEONAsm(dst, x *float32, n int)

//go:noescape
func axpyNEONAsm(alpha float32, x, y *float32, n int)

//go:noescape
func scaleNEONAsm(alpha float32, x *float32, n int)

// The reslices below bound every other operand by len(dst), so the assembly
// never reads past a slice even if a caller passes a short one (the reslice
// panics first).

func reluNEON(dst, src []float32) {
	src = src[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		reluNEONAsm(unsafe.SliceData(dst), unsafe.SliceData(src), n)
	}
	reluGeneric(dst[n:], src[n:])
}

func reluGradNEON(dst, grad, x []float32) {
	grad, x = grad[:len(dst)], x[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		reluGradNEONAsm(unsafe.SliceData(dst), unsafe.SliceData(grad), unsafe.SliceData(x), n)
	}
	reluGradGeneric(dst[n:], grad[n:], x[n:])
}

func addNEON(dst, x []float32) {
	x = x[:len(dst)]
	n := len(dst) &^ 3
	if n > 0 {
		addNEONAsm(unsafe.SliceData(dst), unsafe.SliceData(x), n)
	}
	addGeneric(dst[n:], x[n:])
}

func axpyNEON(alpha float32, x, y []float32) {
	x = x[:len(y)]
	n := len(y) &^ 3
	if n > 0 {
		axpyNEONAsm(alpha, unsafe.SliceData(x), unsafe.SliceData(y), n)
	}
	axpyGeneric(alpha, x[n:], y[n:])
}

func scaleNEON(alpha float32, x []float32) {
	n := len(x) &^ 3
	if n > 0 {
		scaleNEONAsm(alpha, unsafe.SliceData(x), n)
	}
	scaleGeneric(alpha, x[n:])
}
