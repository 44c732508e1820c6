package mat

import (
	"fmt"
	"math"
)

// Matrix is a row-major float32 matrix. Element (i, j) is
// Data[i*Stride+j]. Stride may be larger than Cols, so a Matrix can be a
// view into a wider one; Data then needs only (Rows-1)*Stride+Cols elements.
type Matrix struct {
	Rows, Cols, Stride int
	Data               []float32
}

// New returns a zeroed rows×cols matrix with Stride == cols.
// It panics if a dimension is negative or rows*cols overflows an int.
func New(rows, cols int) *Matrix {
	if _, ok := product(rows, cols); !ok {
		panic(fmt.Sprintf("mat: New(%d, %d): negative dimension or too many elements", rows, cols))
	}
	return &Matrix{Rows: rows, Cols: cols, Stride: cols, Data: make([]float32, rows*cols)}
}

// FromSlice wraps data (not copied) as a rows×cols matrix with Stride == cols.
// It panics unless len(data) == rows*cols.
func FromSlice(rows, cols int, data []float32) *Matrix {
	if n, ok := product(rows, cols); !ok || len(data) != n {
		panic(fmt.Sprintf("mat: FromSlice(%d, %d): have %d elements, want %d×%d", rows, cols, len(data), rows, cols))
	}
	return &Matrix{Rows: rows, Cols: cols, Stride: cols, Data: data}
}

// Shape formats the dimensions as "RxC" for messages.
func (m *Matrix) Shape() string { return fmt.Sprintf("%dx%d", m.Rows, m.Cols) }

// At returns element (i, j).
func (m *Matrix) At(i, j int) float32 {
	m.checkIndex(i, j)
	return m.Data[i*m.Stride+j]
}

// Set sets element (i, j) to v.
func (m *Matrix) Set(i, j int, v float32) {
	m.checkIndex(i, j)
	m.Data[i*m.Stride+j] = v
}

func (m *Matrix) checkIndex(i, j int) {
	if uint(i) >= uint(m.Rows) || uint(j) >= uint(m.Cols) {
		panic(fmt.Sprintf("mat: index (%d, %d) out of range for %s matrix", i, j, m.Shape()))
	}
}

// Row returns row i as a slice of length Cols that shares m's data.
func (m *Matrix) Row(i int) []float32 {
	if uint(i) >= uint(m.Rows) {
		panic(fmt.Sprintf("mat: row %d out of range for %s matrix", i, m.Shape()))
	}
	off := i * m.Stride
	return m.Data[off : off+m.Cols : off+m.Cols]
}

// RowView returns rows [r0, r1) as a matrix that shares m's data. The result
// is a value so that taking a view does not allocate.
func (m *Matrix) RowView(r0, r1 int) Matrix {
	if r0 < 0 || r1 < r0 || r1 > m.Rows {
		panic(fmt.Sprintf("mat: RowView(%d, %d) out of range for %s matrix", r0, r1, m.Shape()))
	}
	if r0 == r1 {
		return Matrix{Rows: 0, Cols: m.Cols, Stride: m.Stride}
	}
	return Matrix{Rows: r1 - r0, Cols: m.Cols, Stride: m.Stride, Data: m.Data[r0*m.Stride : (r1-1)*m.Stride+m.Cols]}
}

// View returns the r×c block whose top-left element is (i, j), sharing m's
// data, with m's Stride.
func (m *Matrix) View(i, j, r, c int) Matrix {
	if i < 0 || j < 0 || r < 0 || c < 0 || r > m.Rows-i || c > m.Cols-j {
		panic(fmt.Sprintf("mat: View(%d, %d, %d, %d) out of range for %s matrix", i, j, r, c, m.Shape()))
	}
	if r == 0 || c == 0 {
		return Matrix{Rows: r, Cols: c, Stride: m.Stride}
	}
	off := i*m.Stride + j
	return Matrix{Rows: r, Cols: c, Stride: m.Stride, Data: m.Data[off : off+(r-1)*m.Stride+c]}
}

// Zero sets every element to 0.
func (m *Matrix) Zero() {
	for i := 0; i < m.Rows; i++ {
		clear(m.Row(i))
	}
}

// Copy copies src into dst. The shapes must match.
func Copy(dst, src *Matrix) {
	sameShape("Copy", dst, src)
	dst.valid("Copy", "dst")
	src.valid("Copy", "src")
	for i := 0; i < dst.Rows; i++ {
		copy(dst.Row(i), src.Row(i))
	}
}

// Clone returns a compact copy of m.
func (m *Matrix) Clone() *Matrix {
	c := New(m.Rows, m.Cols)
	Copy(c, m)
	return c
}

// valid panics if m's fields cannot describe a matrix over its Data.
func (m *Matrix) valid(op, name string) {
	if !m.fits() {
		panic(fmt.Sprintf("mat: %s: %s is not a valid matrix: %dx%d, stride %d, %d elements", op, name, m.Rows, m.Cols, m.Stride, len(m.Data)))
	}
}

// IsValid reports whether m's fields describe a matrix over its Data:
// Rows, Cols and Stride non-negative, Stride >= Cols, and every element in
// Data. Every function of this package panics on an invalid operand; a
// program checks a matrix that comes from outside with IsValid first.
func (m *Matrix) IsValid() bool { return m.fits() }

// fits reports whether Rows, Cols and Stride are non-negative, Stride >=
// Cols, and every element (i, j) lies in Data. The test is written so that
// no product or sum can overflow: (Rows-1)*Stride+Cols <= len(Data) is
// checked as Stride <= (len(Data)-Cols)/(Rows-1), so a huge Stride cannot
// wrap around and pass (the kernels trust a valid matrix blindly).
func (m *Matrix) fits() bool {
	if m.Rows < 0 || m.Cols < 0 || m.Stride < m.Cols {
		return false
	}
	if m.Rows == 0 || m.Cols == 0 {
		return true
	}
	if m.Cols > len(m.Data) {
		return false
	}
	return m.Rows == 1 || m.Stride <= (len(m.Data)-m.Cols)/(m.Rows-1)
}

// product returns a*b, or false if either is negative or the product
// overflows an int.
func product(a, b int) (int, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	if a != 0 && b > math.MaxInt/a {
		return 0, false
	}
	return a * b, true
}

func sameShape(op string, a, b *Matrix) {
	if a.Rows != b.Rows || a.Cols != b.Cols {
		panic(fmt.Sprintf("mat: %s: shape mismatch: %s and %s", op, a.Shape(), b.Shape()))
	}
}
