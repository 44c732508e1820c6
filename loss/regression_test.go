package loss

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

func randM(rng *rand.Rand, r, c int, scale float64) *mat.Matrix {
	m := mat.New(r, c)
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64() * scale)
	}
	return m
}

func TestRegressionLossValuesAndGradients(t *testing.T) {
	pred := mat.FromSlice(2, 2, []float32{1, 2, 3, 0.5})
	targets := mat.FromSlice(2, 2, []float32{0, 2, 0, 0})
	// errors 1, 0, 3, 0.5
	if got, want := MeanSquaredError(nil, pred, targets), (1+0+9+0.25)/4.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("MSE %v, want %v", got, want)
	}
	if got, want := Huber(nil, pred, targets, 1), (0.5+0+(3-0.5)+0.125)/4.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("Huber %v, want %v", got, want)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	p, tg := randM(rng, 5, 3, 2), randM(rng, 5, 3, 2)
	for name, f := range map[string]func(g *mat.Matrix) float64{
		"mse":   func(g *mat.Matrix) float64 { return MeanSquaredError(g, p, tg) },
		"huber": func(g *mat.Matrix) float64 { return Huber(g, p, tg, 0.7) },
	} {
		g := mat.New(5, 3)
		f(g)
		const h = 1e-3
		for i := range p.Data {
			old := p.Data[i]
			p.Data[i] = old + h
			up := f(nil)
			p.Data[i] = old - h
			down := f(nil)
			p.Data[i] = old
			num := (up - down) / (float64(old+h) - float64(old-h))
			if math.Abs(num-float64(g.Data[i])) > 1e-4 {
				t.Errorf("%s: element %d: numeric %v, analytic %v", name, i, num, g.Data[i])
			}
		}
	}
}

func TestRegressionScore(t *testing.T) {
	var s RegressionScore
	// Two batches; targets 1..4 (mean 2.5, Σ(t-mean)² = 5), predictions off by 1, -1, 0, 2.
	s.Add(mat.FromSlice(2, 1, []float32{2, 1}), mat.FromSlice(2, 1, []float32{1, 2}))
	s.Add(mat.FromSlice(2, 1, []float32{3, 6}), mat.FromSlice(2, 1, []float32{3, 4}))
	if s.Count() != 4 || s.MSE() != 6.0/4 || s.MAE() != 4.0/4 || math.Abs(s.R2()-(1-6.0/5)) > 1e-12 {
		t.Errorf("n %d, MSE %v, MAE %v, R² %v", s.Count(), s.MSE(), s.MAE(), s.R2())
	}
	if err := s.Add(mat.New(1, 2), mat.New(1, 2)); err == nil {
		t.Error("a batch of another width was accepted")
	}
	var perfect RegressionScore
	perfect.Add(mat.FromSlice(2, 2, []float32{1, 7, 2, 7}), mat.FromSlice(2, 2, []float32{1, 7, 2, 7}))
	if perfect.R2() != 1 {
		t.Errorf("perfect R² (one constant output) = %v", perfect.R2())
	}
	var empty RegressionScore
	if !math.IsNaN(empty.R2()) {
		t.Error("R² of nothing is not NaN")
	}
}
