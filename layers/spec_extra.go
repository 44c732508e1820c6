package layers

import (
	"fmt"
	"strings"
)

// Metadata keys for the activations, head and normaliser, written only
// when they differ from the defaults: a missing key means ReLU, a softmax
// head and no normaliser.
const (
	MetaActivation   = "arch.activation"    // "relu", or one name per hidden layer: "tanh,relu"
	MetaHead         = "arch.head"          // "softmax", "mse" or "huber"
	MetaNormalize    = "arch.normalize"     // "none" or "affine" (a Normalizer's mean and scale tensors)
	MetaScaleTargets = "arch.scale_targets" // "0" or "1" (a TargetScaler's shift and scale tensors)
)

// activation returns the activation after hidden layer i.
func (s Spec) activation(i int) Activation {
	if len(s.Activations) > 0 {
		return s.Activations[i]
	}
	return s.Activation
}

// headLayer returns a new layer for s.Head.
func (s Spec) headLayer() Layer {
	switch s.Head {
	case HeadMSE:
		return &MSE{}
	case HeadHuber:
		return &Huber{Delta: 1}
	}
	return NewSoftmaxCE()
}

func (s Spec) validateHeadAndActivations() error {
	switch {
	case !s.Head.Regression() && s.Head != HeadSoftmax:
		return fmt.Errorf("layers: spec: unknown head %v", s.Head)
	case s.Head.Regression() && (s.Outputs < 1 || s.Outputs > MaxUnits):
		return fmt.Errorf("layers: spec: %d outputs; a regression network needs 1 to %d", s.Outputs, MaxUnits)
	case !s.Head.Regression() && (s.Outputs < 2 || s.Outputs > MaxUnits):
		return fmt.Errorf("layers: spec: %d outputs; a classifier needs 2 to %d classes (for float targets use a regression head such as HeadMSE)", s.Outputs, MaxUnits)
	case len(s.Activations) > 0 && len(s.Activations) != len(s.Hidden):
		return fmt.Errorf("layers: spec: %d activations for %d hidden layers; give one per hidden layer, or set Activation for all", len(s.Activations), len(s.Hidden))
	case s.ScaleTargets && !s.Head.Regression():
		return fmt.Errorf("layers: spec: ScaleTargets needs a regression head")
	case !s.Activation.valid():
		return fmt.Errorf("layers: spec: unknown activation %v", s.Activation)
	}
	for i, a := range s.Activations {
		if !a.valid() {
			return fmt.Errorf("layers: spec: hidden layer %d: unknown activation %v", i, a)
		}
	}
	return nil
}

// activationList returns the activation of every hidden layer, collapsed
// to one when they are all the same.
func (s Spec) activationList() []Activation {
	if len(s.Activations) == 0 {
		return []Activation{s.Activation}
	}
	for _, a := range s.Activations[1:] {
		if a != s.Activations[0] {
			return s.Activations
		}
	}
	return s.Activations[:1]
}

func (s Spec) extraString() string {
	var b strings.Builder
	if acts := s.activationList(); len(acts) > 1 || acts[0] != ActReLU {
		b.WriteString(" act=" + joinActivations(acts))
	}
	if s.Head != HeadSoftmax {
		b.WriteString(" head=" + s.Head.String())
	}
	if s.Normalize {
		b.WriteString(" normalize")
	}
	if s.ScaleTargets {
		b.WriteString(" scale_targets")
	}
	return b.String()
}

func joinActivations(acts []Activation) string {
	names := make([]string, len(acts))
	for i, a := range acts {
		names[i] = a.String()
	}
	return strings.Join(names, ",")
}

// extraMeta adds the keys that differ from the defaults (so that a plain
// ReLU classifier's metadata reads as before these keys existed).
func (s Spec) extraMeta(m map[string]string) {
	if acts := s.activationList(); len(acts) > 1 || acts[0] != ActReLU {
		m[MetaActivation] = joinActivations(acts)
	}
	if s.Head != HeadSoftmax {
		m[MetaHead] = s.Head.String()
	}
	if s.Normalize {
		m[MetaNormalize] = "affine"
	}
	if s.ScaleTargets {
		m[MetaScaleTargets] = "1"
	}
}

func (s *Spec) readExtraMeta(meta map[string]string) error {
	if v, ok := meta[MetaActivation]; ok {
		acts, err := ParseActivations(v)
		if err != nil {
			return fmt.Errorf("layers: metadata %s=%q: %v", MetaActivation, v, strings.TrimPrefix(err.Error(), "layers: "))
		}
		switch {
		case len(acts) == 1:
			s.Activation = acts[0]
		case len(acts) == len(s.Hidden) && len(acts) > 0:
			s.Activations = acts
		default:
			return fmt.Errorf("layers: metadata %s=%q: %d activations for %d hidden layers", MetaActivation, v, len(acts), len(s.Hidden))
		}
	}
	if v, ok := meta[MetaHead]; ok {
		h, err := ParseHead(v)
		if err != nil {
			return fmt.Errorf("layers: metadata %s: %v", MetaHead, strings.TrimPrefix(err.Error(), "layers: "))
		}
		s.Head = h
	}
	if v, ok := meta[MetaNormalize]; ok {
		switch v {
		case "none":
		case "affine":
			s.Normalize = true
		default:
			return fmt.Errorf("layers: metadata %s=%q: want none or affine", MetaNormalize, v)
		}
	}
	if v, ok := meta[MetaScaleTargets]; ok {
		switch v {
		case "0":
		case "1":
			s.ScaleTargets = true
		default:
			return fmt.Errorf("layers: metadata %s=%q: want 0 or 1", MetaScaleTargets, v)
		}
	}
	return nil
}

// TensorShapes lists what Network.Tensors of the built network would hold,
// by name and shape (Data nil), without allocating: the parameters
// (ParamShapes) and the fixed tensors of a Normalizer and a TargetScaler.
// A checkpoint's tensors can be checked against it before building.
func (s Spec) TensorShapes() ([]Tensor, error) {
	params, err := s.ParamShapes()
	if err != nil {
		return nil, err
	}
	var ts []Tensor
	if s.Normalize {
		ts = append(ts, Tensor{Name: NormalizerMean, Shape: []int{s.Inputs}}, Tensor{Name: NormalizerScale, Shape: []int{s.Inputs}})
	}
	ts = append(ts, params...)
	if s.ScaleTargets {
		ts = append(ts, Tensor{Name: TargetShift, Shape: []int{s.Outputs}}, Tensor{Name: TargetScale, Shape: []int{s.Outputs}})
	}
	return ts, nil
}
