package loss

import (
	"fmt"
	"math"

	"github.com/gomlp/gomlp/mat"
)

// MeanSquaredError returns the mean over every element of (pred - targets)²
// (PyTorch's MSELoss). Unless grad is nil it also sets grad (pred's shape;
// it may be pred itself) to the gradient of that mean with respect to pred,
// 2·(pred - targets)/elements. It panics if the shapes differ.
func MeanSquaredError(grad, pred, targets *mat.Matrix) float64 {
	return regression("MeanSquaredError", grad, pred, targets, func(e float64) (float64, float64) { return e * e, 2 * e })
}

// Huber returns the mean over every element of the Huber loss with
// threshold delta > 0 (PyTorch's HuberLoss): ½e² where |e| <= delta, else
// delta·(|e| - ½delta), for e = pred - targets. It is quadratic near 0 and
// linear beyond delta, so outliers pull less than with the squared error.
// Unless grad is nil it sets grad to the gradient with respect to pred,
// clamp(e, -delta, delta)/elements.
func Huber(grad, pred, targets *mat.Matrix, delta float64) float64 {
	if !(delta > 0) {
		panic(fmt.Sprintf("loss: Huber: delta %v must be positive", delta))
	}
	return regression("Huber", grad, pred, targets, func(e float64) (float64, float64) {
		if a := math.Abs(e); a > delta {
			return delta * (a - delta/2), math.Copysign(delta, e)
		}
		return e * e / 2, e
	})
}

// regression sums f's loss over every element and writes f's derivative,
// divided by the element count, into grad.
func regression(op string, grad, pred, targets *mat.Matrix, f func(e float64) (loss, d float64)) float64 {
	if targets.Rows != pred.Rows || targets.Cols != pred.Cols {
		panic(fmt.Sprintf("loss: %s: targets %s for predictions %s", op, targets.Shape(), pred.Shape()))
	}
	checkGradShape(op, grad, pred)
	n := pred.Rows * pred.Cols
	if n == 0 {
		return 0
	}
	inv := 1 / float64(n)
	var total float64
	for i := 0; i < pred.Rows; i++ {
		p, t := pred.Row(i), targets.Row(i)
		var g []float32
		if grad != nil {
			g = grad.Row(i)
		}
		for j, v := range p {
			l, d := f(float64(v) - float64(t[j]))
			total += l
			if g != nil {
				g[j] = float32(d * inv)
			}
		}
	}
	return total * inv
}

// RegressionScore accumulates predictions against targets, batch by batch,
// and reports the mean squared error, the mean absolute error and the
// coefficient of determination R². With several outputs each is averaged
// over the outputs (scikit-learn's "uniform_average").
type RegressionScore struct {
	n    int
	sse  []float64 // Σ(pred-target)² per output
	sae  []float64 // Σ|pred-target|
	mean []float64 // running mean of the targets
	m2   []float64 // running Σ(target-mean)² (Welford)
}

// Add scores a batch: row i of pred against row i of targets. It returns
// an error if the shapes differ from each other or from earlier batches.
func (s *RegressionScore) Add(pred, targets *mat.Matrix) error {
	if pred.Rows != targets.Rows || pred.Cols != targets.Cols {
		return fmt.Errorf("loss: RegressionScore: predictions %s for targets %s", pred.Shape(), targets.Shape())
	}
	if s.sse == nil {
		k := pred.Cols
		s.sse, s.sae, s.mean, s.m2 = make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
	} else if len(s.sse) != pred.Cols {
		return fmt.Errorf("loss: RegressionScore: %d outputs after batches of %d", pred.Cols, len(s.sse))
	}
	for i := 0; i < pred.Rows; i++ {
		s.n++
		p, t := pred.Row(i), targets.Row(i)
		for j, v := range p {
			tj := float64(t[j])
			e := float64(v) - tj
			s.sse[j] += e * e
			s.sae[j] += math.Abs(e)
			d := tj - s.mean[j]
			s.mean[j] += d / float64(s.n)
			s.m2[j] += d * (tj - s.mean[j])
		}
	}
	return nil
}

// Count returns the number of rows scored.
func (s *RegressionScore) Count() int { return s.n }

// MSE returns the mean squared error.
func (s *RegressionScore) MSE() float64 {
	return s.average(func(j int) float64 { return s.sse[j] / float64(s.n) })
}

// MAE returns the mean absolute error.
func (s *RegressionScore) MAE() float64 {
	return s.average(func(j int) float64 { return s.sae[j] / float64(s.n) })
}

// R2 returns 1 - Σ(pred-target)²/Σ(target-mean)², the fraction of the
// targets' variance the predictions explain: 1 is perfect, 0 is no better
// than predicting the mean, and it can be negative. An output whose
// targets are all equal scores 1 if predicted exactly, else 0 (as
// scikit-learn does).
func (s *RegressionScore) R2() float64 {
	return s.average(func(j int) float64 {
		if s.m2[j] == 0 {
			if s.sse[j] == 0 {
				return 1
			}
			return 0
		}
		return 1 - s.sse[j]/s.m2[j]
	})
}

func (s *RegressionScore) average(f func(j int) float64) float64 {
	if s.n == 0 {
		return math.NaN()
	}
	var sum float64
	for j := range s.sse {
		sum += f(j)
	}
	return sum / float64(len(s.sse))
}
