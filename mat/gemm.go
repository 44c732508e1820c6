package mat

import "fmt"

// Transpose says whether Gemm uses an operand as stored (NoTrans) or its
// transpose (Trans).
type Transpose uint8

const (
	NoTrans Transpose = iota // use the operand as stored
	Trans                    // use the operand's transpose
)

// String returns "NoTrans" or "Trans".
func (t Transpose) String() string {
	if t == Trans {
		return "Trans"
	}
	return "NoTrans"
}

// TransposeIf returns Trans when t is true and NoTrans otherwise, for code
// that decides the transposition at run time.
func TransposeIf(t bool) Transpose {
	if t {
		return Trans
	}
	return NoTrans
}

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X for NoTrans
// and its transpose for Trans, as in mat.Gemm(mat.Trans, mat.NoTrans, 1, x, dy, 0, dw). op(A) is M×K, op(B) is K×N
// and C is M×N. Views (Stride > Cols, row ranges) are valid operands. C must
// not overlap A or B.
//
// The edge cases follow BLAS: when beta == 0, C is not read (NaN or Inf in C
// does not leak into the result); when K == 0 or alpha == 0, C is only
// scaled by beta; an empty C is a no-op. Otherwise NaN and Inf in A or B
// propagate as IEEE arithmetic says (an Inf times a zero is NaN). The order
// of the additions depends on the implementation, the shape and the thread
// count, so results may differ in the last bits between them.
//
// Large products are split across the worker pool (see SetThreads); small
// ones run on the calling goroutine. Gemm does not allocate once its packing
// buffers have grown to the sizes in use.
//
// Gemm panics, naming the shapes, if the dimensions do not match: that is a
// programmer error, not a data error.
func Gemm(tA, tB Transpose, alpha float32, a, b *Matrix, beta float32, c *Matrix) {
	gemm(tA, tB, alpha, a, b, beta, c, epilogue{})
}

// gemm is Gemm followed by the epilogue ep on C.
func gemm(tA, tB Transpose, alpha float32, a, b *Matrix, beta float32, c *Matrix, ep epilogue) {
	transA, transB := tA == Trans, tB == Trans
	a.valid("Gemm", "A")
	b.valid("Gemm", "B")
	c.valid("Gemm", "C")
	m, k := a.Rows, a.Cols
	if transA {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if transB {
		kb, n = n, kb
	}
	if k != kb || c.Rows != m || c.Cols != n {
		panic(fmt.Sprintf("mat: Gemm: shape mismatch: op(A) is %dx%d (A %s, %v), op(B) is %dx%d (B %s, %v), C is %s",
			m, k, a.Shape(), tA, kb, n, b.Shape(), tB, c.Shape()))
	}
	if m == 0 || n == 0 {
		return
	}
	ks := active.Load()
	if k == 0 || alpha == 0 {
		scaleMatrix(ks, beta, c)
		ep.apply(ks, nil, c, 0, m, 0, n)
		return
	}
	g := gemmCall{
		ks: ks, transA: transA, transB: transB,
		m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: *a, b: *b, c: *c, ep: ep,
	}
	g.fast = g.chooseFast()
	g.parallel()
}

// scaleMatrix sets C = beta·C, without reading C when beta == 0.
func scaleMatrix(ks *kernelSet, beta float32, c *Matrix) {
	switch beta {
	case 1:
	case 0:
		c.Zero()
	default:
		for i := 0; i < c.Rows; i++ {
			ks.scale(beta, c.Row(i))
		}
	}
}
