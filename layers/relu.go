package layers

import "github.com/gomlp/gomlp/mat"

// ReLU is the rectified linear unit, y = max(x, 0), element-wise.
type ReLU struct{}

// NewReLU returns a ReLU layer.
func NewReLU() *ReLU { return &ReLU{} }

// OutputCols implements Layer: the width is unchanged.
func (*ReLU) OutputCols(in int) int { return in }

// Forward implements Layer.
func (*ReLU) Forward(y, x *mat.Matrix, train bool) { mat.ReLU(y, x) }

// Backward implements Layer: dx = dy where x > 0, else 0.
func (*ReLU) Backward(dx, dy, x, y *mat.Matrix) {
	if dx != nil {
		mat.ReLUGrad(dx, dy, x)
	}
}

// Params implements Layer: none.
func (*ReLU) Params() []*Param { return nil }
