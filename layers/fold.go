package layers

import (
	"fmt"
	"math/rand/v2"
)

// Folded returns a copy of the network with its fixed affine layers folded
// into the neighbouring Dense layers, for formats that have no such
// operation: a Normalizer, y = (x-mean)·scale, into the first Dense layer
// after it (W'ᵢⱼ = scaleᵢ·Wᵢⱼ, b' = b - (mean⊙scale)·W), and a TargetScaler,
// y = x·scale + shift, into the Dense layer just before it (W'ᵢⱼ =
// Wᵢⱼ·scaleⱼ, b' = b⊙scale + shift). In evaluation the copy computes the
// same function, up to float32 rounding (which grows with a feature's
// mean/std: the offset moves into the bias). Dense layers keep their names;
// the copy shares no memory with n and has no Spec.
//
// It returns an error if a Normalizer is not followed by a Dense layer
// (with only Dropout between) or a TargetScaler does not directly follow
// one.
func (n *Network) Folded() (*Network, error) {
	var out []Layer
	var pending *Normalizer // waiting for the next Dense layer
	for i, l := range n.layers {
		switch l := l.(type) {
		case *Normalizer:
			if pending != nil {
				return nil, fmt.Errorf("layers: Folded: two Normalizers before a Dense layer")
			}
			pending = l
		case *Dense:
			d := l.clone()
			if pending != nil {
				d.foldInput(pending.mean, pending.scale)
				pending = nil
			}
			out = append(out, d)
		case *TargetScaler:
			var prev *Dense
			if len(out) > 0 {
				prev, _ = out[len(out)-1].(*Dense)
			}
			if prev == nil || i == 0 {
				return nil, fmt.Errorf("layers: Folded: a TargetScaler must directly follow a Dense layer")
			}
			prev.foldOutput(l.scale, l.shift)
		case *Dropout:
			out = append(out, NewDropout(float64(l.threshold)/65536, 0)) // the same resolved keep probability
		case *GELU:
			out = append(out, &GELU{})
		default:
			out = append(out, l) // stateless: ReLU, Tanh, Sigmoid, LeakyReLU, the heads
		}
	}
	if pending != nil {
		return nil, fmt.Errorf("layers: Folded: no Dense layer after the Normalizer to fold it into")
	}
	return New(out...), nil
}

// clone returns a Dense layer with copies of d's parameters and d's name.
func (d *Dense) clone() *Dense {
	c := NewDense(d.In, d.Out, He(), rand.New(rand.NewPCG(0, 0)))
	copy(c.w.Value.Data, d.w.Value.Data)
	copy(c.b.Value.Data, d.b.Value.Data)
	c.w.Regularize, c.b.Regularize = d.w.Regularize, d.b.Regularize
	if d.name != "" {
		c.Named(d.name)
	}
	return c
}

// foldInput makes d compute its old function of (x-mean)·scale from x.
// The bias correction is summed in float64.
func (d *Dense) foldInput(mean, scale []float32) {
	w, b := d.w.Value, d.b.Value.Data
	shift := make([]float64, d.Out)
	for i := 0; i < d.In; i++ {
		row := w.Row(i)
		ms := float64(mean[i]) * float64(scale[i])
		for j, v := range row {
			shift[j] += ms * float64(v)
			row[j] = v * scale[i]
		}
	}
	for j := range b {
		b[j] = float32(float64(b[j]) - shift[j])
	}
}

// foldOutput makes d compute its old output times scale plus shift.
func (d *Dense) foldOutput(scale, shift []float32) {
	w, b := d.w.Value, d.b.Value.Data
	for i := 0; i < d.In; i++ {
		row := w.Row(i)
		for j := range row {
			row[j] *= scale[j]
		}
	}
	for j := range b {
		b[j] = b[j]*scale[j] + shift[j]
	}
}
