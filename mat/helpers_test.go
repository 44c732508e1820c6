package mat

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// guard is the value written around every view; a kernel that writes out of
// bounds changes it.
const guard = float32(-7777.5)

// guarded is a matrix view inside a larger buffer filled with guard values:
// rows have pad extra elements on the right (Stride = Cols + pad) and the
// buffer has lead guard elements before the view and tail after it.
type guarded struct {
	m          Matrix
	buf        []float32
	lead, tail int
}

func newGuarded(rows, cols, pad int, rng *rand.Rand) *guarded {
	const lead, tail = 5, 7
	stride := cols + pad
	if stride == 0 {
		stride = 1
	}
	n := 0
	if rows > 0 {
		n = (rows-1)*stride + cols
	}
	buf := make([]float32, lead+n+tail)
	for i := range buf {
		buf[i] = guard
	}
	g := &guarded{m: Matrix{Rows: rows, Cols: cols, Stride: stride, Data: buf[lead : lead+n]}, buf: buf, lead: lead, tail: tail}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			g.m.Data[i*stride+j] = rng.Float32()*2 - 1
		}
	}
	return g
}

// checkGuards fails the test if anything outside the view changed.
func (g *guarded) checkGuards(t testing.TB, what string) {
	t.Helper()
	stride := g.m.Stride
	for idx, v := range g.buf {
		off := idx - g.lead
		inside := off >= 0 && off < len(g.m.Data) && off%stride < g.m.Cols
		if !inside && v != guard && !(math.IsNaN(float64(v)) && math.IsNaN(float64(guard))) {
			t.Fatalf("%s: guard element at buffer offset %d (view offset %d) changed to %v", what, idx, off, v)
		}
	}
}

// opAt returns op(X)[i, j].
func opAt(x *Matrix, trans bool, i, j int) float32 {
	if trans {
		return x.Data[j*x.Stride+i]
	}
	return x.Data[i*x.Stride+j]
}

// refGemm computes alpha·op(A)·op(B) + beta·C in float64, and for each
// element the magnitude sum |alpha|·Σ|a||b| + |beta·c| that bounds its
// rounding error.
func refGemm(transA, transB bool, alpha float32, a, b *Matrix, beta float32, c *Matrix) (want, mag []float64) {
	m, n := c.Rows, c.Cols
	k := a.Cols
	if transA {
		k = a.Rows
	}
	want = make([]float64, m*n)
	mag = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			for p := 0; p < k; p++ {
				x := float64(opAt(a, transA, i, p)) * float64(opAt(b, transB, p, j))
				s += x
				sa += math.Abs(x)
			}
			v := float64(alpha) * s
			mg := math.Abs(float64(alpha)) * sa
			if beta != 0 {
				cv := float64(c.Data[i*c.Stride+j])
				v += float64(beta) * cv
				mg += math.Abs(float64(beta) * cv)
			}
			want[i*n+j], mag[i*n+j] = v, mg
		}
	}
	return want, mag
}

// checkClose compares C with the reference within a K-scaled tolerance.
func checkClose(t testing.TB, what string, c *Matrix, want, mag []float64, k int) {
	t.Helper()
	tol := float64(k+4) * 1.2e-7
	for i := 0; i < c.Rows; i++ {
		for j := 0; j < c.Cols; j++ {
			got := float64(c.Data[i*c.Stride+j])
			w := want[i*c.Cols+j]
			if math.IsNaN(w) != math.IsNaN(got) || math.Abs(got-w) > tol*mag[i*c.Cols+j]+1e-30 {
				t.Fatalf("%s: C[%d,%d] = %v, want %v (tolerance %.3g)", what, i, j, got, w, tol*mag[i*c.Cols+j])
			}
		}
	}
}

// restoreGlobals makes the kernel implementation and thread count in use
// now come back when t ends, however it ends (SetImpl and SetThreads are
// global).
func restoreGlobals(t testing.TB) {
	impl := Impl()
	t.Cleanup(func() {
		SetImpl(impl)
		SetThreads(0)
	})
}

// forEachImpl runs f once with every kernel implementation active.
func forEachImpl(t *testing.T, f func(t *testing.T, impl string)) {
	for _, name := range Impls() {
		t.Run("impl="+name, func(t *testing.T) {
			prev, err := SetImpl(name)
			if err != nil {
				t.Fatal(err)
			}
			defer SetImpl(prev)
			f(t, name)
		})
	}
}

// emulated reports whether the tests probably run under an emulator or on a
// slow machine where the long sweeps should shrink.
func emulated() bool { return runtime.GOARCH != "amd64" }

// sameBits reports whether two float32 slices are bit-identical.
func sameBits(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return -1, len(a) == len(b)
}
