package mat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// specials are the values the element kernels must treat like their Go
// twins: NaNs with payloads and signs (quiet and signalling), ±0, ±Inf,
// denormals, extremes.
var specials = []float32{
	math.Float32frombits(0x7fc00000), math.Float32frombits(0x7fc00123), math.Float32frombits(0xffc00456),
	math.Float32frombits(0x7f800001), math.Float32frombits(0xff812345),
	0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
	math.Float32frombits(1), math.Float32frombits(0x807fffff), math.SmallestNonzeroFloat32,
	math.MaxFloat32, -math.MaxFloat32, 1, -1, 0.5, -3.25,
}

// elemValue draws a value: often a special one, else a random float of
// random magnitude and sign (denormals included).
func elemValue(rng *rand.Rand) float32 {
	if rng.IntN(4) == 0 {
		return specials[rng.IntN(len(specials))]
	}
	v := float32(math.Ldexp(rng.Float64()+0.5, rng.IntN(300)-150))
	if rng.IntN(2) == 0 {
		v = -v
	}
	return v
}

// elemBuf returns a slice of n values at offset off inside a buffer whose
// other elements are guard values, and the buffer.
func elemBuf(rng *rand.Rand, n, off int) (s, buf []float32) {
	buf = make([]float32, off+n+9)
	for i := range buf {
		buf[i] = guard
	}
	s = buf[off : off+n : off+n]
	for i := range s {
		s[i] = elemValue(rng)
	}
	return s, buf
}

func checkElemGuards(t *testing.T, what string, buf []float32, off, n int) {
	t.Helper()
	for i, v := range buf {
		if (i < off || i >= off+n) && v != guard {
			t.Fatalf("%s: guard at %d of %d (slice at %d, length %d) changed to %v", what, i, len(buf), off, n, v)
		}
	}
}

// TestElemKernelsBitExact compares every implementation's element kernels
// with the generic ones on every length from 0 to 70 and every start offset
// mod 4 (unaligned), with guards around the output, by the package's NaN
// rule: where the generic result is a NaN the kernel's must be a NaN (any
// payload); every other element must match bit for bit.
func TestElemKernelsBitExact(t *testing.T) {
	type kernel struct {
		name string
		run  func(ks *kernelSet, dst, x, y []float32, alpha float32)
	}
	kernels := []kernel{
		{"relu", func(ks *kernelSet, dst, x, y []float32, alpha float32) { ks.relu(dst, x) }},
		{"relu-inplace", func(ks *kernelSet, dst, x, y []float32, alpha float32) { copy(dst, x); ks.relu(dst, dst) }},
		{"reluGrad", func(ks *kernelSet, dst, x, y []float32, alpha float32) { ks.reluGrad(dst, x, y) }},
		{"reluGrad-inplace", func(ks *kernelSet, dst, x, y []float32, alpha float32) { copy(dst, x); ks.reluGrad(dst, dst, y) }},
		{"add", func(ks *kernelSet, dst, x, y []float32, alpha float32) { copy(dst, y); ks.add(dst, x) }},
		{"axpy", func(ks *kernelSet, dst, x, y []float32, alpha float32) { copy(dst, y); ks.axpy(alpha, x, dst) }},
		{"scale", func(ks *kernelSet, dst, x, y []float32, alpha float32) { copy(dst, x); ks.scale(alpha, dst) }},
	}
	rng := rand.New(rand.NewPCG(21, 22))
	maxN := 70
	for _, ks := range kernelSets {
		for _, kn := range kernels {
			for n := 0; n <= maxN; n++ {
				for off := range 4 {
					x, _ := elemBuf(rng, n, (off+1)%4)
					y, _ := elemBuf(rng, n, (off+2)%4)
					alphas := []float32{elemValue(rng), -0.5, specials[rng.IntN(len(specials))]}
					for _, alpha := range alphas {
						want, _ := elemBuf(rng, n, off)
						got, gbuf := elemBuf(rng, n, off)
						kn.run(&genericKernels, want, x, y, alpha)
						kn.run(ks, got, x, y, alpha)
						what := fmt.Sprintf("%s %s n=%d off=%d alpha=%v", ks.name, kn.name, n, off, alpha)
						for i := range got {
							same := math.Float32bits(got[i]) == math.Float32bits(want[i]) ||
								got[i] != got[i] && want[i] != want[i]
							if !same {
								t.Fatalf("%s: [%d] = %v (%#08x), generic gives %v (%#08x); inputs x=%v (%#08x) y=%v",
									what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]), x[i], math.Float32bits(x[i]), y[i])
							}
						}
						checkElemGuards(t, what, gbuf, off, n)
					}
				}
			}
		}
	}
}

// TestElemSemantics checks the documented results on small exact cases,
// through the Matrix-level functions, on views with a stride, for every
// implementation.
func TestElemSemantics(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	nan := float32(math.NaN())
	forEachImpl(t, func(t *testing.T, impl string) {
		// A 3×11 view with stride 13 in a guarded buffer.
		rng := rand.New(rand.NewPCG(23, 24))
		src := newGuarded(3, 11, 2, rng)
		vals := []float32{-2, -0.5, negZero, 0, 0.5, 3, nan, float32(math.Inf(-1)), float32(math.Inf(1)), -1e-40, 1e-40}
		for i := range 3 {
			copy(src.m.Row(i), vals)
		}
		dst := newGuarded(3, 11, 1, rng)
		ReLU(&dst.m, &src.m)
		for i := range 3 {
			for j, v := range dst.m.Row(i) {
				in := vals[j]
				ok := v == max(in, 0) && math.Signbit(float64(v)) == math.Signbit(float64(in)) && in >= 0 ||
					in < 0 && v == 0 && !math.Signbit(float64(v)) ||
					in != in && v != v
				if !ok {
					t.Fatalf("ReLU(%v) = %v", in, v)
				}
			}
		}
		dst.checkGuards(t, "ReLU")
		src.checkGuards(t, "ReLU src")

		grad := newGuarded(3, 11, 0, rng)
		fill(&grad.m, 7)
		ReLUGrad(&dst.m, &grad.m, &src.m)
		for i := range 3 {
			for j, v := range dst.m.Row(i) {
				want := float32(0)
				if vals[j] > 0 {
					want = 7
				}
				if v != want || math.Signbit(float64(v)) {
					t.Fatalf("ReLUGrad at x=%v: %v, want %v", vals[j], v, want)
				}
			}
		}
		dst.checkGuards(t, "ReLUGrad")

		m := newGuarded(4, 19, 3, rng)
		for i := range 4 {
			for j := range 19 {
				m.m.Set(i, j, float32(i*19+j))
			}
		}
		bias := make([]float32, 19)
		for j := range bias {
			bias[j] = float32(100 * j)
		}
		AddRowVector(&m.m, bias)
		sums := make([]float32, 19)
		ColSums(sums, &m.m)
		for j := range 19 {
			for i := range 4 {
				if m.m.At(i, j) != float32(i*19+j+100*j) {
					t.Fatalf("AddRowVector: (%d,%d) = %v", i, j, m.m.At(i, j))
				}
			}
			if want := float32(4*100*j + 4*j + 19*6); sums[j] != want {
				t.Fatalf("ColSums[%d] = %v, want %v", j, sums[j], want)
			}
		}
		m.checkGuards(t, "AddRowVector")

		x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
		y := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
		Axpy(2, x, y)
		Scale(0.5, y)
		Add(y, x)
		for i := range y {
			if want := (1+2*x[i])/2 + x[i]; y[i] != want {
				t.Fatalf("Axpy/Scale/Add: y[%d] = %v, want %v", i, y[i], want)
			}
		}
	})
}

func TestArgmaxRows(t *testing.T) {
	nan := float32(math.NaN())
	m := FromSlice(4, 3, []float32{
		1, 3, 3, // first of ties
		nan, -1, -2, // NaN skipped
		nan, nan, nan, // all NaN: 0
		-5, -4, nan,
	})
	got := make([]int, 4)
	ArgmaxRows(got, m)
	want := []int{1, 1, 0, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ArgmaxRows = %v, want %v", got, want)
		}
	}
}

func TestElemPanics(t *testing.T) {
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"ReLU", func() { ReLU(New(2, 3), New(3, 2)) }, "2x3"},
		{"ReLUGrad", func() { ReLUGrad(New(2, 3), New(2, 3), New(2, 4)) }, "2x4"},
		{"AddRowVector", func() { AddRowVector(New(2, 3), make([]float32, 2)) }, "2x3"},
		{"ColSums", func() { ColSums(make([]float32, 4), New(2, 3)) }, "2x3"},
		{"Axpy", func() { Axpy(1, make([]float32, 2), make([]float32, 3)) }, "2 and 3"},
		{"Add", func() { Add(make([]float32, 2), make([]float32, 3)) }, "2 and 3"},
		{"ArgmaxRows", func() { ArgmaxRows(make([]int, 1), New(2, 3)) }, "2x3"},
	}
	for _, tc := range cases {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("%s: panic %q does not mention %q", tc.name, msg, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// TestElemNoAllocs checks that the element functions do not allocate.
func TestElemNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	a, b, c := New(16, 100), New(16, 100), New(16, 100)
	v := make([]float32, 100)
	idx := make([]int, 16)
	forEachImpl(t, func(t *testing.T, impl string) {
		allocs := testing.AllocsPerRun(10, func() {
			ReLU(a, b)
			ReLUGrad(c, a, b)
			AddRowVector(a, v)
			ColSums(v, a)
			Axpy(0.5, a.Data, b.Data)
			Scale(2, a.Data)
			Add(a.Data, b.Data)
			ArgmaxRows(idx, a)
		})
		if allocs != 0 {
			t.Errorf("%v allocations per round of element functions", allocs)
		}
	})
}
