package layers

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomlp/gomlp/mat"
)

// Names of a Normalizer's tensors in a checkpoint.
const (
	NormalizerMean  = "normalize/mean"  // [features]: subtracted from each input
	NormalizerScale = "normalize/scale" // [features]: then multiplied in (1/std for standardisation)
)

// Normalizer is the model's own preprocessing: y = (x - mean)·scale per
// feature. Its mean and scale are fitted once from training data (Fit or
// FitMinMax) and are then fixed: no optimizer changes them, but they are
// saved in checkpoints beside the parameters (see FixedTensors), so a
// loaded model normalises its inputs itself and nobody carries them
// separately. A new Normalizer is the identity.
type Normalizer struct {
	mean, scale []float32
}

// FixedLayer is a layer with tensors that belong to the model but are not
// trained, such as a Normalizer's mean and scale. Network.Tensors lists
// them, so checkpoints save and restore them with the parameters.
type FixedLayer interface {
	Layer
	FixedTensors() []Tensor
}

// NewNormalizer returns an identity normaliser for inputs of the given width.
func NewNormalizer(features int) *Normalizer {
	if features <= 0 {
		panic(fmt.Sprintf("layers: NewNormalizer(%d): the width must be positive", features))
	}
	n := &Normalizer{mean: make([]float32, features), scale: make([]float32, features)}
	for i := range n.scale {
		n.scale[i] = 1
	}
	return n
}

// Features returns the input width.
func (n *Normalizer) Features() int { return len(n.mean) }

// Mean and Scale return the fitted values (aliasing the layer's memory).
func (n *Normalizer) Mean() []float32  { return n.mean }
func (n *Normalizer) Scale() []float32 { return n.scale }

// Fit sets mean to each column's mean over the rows of x and scale to
// 1/(its standard deviation), so that the training data comes out with
// mean 0 and variance 1 per feature (like scikit-learn's StandardScaler).
// A constant column gets scale 1. It returns an error for a width that
// does not match, no rows, or a NaN or infinite value (naming the row).
func (n *Normalizer) Fit(x *mat.Matrix) error {
	return n.fit(x, func(j int, mean, m2 float64, _, _ float32, rows int) (float32, float32) {
		std := math.Sqrt(m2 / float64(rows))
		if !(std > 0) || float32(1/std) > math.MaxFloat32 {
			return float32(mean), 1
		}
		return float32(mean), float32(1 / std)
	})
}

// FitMinMax sets the normaliser to map each column's range over the rows
// of x onto [0, 1] (scikit-learn's MinMaxScaler). A constant column gets
// scale 1.
func (n *Normalizer) FitMinMax(x *mat.Matrix) error {
	return n.fit(x, func(j int, _, _ float64, lo, hi float32, _ int) (float32, float32) {
		if r := float64(hi) - float64(lo); r > 0 && float32(1/r) <= math.MaxFloat32 {
			return lo, float32(1 / r)
		}
		return lo, 1
	})
}

// fit gathers per-column statistics (Welford's mean and sum of squared
// deviations, minimum, maximum) in float64 and lets set pick mean and scale.
func (n *Normalizer) fit(x *mat.Matrix, set func(j int, mean, m2 float64, lo, hi float32, rows int) (float32, float32)) error {
	if x.Cols != len(n.mean) {
		return fmt.Errorf("layers: Normalizer.Fit: %d features; the model takes %d", x.Cols, len(n.mean))
	}
	if x.Rows == 0 {
		return fmt.Errorf("layers: Normalizer.Fit: no rows to fit on")
	}
	k := x.Cols
	mean, m2 := make([]float64, k), make([]float64, k)
	lo, hi := slicesOf(k, float32(math.Inf(1))), slicesOf(k, float32(math.Inf(-1)))
	for i := 0; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("layers: Normalizer.Fit: row %d, feature %d is %v; remove or fill in such values first", i, j, v)
			}
			d := float64(v) - mean[j]
			mean[j] += d / float64(i+1)
			m2[j] += d * (float64(v) - mean[j])
			lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		}
	}
	for j := range mean {
		n.mean[j], n.scale[j] = set(j, mean[j], m2[j], lo[j], hi[j], x.Rows)
	}
	return nil
}

func slicesOf(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// OutputCols implements Layer: the width is unchanged.
func (n *Normalizer) OutputCols(in int) int {
	if in != -1 && in != len(n.mean) {
		panic(fmt.Sprintf("layers: Normalizer takes %d inputs, got %d", len(n.mean), in))
	}
	return len(n.mean)
}

// Forward implements Layer: y = (x - mean)·scale.
func (n *Normalizer) Forward(y, x *mat.Matrix, train bool) {
	elementwise("Normalizer", y, x, nil, func(y, x, _ []float32) {
		m, s := n.mean[:len(x)], n.scale[:len(x)]
		y = y[:len(x)]
		for j, v := range x {
			y[j] = (v - m[j]) * s[j]
		}
	})
}

// Backward implements Layer: dx = dy·scale.
func (n *Normalizer) Backward(dx, dy, x, y *mat.Matrix) {
	if dx == nil {
		return
	}
	elementwise("Normalizer.Backward", dx, dy, nil, func(dx, dy, _ []float32) {
		s := n.scale[:len(dy)]
		for j, g := range dy {
			dx[j] = g * s[j]
		}
	})
}

// Params implements Layer: none (mean and scale are fitted, not trained).
func (n *Normalizer) Params() []*Param { return nil }

// FixedTensors implements FixedLayer: mean and scale, each [features].
func (n *Normalizer) FixedTensors() []Tensor {
	k := len(n.mean)
	return []Tensor{
		{Name: NormalizerMean, Shape: []int{k}, Data: n.mean},
		{Name: NormalizerScale, Shape: []int{k}, Data: n.scale},
	}
}

// Normalizer returns the network's Normalizer (the first one), or nil.
func (n *Network) Normalizer() *Normalizer {
	for _, l := range n.layers {
		if nz, ok := l.(*Normalizer); ok {
			return nz
		}
	}
	return nil
}

// FitNormalizer fits the network's Normalizer to the training inputs x
// (see Normalizer.Fit). It returns an error if the network has none (build
// it with Spec.Normalize).
func (n *Network) FitNormalizer(x *mat.Matrix) error {
	nz := n.Normalizer()
	if nz == nil {
		return fmt.Errorf("layers: FitNormalizer: the network has no Normalizer (build it with Spec.Normalize set)")
	}
	return nz.Fit(x)
}

// Names of a TargetScale's tensors in a checkpoint.
const (
	TargetShift = "targets/shift" // [outputs]: added last (the targets' mean)
	TargetScale = "targets/scale" // [outputs]: multiplied in first (the targets' standard deviation)
)

// TargetScaler maps a regression network's outputs to the targets' units:
// y = x·scale + shift per output, fitted from the training targets (their
// mean and standard deviation) and fixed after. The layers before it then
// learn targets of mean 0 and variance 1 whatever their units, while
// predictions and the loss stay in the targets' own units. A new
// TargetScaler is the identity.
type TargetScaler struct {
	shift, scale []float32
}

// NewTargetScaler returns an identity scaler for the given number of outputs.
func NewTargetScaler(outputs int) *TargetScaler {
	if outputs <= 0 {
		panic(fmt.Sprintf("layers: NewTargetScaler(%d): the width must be positive", outputs))
	}
	return &TargetScaler{shift: make([]float32, outputs), scale: slicesOf(outputs, 1)}
}

// Shift and Scale return the fitted values (aliasing the layer's memory).
func (s *TargetScaler) Shift() []float32 { return s.shift }
func (s *TargetScaler) Scale() []float32 { return s.scale }

// Fit sets shift and scale to each column's mean and standard deviation
// over the rows of targets (scale 1 for a constant column).
func (s *TargetScaler) Fit(targets *mat.Matrix) error {
	n := NewNormalizer(len(s.shift))
	if err := n.Fit(targets); err != nil {
		return fmt.Errorf("layers: TargetScaler.Fit: %s", strings.TrimPrefix(err.Error(), "layers: Normalizer.Fit: "))
	}
	for j := range s.shift {
		s.shift[j], s.scale[j] = n.mean[j], 1/n.scale[j]
	}
	return nil
}

// OutputCols implements Layer: the width is unchanged.
func (s *TargetScaler) OutputCols(in int) int {
	if in != -1 && in != len(s.shift) {
		panic(fmt.Sprintf("layers: TargetScaler takes %d inputs, got %d", len(s.shift), in))
	}
	return len(s.shift)
}

// Forward implements Layer: y = x·scale + shift.
func (s *TargetScaler) Forward(y, x *mat.Matrix, train bool) {
	elementwise("TargetScaler", y, x, nil, func(y, x, _ []float32) {
		sh, sc := s.shift[:len(x)], s.scale[:len(x)]
		y = y[:len(x)]
		for j, v := range x {
			y[j] = v*sc[j] + sh[j]
		}
	})
}

// Backward implements Layer: dx = dy·scale.
func (s *TargetScaler) Backward(dx, dy, x, y *mat.Matrix) {
	if dx == nil {
		return
	}
	elementwise("TargetScaler.Backward", dx, dy, nil, func(dx, dy, _ []float32) {
		sc := s.scale[:len(dy)]
		for j, g := range dy {
			dx[j] = g * sc[j]
		}
	})
}

// Params implements Layer: none.
func (s *TargetScaler) Params() []*Param { return nil }

// FixedTensors implements FixedLayer: shift and scale, each [outputs].
func (s *TargetScaler) FixedTensors() []Tensor {
	k := len(s.shift)
	return []Tensor{
		{Name: TargetShift, Shape: []int{k}, Data: s.shift},
		{Name: TargetScale, Shape: []int{k}, Data: s.scale},
	}
}

// TargetScaler returns the network's TargetScaler, or nil.
func (n *Network) TargetScaler() *TargetScaler {
	for _, l := range n.layers {
		if s, ok := l.(*TargetScaler); ok {
			return s
		}
	}
	return nil
}

// FitTargets fits the network's TargetScaler to the training targets (see
// TargetScaler.Fit). It returns an error if the network has none (build it
// with Spec.ScaleTargets).
func (n *Network) FitTargets(targets *mat.Matrix) error {
	s := n.TargetScaler()
	if s == nil {
		return fmt.Errorf("layers: FitTargets: the network has no TargetScaler (build a regression network with Spec.ScaleTargets set)")
	}
	return s.Fit(targets)
}
