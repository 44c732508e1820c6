package layers

import (
	"fmt"

	"github.com/gomlp/gomlp/loss"
	"github.com/gomlp/gomlp/mat"
)

// SoftmaxCE is the output head of a classifier. Forward turns logits into
// class probabilities; in training the Network skips that and calls Loss,
// the fused and numerically stable softmax cross-entropy with its gradient.
type SoftmaxCE struct{}

// NewSoftmaxCE returns a softmax cross-entropy head.
func NewSoftmaxCE() *SoftmaxCE { return &SoftmaxCE{} }

// OutputCols implements Layer: one probability per logit.
func (*SoftmaxCE) OutputCols(in int) int { return in }

// Forward implements Layer: y = softmax(x), row by row.
func (*SoftmaxCE) Forward(y, x *mat.Matrix, train bool) { loss.Softmax(y, x) }

// Backward implements Layer for a gradient dy with respect to the
// probabilities: dx = y ⊙ (dy - Σ_j dy_j·y_j), row by row. (Training with
// class labels goes through Loss instead.)
func (*SoftmaxCE) Backward(dx, dy, x, y *mat.Matrix) {
	if dx == nil {
		return
	}
	if dx.Rows != y.Rows || dx.Cols != y.Cols || dy.Rows != y.Rows || dy.Cols != y.Cols {
		panic(fmt.Sprintf("layers: SoftmaxCE.Backward: dx %s, dy %s, y %s", dx.Shape(), dy.Shape(), y.Shape()))
	}
	for i := 0; i < y.Rows; i++ {
		yr, gr, dr := y.Row(i), dy.Row(i), dx.Row(i)
		var dot float64
		for j, v := range yr {
			dot += float64(v) * float64(gr[j])
		}
		for j, v := range yr {
			dr[j] = float32(float64(v) * (float64(gr[j]) - dot))
		}
	}
}

// Loss implements LossLayer with loss.SoftmaxCrossEntropy.
func (*SoftmaxCE) Loss(dx, x *mat.Matrix, labels []int) float64 {
	return loss.SoftmaxCrossEntropy(dx, x, labels)
}

// Params implements Layer: none.
func (*SoftmaxCE) Params() []*Param { return nil }
