package layers

import (
	"fmt"
	"strings"

	"github.com/gomlp/gomlp/mat"
)

// Activation names the nonlinearity after a hidden Dense layer. The zero
// value is ReLU.
type Activation uint8

// The activations a Spec can use.
const (
	ActReLU      Activation = iota // max(x, 0)
	ActTanh                        // tanh(x)
	ActSigmoid                     // 1/(1+e^-x)
	ActLeakyReLU                   // x for x > 0, else 0.01·x
	ActGELU                        // x·(1+tanh(√(2/π)(x+0.044715x³)))/2, the tanh approximation of GELU
)

var activationNames = [...]string{ActReLU: "relu", ActTanh: "tanh", ActSigmoid: "sigmoid", ActLeakyReLU: "leaky_relu", ActGELU: "gelu"}

// String returns the name ParseActivation reads: "relu", "tanh", "sigmoid",
// "leaky_relu" or "gelu".
func (a Activation) String() string {
	if int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("activation(%d)", uint8(a))
}

func (a Activation) valid() bool { return int(a) < len(activationNames) }

// ParseActivation reads an activation's name (case-insensitive; "leakyrelu"
// and "leaky-relu" are accepted too).
func ParseActivation(s string) (Activation, error) {
	name := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	if name == "leakyrelu" {
		name = "leaky_relu"
	}
	for a, n := range activationNames {
		if n == name {
			return Activation(a), nil
		}
	}
	return 0, fmt.Errorf("layers: unknown activation %q (want relu, tanh, sigmoid, leaky_relu or gelu)", s)
}

// ParseActivations reads a comma-separated list of activation names.
func ParseActivations(s string) ([]Activation, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []Activation
	for _, f := range strings.Split(s, ",") {
		a, err := ParseActivation(f)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// NewLayer returns a new layer computing a.
func (a Activation) NewLayer() Layer {
	switch a {
	case ActTanh:
		return &Tanh{}
	case ActSigmoid:
		return &Sigmoid{}
	case ActLeakyReLU:
		return &LeakyReLU{}
	case ActGELU:
		return &GELU{}
	case ActReLU:
		return NewReLU()
	}
	panic(fmt.Sprintf("layers: %v is not an activation", a))
}

// elementwise runs f over the rows of matching matrices, checking shapes.
func elementwise(op string, dst, a, b *mat.Matrix, f func(dst, a, b []float32)) {
	if dst.Rows != a.Rows || dst.Cols != a.Cols || (b != nil && (b.Rows != a.Rows || b.Cols != a.Cols)) {
		bs := "-"
		if b != nil {
			bs = b.Shape()
		}
		panic(fmt.Sprintf("layers: %s: shapes %s, %s, %s differ", op, dst.Shape(), a.Shape(), bs))
	}
	for i := 0; i < a.Rows; i++ {
		var br []float32
		if b != nil {
			br = b.Row(i)
		}
		f(dst.Row(i), a.Row(i), br)
	}
}

// Tanh is the hyperbolic tangent, element-wise.
type Tanh struct{}

// OutputCols implements Layer: the width is unchanged.
func (*Tanh) OutputCols(in int) int { return in }

// Forward implements Layer.
func (*Tanh) Forward(y, x *mat.Matrix, train bool) {
	elementwise("Tanh", y, x, nil, func(y, x, _ []float32) { tanhRows(y, x) })
}

// Backward implements Layer: dx = dy·(1-y²).
func (*Tanh) Backward(dx, dy, x, y *mat.Matrix) {
	if dx != nil {
		elementwise("Tanh.Backward", dx, dy, y, tanhGradRows)
	}
}

// Params implements Layer: none.
func (*Tanh) Params() []*Param { return nil }

// Sigmoid is the logistic function 1/(1+e^-x), element-wise.
type Sigmoid struct{}

// OutputCols implements Layer: the width is unchanged.
func (*Sigmoid) OutputCols(in int) int { return in }

// Forward implements Layer.
func (*Sigmoid) Forward(y, x *mat.Matrix, train bool) {
	elementwise("Sigmoid", y, x, nil, func(y, x, _ []float32) { sigmoidRows(y, x) })
}

// Backward implements Layer: dx = dy·y·(1-y).
func (*Sigmoid) Backward(dx, dy, x, y *mat.Matrix) {
	if dx != nil {
		elementwise("Sigmoid.Backward", dx, dy, y, sigmoidGradRows)
	}
}

// Params implements Layer: none.
func (*Sigmoid) Params() []*Param { return nil }

// LeakyReLU is x for x > 0 and 0.01·x otherwise (PyTorch's default slope),
// element-wise.
type LeakyReLU struct{}

// OutputCols implements Layer: the width is unchanged.
func (*LeakyReLU) OutputCols(in int) int { return in }

// Forward implements Layer.
func (*LeakyReLU) Forward(y, x *mat.Matrix, train bool) {
	elementwise("LeakyReLU", y, x, nil, func(y, x, _ []float32) { leakyRows(y, x) })
}

// Backward implements Layer: dx = dy where x > 0, else 0.01·dy.
func (*LeakyReLU) Backward(dx, dy, x, y *mat.Matrix) {
	if dx != nil {
		elementwise("LeakyReLU.Backward", dx, dy, x, leakyGradRows)
	}
}

// Params implements Layer: none.
func (*LeakyReLU) Params() []*Param { return nil }

// GELU is the Gaussian error linear unit in its tanh approximation,
// x·(1+tanh(√(2/π)(x+0.044715x³)))/2 (PyTorch's approximate="tanh"),
// element-wise. In training it keeps the sigmoid factor of each output for
// the backward pass, so the exponential is computed once per element.
type GELU struct {
	s buffer // σ(2z) of the last training Forward
}

// OutputCols implements Layer: the width is unchanged.
func (*GELU) OutputCols(in int) int { return in }

// Forward implements Layer.
func (g *GELU) Forward(y, x *mat.Matrix, train bool) {
	if !train {
		elementwise("GELU", y, x, nil, func(y, x, _ []float32) { geluRows(y, x, nil) })
		return
	}
	s := g.s.shape(x.Rows, x.Cols)
	elementwise("GELU", y, x, s, geluRows)
}

// Backward implements Layer, from the input x and the factors Forward kept.
func (g *GELU) Backward(dx, dy, x, y *mat.Matrix) {
	if dx == nil {
		return
	}
	s := &g.s.m
	if s.Rows != x.Rows || s.Cols != x.Cols || dx.Rows != x.Rows || dx.Cols != x.Cols || dy.Rows != x.Rows || dy.Cols != x.Cols {
		panic(fmt.Sprintf("layers: GELU.Backward: dx %s, dy %s, x %s; the last training Forward saw %s", dx.Shape(), dy.Shape(), x.Shape(), s.Shape()))
	}
	for i := 0; i < x.Rows; i++ {
		geluGradRows(dx.Row(i), dy.Row(i), x.Row(i), s.Row(i))
	}
}

// Params implements Layer: none.
func (*GELU) Params() []*Param { return nil }
