package mat

import (
	"math"
	"strings"
	"testing"
)

// mustPanic runs f and fails unless it panics with a message containing want.
func mustPanic(t *testing.T, what, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", what)
			return
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Errorf("%s: panic %v, want one containing %q", what, r, want)
		}
	}()
	f()
}

// TestValidOverflow: a stride so large that (Rows-1)*Stride+Cols wraps
// around must not pass as a valid matrix, or a kernel would write outside
// Data (every implementation trusts a valid operand).
func TestValidOverflow(t *testing.T) {
	bad := []Matrix{
		{Rows: 2, Cols: 1, Stride: math.MaxInt, Data: make([]float32, 1)},
		{Rows: 3, Cols: 1, Stride: math.MaxInt / 2, Data: make([]float32, 4)},
		{Rows: 5, Cols: 4, Stride: math.MaxInt/4 + 1, Data: make([]float32, 8)},
		{Rows: math.MaxInt, Cols: 1, Stride: 2, Data: make([]float32, 8)},
		{Rows: 1, Cols: 9, Stride: 9, Data: make([]float32, 8)},
		{Rows: 1, Cols: 2, Stride: 1, Data: make([]float32, 8)},
		{Rows: -1, Cols: 2, Stride: 2},
	}
	for _, c := range bad {
		if c.fits() {
			t.Errorf("%dx%d stride %d over %d elements passes as valid", c.Rows, c.Cols, c.Stride, len(c.Data))
		}
	}
	good := []Matrix{
		{Rows: 2, Cols: 1, Stride: 7, Data: make([]float32, 8)},
		{Rows: 1, Cols: 8, Stride: math.MaxInt, Data: make([]float32, 8)},
		{Rows: 0, Cols: 3, Stride: math.MaxInt},
		{Rows: 3, Cols: 0, Stride: 0},
	}
	for _, c := range good {
		if !c.fits() {
			t.Errorf("%dx%d stride %d over %d elements is refused", c.Rows, c.Cols, c.Stride, len(c.Data))
		}
	}

	forEachImpl(t, func(t *testing.T, impl string) {
		a, b := New(2, 1), New(1, 1)
		c := &Matrix{Rows: 2, Cols: 1, Stride: math.MaxInt, Data: make([]float32, 1)}
		mustPanic(t, "Gemm", "C is not a valid matrix", func() { Gemm(NoTrans, NoTrans, 1, a, b, 0, c) })
		mustPanic(t, "GatherRows", "not a valid matrix", func() { GatherRows(c, a, []int{0, 1}) })
		// The element functions refuse such a matrix too, before touching
		// a row (4·Stride overflows: row 4's offset would wrap around).
		w := &Matrix{Rows: 5, Cols: 1, Stride: math.MaxInt/4 + 1, Data: make([]float32, 8)}
		ok := New(5, 1)
		mustPanic(t, "ReLU", "not a valid matrix", func() { ReLU(w, ok) })
		mustPanic(t, "ReLUGrad", "not a valid matrix", func() { ReLUGrad(ok, ok, w) })
		mustPanic(t, "AddRowVector", "not a valid matrix", func() { AddRowVector(w, []float32{1}) })
		mustPanic(t, "ColSums", "not a valid matrix", func() { ColSums(make([]float32, 1), w) })
		mustPanic(t, "ArgmaxRows", "not a valid matrix", func() { ArgmaxRows(make([]int, 5), w) })
		mustPanic(t, "Copy", "not a valid matrix", func() { Copy(ok, w) })
	})
}

func TestNewFromSliceOverflow(t *testing.T) {
	mustPanic(t, "New", "too many elements", func() { New(math.MaxInt/2, 3) })
	mustPanic(t, "FromSlice", "want", func() { FromSlice(math.MaxInt/2+1, 2, nil) })
	m := New(4, 4)
	mustPanic(t, "View", "out of range", func() { m.View(1, 0, math.MaxInt, 1) })
}

func TestArgmax(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		row  []float32
		want int
	}{
		{nil, 0}, {[]float32{nan, nan}, 0}, {[]float32{nan, -1, -2}, 1}, {[]float32{1, 3, 3}, 1},
		{[]float32{float32(math.Inf(-1)), nan}, 0}, {[]float32{-0.0, 0}, 0},
	} {
		if got := Argmax(c.row); got != c.want {
			t.Errorf("Argmax(%v) = %d, want %d", c.row, got, c.want)
		}
	}
}
