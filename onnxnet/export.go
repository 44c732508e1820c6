// Package onnxnet maps gomlp networks to ONNX models and back: Export writes
// a Network as an ONNX graph (Gemm, activations, Softmax), Import rebuilds a
// Network from the multilayer-perceptron subset of ONNX that real exporters
// write, refusing anything else by node name and operator.
//
// Package onnx reads and writes the files; this package is the one place
// that knows both ONNX graphs and gomlp layers.
package onnxnet

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/onnx"
)

// What Export writes: IR version 7 with operator set 13 is read by every
// ONNX Runtime since 1.7 and by onnx 1.8 and later.
const (
	IRVersion = 7
	Opset     = 13
)

// ExportOptions name the graph's input and output and add metadata.
type ExportOptions struct {
	InputName  string            // default "input"
	OutputName string            // default "probabilities" (a SoftmaxCE head) or "output"
	Metadata   map[string]string // added to metadata_props beside the architecture
}

// MetaWriter is the metadata key that names the program that wrote a model.
const MetaWriter = "writer"

// Export returns net as an ONNX model for inference: each Dense layer is a
// Gemm whose weights and biases are initializers named as the network's
// parameters, each activation its ONNX operator (GELU, which has no
// operator before opset 20, as its tanh formula in Mul, Add and Tanh),
// a Normalizer Sub and Mul by its mean and scale, a TargetScaler Mul and
// Add by its scale and shift, a SoftmaxCE head a
// Softmax, and a regression head nothing (its outputs are the last layer's),
// so that the model computes what Predict computes. Dropout is left out.
// The batch dimension is symbolic ("batch"); the architecture
// (layers.Spec.Meta) is in metadata_props when net was built from a Spec.
// The initializers copy the weights.
func Export(net *layers.Network, opt ExportOptions) (*onnx.Model, error) {
	if opt.InputName == "" {
		opt.InputName = "input"
	}
	if net.Inputs() <= 0 {
		return nil, fmt.Errorf("onnxnet: export: the network has no Dense layer")
	}
	e := &exporter{g: &onnx.Graph{Name: "gomlp"}, cur: opt.InputName, counts: map[string]int{}}
	ls := net.Layers()
	softmax := false
	for i, l := range ls {
		switch l := l.(type) {
		case *layers.Dense:
			w, b := l.Weights(), l.Biases()
			e.g.Initializers = append(e.g.Initializers,
				onnx.FloatTensor(w.Name, []int64{int64(l.In), int64(l.Out)}, w.Value.Data),
				onnx.FloatTensor(b.Name, []int64{int64(l.Out)}, b.Value.Data))
			e.node("Gemm", []string{e.cur, w.Name, b.Name})
			e.g.Nodes[len(e.g.Nodes)-1].Name = l.Name()
		case *layers.Dropout:
			// inference: the identity
		case *layers.SoftmaxCE:
			if i != len(ls)-1 {
				return nil, fmt.Errorf("onnxnet: export: layer %d: a SoftmaxCE head before the last layer", i)
			}
			e.node("Softmax", []string{e.cur}, &onnx.Attribute{Name: "axis", Type: onnx.AttrInt, I: -1})
			softmax = true
		case *layers.MSE, *layers.Huber:
			// a regression head passes the outputs through
		case *layers.TargetScaler:
			scale, shift := e.constant(layers.TargetScale, l.Scale()), e.constant(layers.TargetShift, l.Shift())
			e.node("Mul", []string{e.cur, scale})
			e.node("Add", []string{e.cur, shift})
		case *layers.Normalizer:
			mean, scale := e.constant(layers.NormalizerMean, l.Mean()), e.constant(layers.NormalizerScale, l.Scale())
			e.node("Sub", []string{e.cur, mean})
			e.node("Mul", []string{e.cur, scale})
		case *layers.GELU:
			// x·(1+tanh(√(2/π)(x+0.044715·x³)))/2, in the order gomlp computes it.
			x := e.cur
			e.node("Mul", []string{e.scalar("gelu/a", 0.044715), x})
			e.node("Mul", []string{e.cur, x})
			e.node("Mul", []string{e.cur, x})
			e.node("Add", []string{x, e.cur})
			e.node("Mul", []string{e.scalar("gelu/c", float32(math.Sqrt(2/math.Pi))), e.cur})
			e.node("Tanh", []string{e.cur})
			e.node("Add", []string{e.cur, e.scalar("gelu/one", 1)})
			t := e.cur
			e.node("Mul", []string{x, e.scalar("gelu/half", 0.5)})
			e.node("Mul", []string{e.cur, t})
		default:
			op, attrs, ok := activationOp(l)
			if !ok {
				return nil, fmt.Errorf("onnxnet: export: layer %d (%T) has no ONNX form here", i, l)
			}
			e.node(op, []string{e.cur}, attrs...)
		}
	}
	if opt.OutputName == "" {
		opt.OutputName = "output"
		if softmax {
			opt.OutputName = "probabilities"
		}
	}
	if len(e.g.Nodes) == 0 {
		e.node("Identity", []string{e.cur})
	}
	e.g.Nodes[len(e.g.Nodes)-1].Outputs[0] = opt.OutputName // nothing reads the last value
	dims := func(n int) []onnx.Dim {
		return []onnx.Dim{{Param: "batch"}, {Value: int64(n), HasValue: true}}
	}
	e.g.Inputs = []*onnx.ValueInfo{{Name: opt.InputName, Type: &onnx.TensorType{ElemType: onnx.Float, Shape: dims(net.Inputs()), HasShape: true}}}
	e.g.Outputs = []*onnx.ValueInfo{{Name: opt.OutputName, Type: &onnx.TensorType{ElemType: onnx.Float, Shape: dims(net.Outputs()), HasShape: true}}}

	meta := map[string]string{MetaWriter: "gomlp"}
	if spec, ok := net.Spec(); ok {
		maps.Copy(meta, spec.Meta())
	}
	maps.Copy(meta, opt.Metadata)
	m := &onnx.Model{
		IRVersion:    IRVersion,
		OpsetImports: []onnx.OpsetID{{Version: Opset}},
		ProducerName: "gomlp",
		Graph:        e.g,
	}
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		m.MetadataProps = append(m.MetadataProps, onnx.StringPair{Key: k, Value: meta[k]})
	}
	return m, nil
}

// exporter appends nodes to a graph, threading the data path through cur.
type exporter struct {
	g      *onnx.Graph
	cur    string
	counts map[string]int
	consts map[string]bool
}

// node appends an op on inputs; its output becomes the data path.
func (e *exporter) node(op string, inputs []string, attrs ...*onnx.Attribute) {
	name := fmt.Sprintf("%s_%d", op, e.counts[op])
	e.counts[op]++
	e.cur = name + "_out"
	e.g.Nodes = append(e.g.Nodes, &onnx.Node{Name: name, OpType: op, Inputs: inputs, Outputs: []string{e.cur}, Attributes: attrs})
}

// constant adds a float initializer of shape [len(v)] and returns its name.
func (e *exporter) constant(name string, v []float32) string {
	e.g.Initializers = append(e.g.Initializers, onnx.FloatTensor(name, []int64{int64(len(v))}, v))
	return name
}

// scalar adds a scalar initializer once and returns its name.
func (e *exporter) scalar(name string, v float32) string {
	if e.consts == nil {
		e.consts = map[string]bool{}
	}
	if !e.consts[name] {
		e.consts[name] = true
		e.g.Initializers = append(e.g.Initializers, onnx.FloatTensor(name, nil, []float32{v}))
	}
	return name
}

// activationOp returns the ONNX operator of an element-wise activation
// layer and its attributes.
func activationOp(l layers.Layer) (string, []*onnx.Attribute, bool) {
	switch l.(type) {
	case *layers.ReLU:
		return "Relu", nil, true
	case *layers.Tanh:
		return "Tanh", nil, true
	case *layers.Sigmoid:
		return "Sigmoid", nil, true
	case *layers.LeakyReLU:
		return "LeakyRelu", []*onnx.Attribute{{Name: "alpha", Type: onnx.AttrFloat, F: leakySlope}}, true
	}
	return "", nil, false
}

// leakySlope is the library's LeakyReLU slope for negative inputs.
const leakySlope = 0.01
