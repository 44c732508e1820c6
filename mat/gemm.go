package mat

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X, or its
// transpose when the matching trans flag is set. op(A) is M×K, op(B) is K×N
// and C is M×N. Views (Stride > Cols, row ranges) are valid operands. C must
// not overlap A or B.
//
// The edge cases follow BLAS: when beta == 0, C is not read (NaN or Inf in C
// does not leak into the result); when K == 0 or alpha == 0, C is only
// scaled by beta; an empty C is a no-op.
//
// Gemm panics, naming the shapes, if the dimensions do not match: that is a
// programmer error, not a data error.
func Gemm(transA, transB bool, alpha float32, a, b *Matrix, beta float32, c *Matrix) {
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
		panic(fmt.Sprintf("mat: Gemm: shape mismatch: op(A) is %dx%d (A %s, transA=%v), op(B) is %dx%d (B %s, transB=%v), C is %s",
			m, k, a.Shape(), transA, kb, n, b.Shape(), transB, c.Shape()))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleMatrix(beta, c)
		return
	}
	gemm(transA, transB, m, n, k, alpha, a, b, beta, c)
}

// scaleMatrix sets C = beta·C, without reading C when beta == 0.
func scaleMatrix(beta float32, c *Matrix) {
	switch beta {
	case 1:
	case 0:
		c.Zero()
	default:
		ks := active.Load()
		for i := 0; i < c.Rows; i++ {
			ks.scale(beta, c.Row(i))
		}
	}
}

// gemm is the driver, called with validated, non-empty operands.
// (Placeholder: a straightforward loop until the blocked driver lands.)
func gemm(transA, transB bool, m, n, k int, alpha float32, a, b *Matrix, beta float32, c *Matrix) {
	at := func(i, p int) float32 {
		if transA {
			return a.Data[p*a.Stride+i]
		}
		return a.Data[i*a.Stride+p]
	}
	bt := func(p, j int) float32 {
		if transB {
			return b.Data[j*b.Stride+p]
		}
		return b.Data[p*b.Stride+j]
	}
	for i := 0; i < m; i++ {
		crow := c.Row(i)
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += at(i, p) * bt(p, j)
			}
			if beta == 0 {
				crow[j] = alpha * s
			} else {
				crow[j] = alpha*s + beta*crow[j]
			}
		}
	}
}
