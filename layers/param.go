package layers

import (
	"fmt"

	"github.com/gomlp/gomlp/mat"
)

// Param is one trainable tensor of a layer: its value and the gradient the
// last backward pass computed for it. Value and Grad have the same shape and
// are compact (Stride == Cols); a bias vector is stored as a 1×n matrix.
type Param struct {
	Name  string      // stable name, e.g. "dense_0/weights"
	Shape []int       // logical shape: [in, out] for weights, [out] for biases
	Value *mat.Matrix // the parameter
	Grad  *mat.Matrix // gradient of the loss with respect to Value

	// Regularize marks the parameters that L1/L2 penalties and weight decay
	// apply to: true for weights, false for biases (change it to opt in or out).
	Regularize bool

	// GradDecay d makes the backward pass set Grad = d·Grad + ∂loss/∂Value
	// instead of overwriting it (d = 0, the default). An optimizer with
	// momentum sets it to its momentum and uses Grad as its velocity: the
	// decay then costs nothing, as the weight-gradient Gemm applies it.
	GradDecay float32
}

// newParam allocates a zeroed parameter and its gradient.
func newParam(name string, shape []int, rows, cols int, regularize bool) *Param {
	return &Param{Name: name, Shape: shape, Value: mat.New(rows, cols), Grad: mat.New(rows, cols), Regularize: regularize}
}

// Tensor is a named float32 array with a shape: the form in which parameters
// and optimizer state are listed for checkpoints. Data aliases the live
// storage, so reading it saves a tensor and copying into it restores one.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// Tensor returns the parameter's value as a Tensor that aliases it.
func (p *Param) Tensor() Tensor {
	return Tensor{Name: p.Name, Shape: p.Shape, Data: p.Value.Data}
}

// NumElements returns the product of the dimensions of shape (1 for a scalar).
func NumElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// CopyTensors copies the data of each src tensor into the dst tensor of the
// same name. It is all-or-nothing: it returns an error, and copies nothing,
// if a dst tensor has no source, a source has no destination, or shapes
// differ. (Checkpoint files get a richer report from package ckpt; this is
// for moving state between live objects, e.g. keeping the best weights.)
func CopyTensors(dst, src []Tensor) error {
	byName := make(map[string]Tensor, len(src))
	for _, s := range src {
		byName[s.Name] = s
	}
	if len(byName) != len(src) {
		return fmt.Errorf("layers: CopyTensors: duplicate source names")
	}
	for _, d := range dst {
		s, ok := byName[d.Name]
		if !ok {
			return fmt.Errorf("layers: CopyTensors: no source for %q", d.Name)
		}
		if !sameShape(d.Shape, s.Shape) || len(d.Data) != len(s.Data) {
			return fmt.Errorf("layers: CopyTensors: %q: source %v, destination %v", d.Name, s.Shape, d.Shape)
		}
	}
	if len(dst) != len(src) {
		return fmt.Errorf("layers: CopyTensors: %d sources for %d destinations", len(src), len(dst))
	}
	for _, d := range dst {
		copy(d.Data, byName[d.Name].Data)
	}
	return nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
