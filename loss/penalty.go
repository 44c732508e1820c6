package loss

import (
	"fmt"
	"math"

	"github.com/gomlp/gomlp/mat"
)

// L1 returns Σ|w|. The penalty with strength λ is λ·L1(w).
func L1(w []float32) float64 {
	var s float64
	for _, v := range w {
		s += math.Abs(float64(v))
	}
	return s
}

// AddL1Grad adds the gradient of λ·L1(w), λ·sign(w), to grad (0 where w is 0).
func AddL1Grad(lambda float32, w, grad []float32) {
	if len(w) != len(grad) {
		panic(fmt.Sprintf("loss: AddL1Grad: weights of length %d, gradient of length %d", len(w), len(grad)))
	}
	for i, v := range w {
		switch {
		case v > 0:
			grad[i] += lambda
		case v < 0:
			grad[i] -= lambda
		}
	}
}

// L2 returns ½·Σw², TensorFlow's l2_loss. The penalty with strength λ is
// λ·L2(w), whose gradient λ·w is what plain SGD's weight decay λ subtracts.
func L2(w []float32) float64 {
	var s float64
	for _, v := range w {
		s += float64(v) * float64(v)
	}
	return s / 2
}

// AddL2Grad adds the gradient of λ·L2(w), λ·w, to grad.
func AddL2Grad(lambda float32, w, grad []float32) {
	if len(w) != len(grad) {
		panic(fmt.Sprintf("loss: AddL2Grad: weights of length %d, gradient of length %d", len(w), len(grad)))
	}
	mat.Axpy(lambda, w, grad)
}
