package layers

import (
	"math"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

func ones(r, c int) *mat.Matrix {
	m := mat.New(r, c)
	for i := range m.Data {
		m.Data[i] = 1
	}
	return m
}

func TestDropoutKeptFractionAndExpectation(t *testing.T) {
	for _, keep := range []float64{0.1, 0.5, 0.8, 0.95} {
		const rows, cols = 250, 401 // 100,250 units, not a multiple of 4
		d := NewDropout(keep, 42)
		x := ones(rows, cols)
		y := mat.New(rows, cols)
		d.Forward(y, x, true)
		kept, sum := 0, 0.0
		for _, v := range y.Data {
			if v != 0 {
				kept++
				if float64(v) != float64(d.scale) {
					t.Fatalf("keep %v: a kept unit is %v, want the scale %v", keep, v, d.scale)
				}
			}
			sum += float64(v)
		}
		n := float64(rows * cols)
		sigma := math.Sqrt(n * keep * (1 - keep))
		if math.Abs(float64(kept)-n*keep) > 5*sigma {
			t.Errorf("keep %v: kept %d of %.0f units, want %.0f ± %.0f (5σ)", keep, kept, n, n*keep, 5*sigma)
		}
		// E[y] = x: the mean of y is 1 within 5σ of its sampling error.
		mean := sum / n
		sd := float64(d.scale) * sigma / n
		if math.Abs(mean-1) > 5*sd {
			t.Errorf("keep %v: mean output %.5f, want 1 ± %.5f", keep, mean, 5*sd)
		}
		// The scale inverts the resolved keep probability exactly.
		if e := float64(d.scale) * float64(d.threshold) / 65536; math.Abs(e-1) > 1e-7 {
			t.Errorf("keep %v: scale·P(keep) = %v, want 1", keep, e)
		}
		if math.Abs(float64(d.threshold)/65536-keep) > 1.0/65536 {
			t.Errorf("keep %v: resolved to %v", keep, float64(d.threshold)/65536)
		}
	}
}

func TestDropoutMaskBitsIndependent(t *testing.T) {
	// Units that share one random word must not be correlated: count the
	// pairs (4k, 4k+1) both kept at keep 0.5; expect a quarter.
	d := NewDropout(0.5, 3)
	x := ones(1, 400000)
	y := mat.New(1, 400000)
	d.Forward(y, x, true)
	both := 0
	for i := 0; i < len(y.Data); i += 4 {
		if y.Data[i] != 0 && y.Data[i+1] != 0 {
			both++
		}
	}
	n, p := 100000.0, 0.25
	if math.Abs(float64(both)-n*p) > 5*math.Sqrt(n*p*(1-p)) {
		t.Errorf("%d pairs both kept, want about %.0f", both, n*p)
	}
}

func TestDropoutEvalIdentity(t *testing.T) {
	d := NewDropout(0.3, 1)
	x := mat.FromSlice(2, 3, []float32{1, -2, 3.5, float32(math.Inf(1)), 0, -0.25})
	y := mat.New(2, 3)
	d.Forward(y, x, false)
	for i, v := range x.Data {
		if y.Data[i] != v {
			t.Fatalf("eval output %v, want the input %v", y.Data, x.Data)
		}
	}
}

func TestDropoutKeepOneKeepsAll(t *testing.T) {
	d := NewDropout(1, 1)
	x := ones(7, 13)
	y := mat.New(7, 13)
	d.Forward(y, x, true)
	for _, v := range y.Data {
		if v != 1 {
			t.Fatalf("keep 1: output %v, want 1", v)
		}
	}
}

func TestDropoutReproducible(t *testing.T) {
	mask := func(seed uint64) []float32 {
		d := NewDropout(0.5, 0)
		d.Reseed(seed)
		y := mat.New(3, 50)
		d.Forward(y, ones(3, 50), true)
		return y.Data
	}
	a, b, c := mask(1), mask(1), mask(2)
	same := func(p, q []float32) bool {
		for i := range p {
			if p[i] != q[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("the same seed gave different masks")
	}
	if same(a, c) {
		t.Error("different seeds gave the same mask")
	}
}

func TestDropoutBackwardUsesForwardMask(t *testing.T) {
	d := NewDropout(0.5, 9)
	x := ones(4, 10)
	y := mat.New(4, 10)
	d.Forward(y, x, true)
	dx := mat.New(4, 10)
	d.Backward(dx, ones(4, 10), x, y)
	for i := range y.Data {
		if dx.Data[i] != y.Data[i] {
			t.Fatalf("unit %d: forward %v, backward %v: the masks differ", i, y.Data[i], dx.Data[i])
		}
	}
}
