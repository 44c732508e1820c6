package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// The gradient checks compare each analytic gradient with a central
// difference (f(v+h) - f(v-h)) / 2h of a scalar loss f that is computed in
// float64 from the float32 outputs. The layers themselves compute in
// float32, so the tolerance is set for float32 rounding (at most about 3e-5 here);
// a wrong formula is off by far more, as TestGradCheckCatchesErrors shows.

const (
	gradStep = 1e-2 // h: exact for linear maps, small enough for the rest
	gradAbs  = 3e-4 // tolerance: |numeric - analytic| <= gradAbs + gradRel·|analytic|
	gradRel  = 2e-3
)

func randMatrix(rng *rand.Rand, r, c int, scale float64) *mat.Matrix {
	m := mat.New(r, c)
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64() * scale)
	}
	return m
}

// awayFromZero pushes values out of (-0.1, 0.1), so that a ReLU input does
// not cross its kink when perturbed by gradStep.
func awayFromZero(m *mat.Matrix) {
	for i, v := range m.Data {
		if v >= 0 && v < 0.1 {
			m.Data[i] = v + 0.1
		} else if v < 0 && v > -0.1 {
			m.Data[i] = v - 0.1
		}
	}
}

// weightedSum is the test loss Σ r_ij·y_ij; its gradient with respect to y is r.
func weightedSum(y, r *mat.Matrix) float64 {
	var s float64
	for i := 0; i < y.Rows; i++ {
		for j, v := range y.Row(i) {
			s += float64(v) * float64(r.At(i, j))
		}
	}
	return s
}

// numericGrad perturbs every element of v in turn and returns the central
// differences of f.
func numericGrad(v []float32, f func() float64) []float64 {
	g := make([]float64, len(v))
	for i := range v {
		old := v[i]
		v[i] = old + gradStep
		up := f()
		v[i] = old - gradStep
		down := f()
		v[i] = old
		// Divide by the step actually taken in float32.
		g[i] = (up - down) / (float64(old+gradStep) - float64(old-gradStep))
	}
	return g
}

// gradError returns the largest violation of the tolerance (<= 0 is a pass)
// and where it happened.
func gradError(numeric []float64, analytic []float32) (worst float64, at int) {
	worst, at = math.Inf(-1), -1
	for i, n := range numeric {
		a := float64(analytic[i])
		e := math.Abs(n-a) - (gradAbs + gradRel*math.Abs(a))
		if math.IsNaN(e) {
			return math.Inf(1), i
		}
		if e > worst {
			worst, at = e, i
		}
	}
	return worst, at
}

func checkGrad(t *testing.T, what string, numeric []float64, analytic []float32) {
	t.Helper()
	var mx float64
	for i, n := range numeric {
		mx = math.Max(mx, math.Abs(n-float64(analytic[i])))
	}
	t.Logf("%s: max abs error %.3g", what, mx)
	if worst, at := gradError(numeric, analytic); worst > 0 {
		t.Errorf("%s: element %d: numeric %.6g, analytic %.6g", what, at, numeric[at], analytic[at])
	}
}

// checkLayer checks the input gradient and every parameter gradient of a
// layer whose forward pass is fwd (so a Dropout can reuse a fixed mask).
func checkLayer(t *testing.T, name string, l Layer, x *mat.Matrix, fwd func(y, x *mat.Matrix)) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	y := mat.New(x.Rows, l.OutputCols(x.Cols))
	fwd(y, x)
	r := randMatrix(rng, y.Rows, y.Cols, 1)
	dx := mat.New(x.Rows, x.Cols)
	l.Backward(dx, r, x, y)

	f := func() float64 {
		fwd(y, x)
		return weightedSum(y, r)
	}
	checkGrad(t, name+" input", numericGrad(x.Data, f), dx.Data)
	for _, p := range l.Params() {
		analytic := append([]float32(nil), p.Grad.Data...)
		checkGrad(t, name+" "+p.Name, numericGrad(p.Value.Data, f), analytic)
	}
}

func TestDenseGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := NewDense(5, 4, He(), rng).Named("d")
	mat.Axpy(1, randMatrix(rng, 1, 4, 1).Data, d.Biases().Value.Data) // nonzero biases
	x := randMatrix(rng, 3, 5, 1)
	checkLayer(t, "Dense", d, x, func(y, x *mat.Matrix) { d.Forward(y, x, true) })
}

func TestReLUGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := randMatrix(rng, 4, 6, 1)
	awayFromZero(x)
	l := NewReLU()
	checkLayer(t, "ReLU", l, x, func(y, x *mat.Matrix) { l.Forward(y, x, true) })
}

func TestDropoutGradientFixedMask(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := randMatrix(rng, 4, 9, 1)
	d := NewDropout(0.6, 11)
	d.Forward(mat.New(4, 9), x, true) // draw one mask, then keep it
	zeros := 0
	for _, v := range d.mask.m.Data {
		if v == 0 {
			zeros++
		}
	}
	if zeros == 0 || zeros == len(d.mask.m.Data) {
		t.Fatalf("the mask drops %d of %d units; want some of each for a meaningful check", zeros, len(d.mask.m.Data))
	}
	checkLayer(t, "Dropout", d, x, func(y, x *mat.Matrix) { mulMask(y, x, &d.mask.m) }) // the last mask, kept fixed
}

func TestSoftmaxBackwardGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	x := randMatrix(rng, 3, 5, 2)
	l := NewSoftmaxCE()
	checkLayer(t, "SoftmaxCE", l, x, func(y, x *mat.Matrix) { l.Forward(y, x, true) })
}

func TestSoftmaxCELossGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	x := randMatrix(rng, 4, 6, 3)
	labels := []int{0, 5, 2, 2}
	l := NewSoftmaxCE()
	dx := mat.New(4, 6)
	l.Loss(dx, x, labels)
	checkGrad(t, "SoftmaxCE.Loss", numericGrad(x.Data, func() float64 { return l.Loss(nil, x, labels) }), dx.Data)
}

// TestNetworkGradient checks a whole three-layer network, dropout included
// (reseeding before every pass keeps the masks fixed), through
// ForwardBackward and its fused loss.
func TestNetworkGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	net := New(
		NewDense(6, 8, He(), rng), NewReLU(), NewDropout(0.7, 0),
		NewDense(8, 7, He(), rng), NewReLU(),
		NewDense(7, 4, Glorot(), rng), NewSoftmaxCE(),
	)
	for _, p := range net.Params() {
		if !p.Regularize { // nonzero biases, so that their gradients are checked in general position
			copy(p.Value.Data, randMatrix(rng, 1, len(p.Value.Data), 0.3).Data)
		}
	}
	x := randMatrix(rng, 5, 6, 1)
	labels := []int{3, 0, 1, 3, 2}
	run := func() float64 {
		net.SeedDropout(99)
		l, _ := net.ForwardBackward(x, labels)
		return l
	}
	run()
	var analytic [][]float32
	for _, p := range net.Params() {
		analytic = append(analytic, append([]float32(nil), p.Grad.Data...))
	}
	for i, p := range net.Params() {
		checkGrad(t, "network "+p.Name, numericGrad(p.Value.Data, run), analytic[i])
	}
}

// TestGradCheckCatchesErrors makes sure the checker would notice a wrong
// gradient: 1% off, or a single element off by 0.005.
func TestGradCheckCatchesErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := NewDense(5, 4, He(), rng)
	x := randMatrix(rng, 3, 5, 1)
	y := mat.New(3, 4)
	d.Forward(y, x, true)
	r := randMatrix(rng, 3, 4, 1)
	d.Backward(nil, r, x, y)
	numeric := numericGrad(d.Weights().Value.Data, func() float64 { d.Forward(y, x, true); return weightedSum(y, r) })
	good := d.Weights().Grad.Data
	if worst, _ := gradError(numeric, good); worst > 0 {
		t.Fatalf("the correct gradient fails the check by %g", worst)
	}
	scaled := append([]float32(nil), good...)
	mat.Scale(1.01, scaled)
	if worst, _ := gradError(numeric, scaled); worst <= 0 {
		t.Error("a gradient 1% too large passes the check")
	}
	one := append([]float32(nil), good...)
	one[7] += 0.005
	if worst, at := gradError(numeric, one); worst <= 0 || at != 7 {
		t.Errorf("one wrong element: worst %g at %d, want a failure at 7", worst, at)
	}
}

// With GradDecay d, Backward sets Grad = d·Grad + gradient (what fused
// momentum relies on); with d = 0 it overwrites.
func TestDenseGradDecay(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := NewDense(5, 4, He(), rng)
	x := randMatrix(rng, 3, 5, 1)
	y := mat.New(3, 4)
	d.Forward(y, x, true)
	dy := randMatrix(rng, 3, 4, 1)
	d.Backward(nil, dy, x, y)
	fresh := [][]float32{append([]float32(nil), d.w.Grad.Data...), append([]float32(nil), d.b.Grad.Data...)}
	for _, p := range d.Params() {
		p.GradDecay = 0.5
		for i := range p.Grad.Data {
			p.Grad.Data[i] = float32(i%3) - 1 // the old values: -1, 0, 1, …
		}
	}
	d.Backward(nil, dy, x, y)
	for k, p := range d.Params() {
		for i, v := range p.Grad.Data {
			want := 0.5*(float32(i%3)-1) + fresh[k][i]
			if math.Abs(float64(v-want)) > 1e-6 {
				t.Fatalf("%s[%d] = %v, want %v", p.Name, i, v, want)
			}
		}
	}
}
