package layers

import (
	"fmt"
	"sync"

	"github.com/gomlp/gomlp/loss"
	"github.com/gomlp/gomlp/mat"
)

// Network is a sequence of layers, usually Dense and ReLU (and Dropout)
// pairs ending in a SoftmaxCE head.
//
// The training methods (ForwardBackward, Forward, Backward, Evaluate,
// SeedDropout) use buffers owned by the network and must not run
// concurrently with each other or with Predict/Classify. Predict and
// Classify may run concurrently with each other.
type Network struct {
	layers     []Layer
	params     []*Param
	head       LossLayer // the last layer, if it is a LossLayer
	firstParam int       // index of the first layer with parameters, -1 if none
	inputs     int       // width of the input, -1 if no Dense layer fixes it
	outputs    int       // width of the output, -1 if unknown
	spec       *Spec     // the Spec that built the network, if any

	// Training state: acts[i] holds layer i's output, grads[i] the gradient
	// with respect to it; lastX is the input of the last training Forward.
	acts, grads []buffer
	lastX       *mat.Matrix

	scratch sync.Pool // of *predictScratch
}

// New returns a network of the given layers, in order from the input. It
// names every Dense layer that has no name "dense_i", i counting Dense
// layers from 0, and panics if two parameters would share a name or
// consecutive layers do not fit together (both are mistakes in the code
// that builds the network).
func New(layers ...Layer) *Network {
	if len(layers) == 0 {
		panic("layers: New: a network needs at least one layer")
	}
	n := &Network{
		layers:     append([]Layer(nil), layers...),
		firstParam: -1,
		inputs:     -1,
		acts:       make([]buffer, len(layers)),
		grads:      make([]buffer, len(layers)),
	}
	dense := 0
	seen := map[string]bool{}
	width := -1
	for i, l := range n.layers {
		if d, ok := l.(*Dense); ok {
			if d.name == "" {
				d.name = fmt.Sprintf("dense_%d", dense)
				d.setNames()
			}
			if n.inputs == -1 {
				n.inputs = d.In
			}
			dense++
		}
		width = l.OutputCols(width)
		if f, ok := l.(FixedLayer); ok {
			for _, t := range f.FixedTensors() {
				if seen[t.Name] {
					panic(fmt.Sprintf("layers: New: two tensors are named %q", t.Name))
				}
				seen[t.Name] = true
			}
		}
		for _, p := range l.Params() {
			if seen[p.Name] {
				panic(fmt.Sprintf("layers: New: two parameters are named %q", p.Name))
			}
			seen[p.Name] = true
			n.params = append(n.params, p)
			if n.firstParam == -1 {
				n.firstParam = i
			}
		}
	}
	n.outputs = width
	n.head, _ = n.layers[len(n.layers)-1].(LossLayer)
	return n
}

// Layers returns the network's layers, from the input.
func (n *Network) Layers() []Layer { return append([]Layer(nil), n.layers...) }

// Params returns every trainable parameter in a stable order: layer by
// layer from the input, weights before biases. The Params themselves are
// shared with the network.
func (n *Network) Params() []*Param { return append([]*Param(nil), n.params...) }

// Tensors returns everything a checkpoint stores of the network as named
// tensors that alias its memory (see Tensor), layer by layer from the
// input: the fixed tensors of FixedLayers (a Normalizer's mean and scale)
// and the parameter values, in the order of Params.
func (n *Network) Tensors() []Tensor {
	t := make([]Tensor, 0, len(n.params))
	for _, l := range n.layers {
		if f, ok := l.(FixedLayer); ok {
			t = append(t, f.FixedTensors()...)
		}
		for _, p := range l.Params() {
			t = append(t, p.Tensor())
		}
	}
	return t
}

// Inputs returns the number of input features (the first Dense layer's
// input size), or -1 if there is no Dense layer.
func (n *Network) Inputs() int { return n.inputs }

// Outputs returns the width of the output (the number of classes for a
// classifier), or -1 if no layer fixes it.
func (n *Network) Outputs() int { return n.outputs }

// Spec returns the Spec the network was built from, if Spec.Build built it.
func (n *Network) Spec() (Spec, bool) {
	if n.spec == nil {
		return Spec{}, false
	}
	return n.spec.clone(), true
}

// SeedDropout reseeds every Dropout layer from seed (each layer gets its
// own stream), making the next masks reproducible.
func (n *Network) SeedDropout(seed uint64) {
	k := uint64(0)
	for _, l := range n.layers {
		if d, ok := l.(*Dropout); ok {
			d.Reseed(Mix(seed, k))
			k++
		}
	}
}

// Mix derives a well-spread 64-bit seed from a seed and a counter (for
// example an epoch number), so that nearby inputs give unrelated streams.
func Mix(seed, counter uint64) uint64 {
	z := seed + (counter+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// ForwardBackward runs one training pass on a batch: the forward pass in
// training mode up to the head's input (the logits), the head's fused loss
// against labels, and the backward pass, which sets every parameter's Grad
// (overwriting it, unless an optimizer set the Param's GradDecay). It
// returns the mean loss over the batch and how many rows the logits
// classify correctly.
//
// The last layer must be a LossLayer (such as SoftmaxCE). The first layer
// with parameters gets no input gradient: nothing needs it, and skipping it
// saves about a third of the work of a two-layer network.
// Allocation happens only when a batch is larger than any before.
func (n *Network) ForwardBackward(x *mat.Matrix, labels []int) (mean float64, correct int) {
	if n.head == nil {
		panic(fmt.Sprintf("layers: ForwardBackward: the last layer (%T) is not a LossLayer", n.layers[len(n.layers)-1]))
	}
	last := len(n.layers) - 1
	logits := n.forward(x, last, true)
	var dlogits *mat.Matrix
	if last > 0 && n.firstParam >= 0 && n.firstParam < last {
		dlogits = n.grads[last-1].shape(logits.Rows, logits.Cols)
	}
	mean = n.head.Loss(dlogits, logits, labels)
	correct = loss.Correct(logits, labels)
	if dlogits != nil {
		n.backward(last-1, dlogits, x)
	}
	return mean, correct
}

// Evaluate runs the forward pass in evaluation mode (dropout off) and
// returns the head's mean loss against labels and the number of rows
// classified correctly. It uses the training buffers (see Network).
func (n *Network) Evaluate(x *mat.Matrix, labels []int) (mean float64, correct int) {
	if n.head == nil {
		panic(fmt.Sprintf("layers: Evaluate: the last layer (%T) is not a LossLayer", n.layers[len(n.layers)-1]))
	}
	logits := n.forward(x, len(n.layers)-1, false)
	return n.head.Loss(nil, logits, labels), loss.Correct(logits, labels)
}

// Forward runs every layer on x and returns the output (class probabilities
// for a SoftmaxCE head). The result lives in the network's buffers and is
// overwritten by the next training call. After Forward(x, true), Backward
// can follow.
func (n *Network) Forward(x *mat.Matrix, train bool) *mat.Matrix {
	return n.forward(x, len(n.layers), train)
}

// Backward back-propagates dy, the gradient of a loss with respect to the
// output of the last Forward(x, true), setting every parameter's Grad.
func (n *Network) Backward(dy *mat.Matrix) {
	last := len(n.layers) - 1
	out := &n.acts[last].m
	if n.lastX == nil || dy.Rows != out.Rows || dy.Cols != out.Cols {
		panic(fmt.Sprintf("layers: Backward: gradient %s for an output %s (Backward must follow Forward(x, true))", dy.Shape(), out.Shape()))
	}
	n.backward(last, dy, n.lastX)
}

// forward runs layers [0, upto) on x in the training buffers and returns
// the last output (x itself if upto is 0).
func (n *Network) forward(x *mat.Matrix, upto int, train bool) *mat.Matrix {
	in := x
	for i := 0; i < upto; i++ {
		l := n.layers[i]
		out := n.acts[i].shape(x.Rows, l.OutputCols(in.Cols))
		if d := n.denseReLU(i, upto); d != nil {
			// The ReLU's input buffer holds its output too: its backward
			// pass reads the mask x > 0, the same on either.
			d.forwardReLU(out, in)
			i++
			n.acts[i].m = *out
		} else {
			l.Forward(out, in, train)
		}
		in = out
	}
	if train {
		n.lastX = x
	} else {
		n.lastX = nil
	}
	return in
}

// backward back-propagates dy, the gradient with respect to the output of
// layer from, down to the first layer with parameters.
func (n *Network) backward(from int, dy, x *mat.Matrix) {
	if n.firstParam < 0 {
		return // nothing to train
	}
	for i := from; i >= n.firstParam; i-- {
		in := x
		if i > 0 {
			in = &n.acts[i-1].m
		}
		var dx *mat.Matrix
		if i > n.firstParam {
			dx = n.grads[i-1].shape(in.Rows, in.Cols)
		}
		n.layers[i].Backward(dx, dy, in, &n.acts[i].m)
		dy = dx
	}
}

// predictScratch is the memory one Predict call needs: two ping-pong
// activation buffers and, for Classify, the output.
type predictScratch struct {
	ping, pong, out buffer
}

// Predict writes the network's output for each row of x into dst, which
// must be x.Rows × Outputs(): class probabilities for a SoftmaxCE head,
// with dropout off. Any batch size works, including 1.
//
// Predict is safe for concurrent use by any number of goroutines (as long
// as nothing trains the network at the same time). Its scratch memory comes
// from a pool and grows to the largest batch seen, so in steady state a
// call allocates nothing.
func (n *Network) Predict(dst, x *mat.Matrix) {
	s := n.getScratch()
	n.predict(s, dst, x)
	n.scratch.Put(s)
}

// Classify sets dst[i] to the most probable class of row i of x, with the
// same guarantees as Predict.
func (n *Network) Classify(dst []int, x *mat.Matrix) {
	if len(dst) != x.Rows {
		panic(fmt.Sprintf("layers: Classify: %d outputs for %s input", len(dst), x.Shape()))
	}
	s := n.getScratch()
	out := s.out.shape(x.Rows, n.outputCols(x.Cols))
	n.predict(s, out, x)
	mat.ArgmaxRows(dst, out)
	n.scratch.Put(s)
}

func (n *Network) getScratch() *predictScratch {
	if s, ok := n.scratch.Get().(*predictScratch); ok {
		return s
	}
	return new(predictScratch)
}

func (n *Network) outputCols(in int) int {
	for _, l := range n.layers {
		in = l.OutputCols(in)
	}
	return in
}

func (n *Network) predict(s *predictScratch, dst, x *mat.Matrix) {
	if want := n.outputCols(x.Cols); dst.Rows != x.Rows || dst.Cols != want {
		panic(fmt.Sprintf("layers: Predict: output %s for input %s, want %dx%d", dst.Shape(), x.Shape(), x.Rows, want))
	}
	in := x
	last := len(n.layers) - 1
	b, other := &s.ping, &s.pong
	for i := 0; i <= last; i++ {
		l := n.layers[i]
		d := n.denseReLU(i, last+1)
		done := i // the last layer this step computes
		if d != nil {
			done++
		}
		out := dst
		if done < last {
			out = b.shape(x.Rows, l.OutputCols(in.Cols))
			b, other = other, b
		}
		if d != nil {
			d.forwardReLU(out, in)
		} else {
			l.Forward(out, in, false)
		}
		in, i = out, done
	}
}

// denseReLU returns layer i if it is a Dense followed by a ReLU, both
// before layer upto, which forward passes then run as one; else nil.
func (n *Network) denseReLU(i, upto int) *Dense {
	if i+1 >= upto {
		return nil
	}
	d, _ := n.layers[i].(*Dense)
	if _, ok := n.layers[i+1].(*ReLU); !ok {
		return nil
	}
	return d
}
