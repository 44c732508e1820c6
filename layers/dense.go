package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlp/gomlp/mat"
)

// Dense is a fully connected layer: y = x·W + b, with W of shape [in, out]
// and b of shape [out].
type Dense struct {
	In, Out int
	name    string // "" until the Network names it
	w, b    *Param
	sums    []float32 // column sums of dy, when the bias gradient decays
}

// NewDense returns an in→out layer with weights drawn by init from rng and
// zero biases. Its parameters are named when it joins a Network: "dense_i"
// by position among the Dense layers, unless Named gave it a name.
func NewDense(in, out int, init Init, rng *rand.Rand) *Dense {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("layers: NewDense(%d, %d): sizes must be positive", in, out))
	}
	d := &Dense{
		In:  in,
		Out: out,
		w:   newParam("", []int{in, out}, in, out, true),
		b:   newParam("", []int{out}, 1, out, false),
	}
	init.fill(d.w.Value.Data, in, out, rng)
	return d
}

// Named sets the name under which the layer's parameters appear
// (name+"/weights", name+"/biases") and returns d.
func (d *Dense) Named(name string) *Dense {
	d.name = name
	d.setNames()
	return d
}

// Name returns the layer's name ("" before it joins a Network, unless Named).
func (d *Dense) Name() string { return d.name }

func (d *Dense) setNames() {
	d.w.Name = d.name + "/weights"
	d.b.Name = d.name + "/biases"
}

// Weights returns the [in, out] weight parameter.
func (d *Dense) Weights() *Param { return d.w }

// Biases returns the [out] bias parameter (a 1×out matrix).
func (d *Dense) Biases() *Param { return d.b }

// OutputCols implements Layer.
func (d *Dense) OutputCols(in int) int {
	if in != -1 && in != d.In {
		panic(fmt.Sprintf("layers: Dense %q takes %d inputs, got %d", d.name, d.In, in))
	}
	return d.Out
}

// Forward implements Layer: y = x·W + b.
func (d *Dense) Forward(y, x *mat.Matrix, train bool) {
	mat.Linear(y, x, d.w.Value, d.b.Value.Data)
}

// forwardReLU sets y = max(x·W + b, 0): the layer and a ReLU after it in
// one pass (the Network uses it for such pairs, in both modes).
func (d *Dense) forwardReLU(y, x *mat.Matrix) {
	mat.LinearReLU(y, x, d.w.Value, d.b.Value.Data)
}

// Backward implements Layer: dW = xᵀ·dy, db = column sums of dy and, if dx
// is wanted, dx = dy·Wᵀ. (With a Param's GradDecay set, the gradients are
// added to the decayed old ones.)
func (d *Dense) Backward(dx, dy, x, y *mat.Matrix) {
	mat.Gemm(mat.Trans, mat.NoTrans, 1, x, dy, d.w.GradDecay, d.w.Grad)
	if decay := d.b.GradDecay; decay == 0 {
		mat.ColSums(d.b.Grad.Data, dy)
	} else {
		if d.sums == nil {
			d.sums = make([]float32, d.Out)
		}
		mat.ColSums(d.sums, dy)
		mat.Scale(decay, d.b.Grad.Data)
		mat.Add(d.b.Grad.Data, d.sums)
	}
	if dx != nil {
		mat.Gemm(mat.NoTrans, mat.Trans, 1, dy, d.w.Value, 0, dx)
	}
}

// Params implements Layer: weights, then biases.
func (d *Dense) Params() []*Param { return []*Param{d.w, d.b} }
