package mat

import "fmt"

// The element functions below work row by row, so views are fine. They
// give bit-identical results on every implementation (assembly or generic):
// none of them fuses a multiply and an add.

// ReLU sets dst = max(src, 0) element-wise; dst may be src. A NaN stays NaN
// and -0 stays -0 (the result is src wherever src < 0 is false).
func ReLU(dst, src *Matrix) {
	sameShape("ReLU", dst, src)
	ks := active.Load()
	for i := 0; i < dst.Rows; i++ {
		ks.relu(dst.Row(i), src.Row(i))
	}
}

// ReLUGrad sets dst = grad where x > 0 and 0 elsewhere (including where x is
// NaN or ±0): the gradient of ReLU with respect to its input x. dst may be grad.
func ReLUGrad(dst, grad, x *Matrix) {
	sameShape("ReLUGrad", dst, grad)
	sameShape("ReLUGrad", dst, x)
	ks := active.Load()
	for i := 0; i < dst.Rows; i++ {
		ks.reluGrad(dst.Row(i), grad.Row(i), x.Row(i))
	}
}

// AddRowVector adds v to every row of m (a bias add). len(v) must be m.Cols.
func AddRowVector(m *Matrix, v []float32) {
	if len(v) != m.Cols {
		panic(fmt.Sprintf("mat: AddRowVector: vector of length %d for %s matrix", len(v), m.Shape()))
	}
	ks := active.Load()
	for i := 0; i < m.Rows; i++ {
		ks.add(m.Row(i), v)
	}
}

// ColSums sets dst[j] to the sum of column j of m (a bias gradient), adding
// rows in order. len(dst) must be m.Cols.
func ColSums(dst []float32, m *Matrix) {
	if len(dst) != m.Cols {
		panic(fmt.Sprintf("mat: ColSums: vector of length %d for %s matrix", len(dst), m.Shape()))
	}
	clear(dst)
	ks := active.Load()
	for i := 0; i < m.Rows; i++ {
		ks.add(dst, m.Row(i))
	}
}

// Axpy sets y += alpha·x. The lengths must match.
func Axpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("mat: Axpy: lengths %d and %d", len(x), len(y)))
	}
	active.Load().axpy(alpha, x, y)
}

// Scale sets x *= alpha.
func Scale(alpha float32, x []float32) { active.Load().scale(alpha, x) }

// Add sets dst += x. The lengths must match.
func Add(dst, x []float32) {
	if len(x) != len(dst) {
		panic(fmt.Sprintf("mat: Add: lengths %d and %d", len(dst), len(x)))
	}
	active.Load().add(dst, x)
}

// ArgmaxRows sets dst[i] to the column of the largest element of row i (the
// first one on ties; NaN is never chosen unless the row is all NaN, in which
// case 0). len(dst) must be m.Rows.
func ArgmaxRows(dst []int, m *Matrix) {
	if len(dst) != m.Rows {
		panic(fmt.Sprintf("mat: ArgmaxRows: %d outputs for %s matrix", len(dst), m.Shape()))
	}
	for i := range dst {
		best, arg := float32(0), -1
		for j, v := range m.Row(i) {
			if v == v && (arg < 0 || v > best) {
				best, arg = v, j
			}
		}
		dst[i] = max(arg, 0)
	}
}
