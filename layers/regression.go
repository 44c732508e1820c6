package layers

import (
	"fmt"

	"github.com/gomlp/gomlp/loss"
	"github.com/gomlp/gomlp/mat"
)

// Head names the output head a Spec ends with. The zero value is a
// softmax cross-entropy classifier.
type Head uint8

// The heads a Spec can use.
const (
	HeadSoftmax Head = iota // classification: SoftmaxCE, class probabilities out, class labels in training
	HeadMSE                 // regression: raw outputs, mean squared error against float targets
	HeadHuber               // regression: raw outputs, Huber loss (delta 1) against float targets
)

var headNames = [...]string{HeadSoftmax: "softmax", HeadMSE: "mse", HeadHuber: "huber"}

// String returns the name ParseHead reads: "softmax", "mse" or "huber".
func (h Head) String() string {
	if int(h) < len(headNames) {
		return headNames[h]
	}
	return fmt.Sprintf("head(%d)", uint8(h))
}

// Regression reports whether h is a regression head (float targets).
func (h Head) Regression() bool { return h == HeadMSE || h == HeadHuber }

// ParseHead reads a head's name.
func ParseHead(s string) (Head, error) {
	for h, n := range headNames {
		if n == s {
			return Head(h), nil
		}
	}
	return 0, fmt.Errorf("layers: unknown head %q (want softmax, mse or huber)", s)
}

// RegressionHead is an output head scored against float targets. Its
// Forward passes the raw outputs through unchanged.
type RegressionHead interface {
	Layer

	// TargetLoss returns the mean loss of the predictions x against
	// targets (same shape) and, unless dx is nil, sets dx to its gradient
	// with respect to x.
	TargetLoss(dx, x, targets *mat.Matrix) float64
}

// MSE is a regression head: Forward is the identity, and the training
// loss is the mean squared error (see loss.MeanSquaredError).
type MSE struct{}

// OutputCols implements Layer: the width is unchanged.
func (*MSE) OutputCols(in int) int { return in }

// Forward implements Layer: y = x.
func (*MSE) Forward(y, x *mat.Matrix, train bool) { mat.Copy(y, x) }

// Backward implements Layer: dx = dy.
func (*MSE) Backward(dx, dy, x, y *mat.Matrix) {
	if dx != nil {
		mat.Copy(dx, dy)
	}
}

// Params implements Layer: none.
func (*MSE) Params() []*Param { return nil }

// TargetLoss implements RegressionHead.
func (*MSE) TargetLoss(dx, x, targets *mat.Matrix) float64 {
	return loss.MeanSquaredError(dx, x, targets)
}

// Huber is a regression head like MSE whose training loss is the Huber
// loss with threshold Delta (1 when 0; see loss.Huber).
type Huber struct{ Delta float64 }

// OutputCols implements Layer: the width is unchanged.
func (*Huber) OutputCols(in int) int { return in }

// Forward implements Layer: y = x.
func (*Huber) Forward(y, x *mat.Matrix, train bool) { mat.Copy(y, x) }

// Backward implements Layer: dx = dy.
func (*Huber) Backward(dx, dy, x, y *mat.Matrix) {
	if dx != nil {
		mat.Copy(dx, dy)
	}
}

// Params implements Layer: none.
func (*Huber) Params() []*Param { return nil }

// TargetLoss implements RegressionHead.
func (h *Huber) TargetLoss(dx, x, targets *mat.Matrix) float64 {
	d := h.Delta
	if d == 0 {
		d = 1
	}
	return loss.Huber(dx, x, targets, d)
}

// IsRegression reports whether the network ends in a RegressionHead.
func (n *Network) IsRegression() bool {
	_, ok := n.layers[len(n.layers)-1].(RegressionHead)
	return ok
}

func (n *Network) regressionHead(op string) RegressionHead {
	h, ok := n.layers[len(n.layers)-1].(RegressionHead)
	if !ok {
		panic(fmt.Sprintf("layers: %s: the last layer (%T) is not a RegressionHead", op, n.layers[len(n.layers)-1]))
	}
	return h
}

// ForwardBackwardTargets is ForwardBackward for a network with a
// RegressionHead: one training pass on x against float targets (x.Rows ×
// Outputs()), setting every parameter's Grad. It returns the mean loss.
func (n *Network) ForwardBackwardTargets(x, targets *mat.Matrix) float64 {
	head := n.regressionHead("ForwardBackwardTargets")
	last := len(n.layers) - 1
	out := n.forward(x, last, true)
	var dout *mat.Matrix
	if last > 0 && n.firstParam >= 0 && n.firstParam < last {
		dout = n.grads[last-1].shape(out.Rows, out.Cols)
	}
	mean := head.TargetLoss(dout, out, targets)
	if dout != nil {
		n.backward(last-1, dout, x)
	}
	return mean
}

// EvaluateTargets runs the forward pass in evaluation mode and returns the
// head's mean loss against targets and the outputs (valid until the next
// training call). It uses the training buffers (see Network).
func (n *Network) EvaluateTargets(x, targets *mat.Matrix) (mean float64, pred *mat.Matrix) {
	head := n.regressionHead("EvaluateTargets")
	out := n.forward(x, len(n.layers)-1, false)
	return head.TargetLoss(nil, out, targets), out
}
