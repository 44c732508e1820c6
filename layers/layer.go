package layers

import "github.com/gomlp/gomlp/mat"

// Layer is one stage of a Network. The Network owns the activation and
// gradient buffers and passes them in; a layer keeps only its parameters
// and, in training mode, whatever its backward pass needs (Dropout's mask).
type Layer interface {
	// OutputCols returns the width of the output for an input of width in.
	// in is -1 when the input width is not yet known (a network that does
	// not start with a Dense layer); a layer that cannot accept in panics.
	OutputCols(in int) int

	// Forward computes y from x; y is x.Rows × OutputCols(x.Cols) and does
	// not overlap x. With train false it must not modify the layer, so that
	// goroutines may share it; with train true it may record state for
	// Backward.
	Forward(y, x *mat.Matrix, train bool)

	// Backward takes the x and y of the last training Forward and dy, the
	// gradient of the loss with respect to y, and, unless dx is nil, sets dx
	// to the gradient with respect to x.
	//
	// Important: for each parameter p it must set
	//
	//	p.Grad = p.GradDecay·p.Grad + ∂loss/∂p
	//
	// not simply p.Grad = ∂loss/∂p. GradDecay is 0 unless an optimizer sets
	// it: sgd.New sets it to the momentum μ for Momentum without clipping,
	// and then Grad holds the velocity v = μ·v + g, which the backward pass
	// updates for free (one fused pass instead of two). A layer that
	// overwrites Grad trains without momentum, silently; a layer that adds
	// to Grad when GradDecay is 0 accumulates gradients across steps.
	Backward(dx, dy, x, y *mat.Matrix)

	// Params lists the layer's trainable parameters in a fixed order.
	Params() []*Param
}

// LossLayer is an output head that also scores its input against class
// labels: the fused, numerically stable path used in training.
type LossLayer interface {
	Layer

	// Loss returns the mean loss over the rows of x (the head's input, for
	// example logits) for the given class labels, and, unless dx is nil,
	// sets dx to the gradient of that mean with respect to x.
	Loss(dx, x *mat.Matrix, labels []int) float64
}

// buffer is a growable matrix: shape returns a compact rows×cols matrix over
// memory that is reused while it is large enough.
type buffer struct {
	data []float32
	m    mat.Matrix
}

func (b *buffer) shape(rows, cols int) *mat.Matrix {
	n := rows * cols
	if cap(b.data) < n {
		b.data = make([]float32, n)
	}
	b.m = mat.Matrix{Rows: rows, Cols: cols, Stride: cols, Data: b.data[:n]}
	return &b.m
}
