package mat

import "fmt"

// The element functions below work row by row, so views are fine. They
// give bit-identical results on every implementation (assembly or generic)
// and thread count: none of them fuses a multiply and an add, and a split
// between threads (see parallel.go) computes each element the same way.

// ReLU sets dst = max(src, 0) element-wise; dst may be src. A NaN stays NaN
// and -0 stays -0 (the result is src wherever src < 0 is false).
func ReLU(dst, src *Matrix) {
	sameShape("ReLU", dst, src)
	dst.valid("ReLU", "dst")
	src.valid("ReLU", "src")
	ks := active.Load()
	if np := splitParts(dst.Rows*dst.Cols, dst.Rows); np > 1 {
		runElem(elemCall{ks: ks, op: opReLU, dst: *dst, src: *src}, dst.Rows, 1, np)
		return
	}
	reluRows(ks, dst, src, 0, dst.Rows)
}

// ReLUGrad sets dst = grad where x > 0 and 0 elsewhere (including where x is
// NaN or ±0): the gradient of ReLU with respect to its input x. dst may be grad.
func ReLUGrad(dst, grad, x *Matrix) {
	sameShape("ReLUGrad", dst, grad)
	sameShape("ReLUGrad", dst, x)
	dst.valid("ReLUGrad", "dst")
	grad.valid("ReLUGrad", "grad")
	x.valid("ReLUGrad", "x")
	ks := active.Load()
	if np := splitParts(dst.Rows*dst.Cols, dst.Rows); np > 1 {
		runElem(elemCall{ks: ks, op: opReLUGrad, dst: *dst, src: *grad, aux: *x}, dst.Rows, 1, np)
		return
	}
	reluGradRows(ks, dst, grad, x, 0, dst.Rows)
}

// AddRowVector adds v to every row of m (a bias add). len(v) must be m.Cols.
func AddRowVector(m *Matrix, v []float32) {
	if len(v) != m.Cols {
		panic(fmt.Sprintf("mat: AddRowVector: vector of length %d for %s matrix", len(v), m.Shape()))
	}
	m.valid("AddRowVector", "m")
	ks := active.Load()
	if np := splitParts(m.Rows*m.Cols, m.Rows); np > 1 {
		runElem(elemCall{ks: ks, op: opAddRow, dst: *m, x: v}, m.Rows, 1, np)
		return
	}
	addRows(ks, m, v, 0, m.Rows)
}

// ColSums sets dst[j] to the sum of column j of m (a bias gradient), adding
// rows in order. len(dst) must be m.Cols.
func ColSums(dst []float32, m *Matrix) {
	if len(dst) != m.Cols {
		panic(fmt.Sprintf("mat: ColSums: vector of length %d for %s matrix", len(dst), m.Shape()))
	}
	m.valid("ColSums", "m")
	ks := active.Load()
	if np := splitParts(m.Rows*m.Cols, (m.Cols+vecUnit-1)/vecUnit); np > 1 {
		runElem(elemCall{ks: ks, op: opColSums, x: dst, src: *m}, m.Cols, vecUnit, np)
		return
	}
	colSums(ks, dst, m, 0, m.Cols)
}

// Axpy sets y += alpha·x. The lengths must match.
func Axpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("mat: Axpy: lengths %d and %d", len(x), len(y)))
	}
	ks := active.Load()
	if np := splitParts(len(y), len(y)/vecUnit); np > 1 {
		runElem(elemCall{ks: ks, op: opAxpy, alpha: alpha, x: x, y: y}, len(y), vecUnit, np)
		return
	}
	ks.axpy(alpha, x, y)
}

// Scale sets x *= alpha.
func Scale(alpha float32, x []float32) {
	ks := active.Load()
	if np := splitParts(len(x), len(x)/vecUnit); np > 1 {
		runElem(elemCall{ks: ks, op: opScale, alpha: alpha, x: x}, len(x), vecUnit, np)
		return
	}
	ks.scale(alpha, x)
}

// Add sets dst += x. The lengths must match.
func Add(dst, x []float32) {
	if len(x) != len(dst) {
		panic(fmt.Sprintf("mat: Add: lengths %d and %d", len(dst), len(x)))
	}
	ks := active.Load()
	if np := splitParts(len(dst), len(dst)/vecUnit); np > 1 {
		runElem(elemCall{ks: ks, op: opAdd, x: x, y: dst}, len(dst), vecUnit, np)
		return
	}
	ks.add(dst, x)
}

// GatherRows copies row idx[i] of src into row i of dst, for every i: the
// gathering of a shuffled mini-batch. dst must have len(idx) rows and as
// many columns as src, and every index must be a row of src; dst must not
// overlap src. Large batches are shared with a worker of the Gemm pool
// when one is polling for work.
func GatherRows(dst, src *Matrix, idx []int) {
	dst.valid("GatherRows", "dst")
	src.valid("GatherRows", "src")
	if dst.Rows != len(idx) || dst.Cols != src.Cols {
		panic(fmt.Sprintf("mat: GatherRows: %d indices into a %s matrix from a %s matrix", len(idx), dst.Shape(), src.Shape()))
	}
	for i, r := range idx {
		if r < 0 || r >= src.Rows {
			panic(fmt.Sprintf("mat: GatherRows: index %d is %d, outside the %d rows of the source", i, r, src.Rows))
		}
	}
	ks := active.Load()
	if np := splitParts(dst.Rows*dst.Cols, dst.Rows); np > 1 {
		runElem(elemCall{ks: ks, op: opGather, dst: *dst, src: *src, idx: idx}, dst.Rows, 1, np)
		return
	}
	gatherRows(ks, dst, src, idx, 0, dst.Rows)
}

// Argmax returns the index of the largest element of row (the first one
// on ties; NaN is never chosen unless every element is NaN, and then, as
// for an empty row, 0).
func Argmax(row []float32) int {
	best, arg := float32(0), -1
	for j, v := range row {
		if v == v && (arg < 0 || v > best) {
			best, arg = v, j
		}
	}
	return max(arg, 0)
}

// ArgmaxRows sets dst[i] to Argmax of row i of m. len(dst) must be m.Rows.
func ArgmaxRows(dst []int, m *Matrix) {
	if len(dst) != m.Rows {
		panic(fmt.Sprintf("mat: ArgmaxRows: %d outputs for %s matrix", len(dst), m.Shape()))
	}
	m.valid("ArgmaxRows", "m")
	for i := range dst {
		dst[i] = Argmax(m.Row(i))
	}
}
