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
// parameters, each activation its ONNX operator, and a SoftmaxCE head a
// Softmax, so that the model computes what Predict computes. Dropout is
// left out. The batch dimension is symbolic ("batch"); the architecture
// (layers.Spec.Meta) is in metadata_props when net was built from a Spec.
// The initializers copy the weights.
func Export(net *layers.Network, opt ExportOptions) (*onnx.Model, error) {
	if opt.InputName == "" {
		opt.InputName = "input"
	}
	g := &onnx.Graph{Name: "gomlp"}
	cur := opt.InputName
	ls := net.Layers()
	last := len(ls) - 1
	for last >= 0 {
		if _, ok := ls[last].(*layers.Dropout); !ok {
			break
		}
		last--
	}
	if last < 0 || net.Inputs() <= 0 {
		return nil, fmt.Errorf("onnxnet: export: the network has no Dense layer")
	}
	if opt.OutputName == "" {
		opt.OutputName = "output"
		if _, ok := ls[last].(*layers.SoftmaxCE); ok {
			opt.OutputName = "probabilities"
		}
	}
	counts := map[string]int{}
	add := func(i int, op string, inputs []string, attrs ...*onnx.Attribute) {
		name := fmt.Sprintf("%s_%d", op, counts[op])
		counts[op]++
		out := name + "_out"
		if i == last {
			out = opt.OutputName
		}
		g.Nodes = append(g.Nodes, &onnx.Node{Name: name, OpType: op, Inputs: inputs, Outputs: []string{out}, Attributes: attrs})
		cur = out
	}
	for i, l := range ls[:last+1] {
		switch l := l.(type) {
		case *layers.Dense:
			w, b := l.Weights(), l.Biases()
			g.Initializers = append(g.Initializers,
				onnx.FloatTensor(w.Name, []int64{int64(l.In), int64(l.Out)}, w.Value.Data),
				onnx.FloatTensor(b.Name, []int64{int64(l.Out)}, b.Value.Data))
			add(i, "Gemm", []string{cur, w.Name, b.Name})
			g.Nodes[len(g.Nodes)-1].Name = l.Name()
		case *layers.Dropout:
			// inference: the identity
		case *layers.SoftmaxCE:
			if i != last {
				return nil, fmt.Errorf("onnxnet: export: layer %d: a SoftmaxCE head before the last layer", i)
			}
			add(i, "Softmax", []string{cur}, &onnx.Attribute{Name: "axis", Type: onnx.AttrInt, I: -1})
		default:
			op, ok := activationOp(l)
			if !ok {
				return nil, fmt.Errorf("onnxnet: export: layer %d (%T) has no ONNX form here", i, l)
			}
			add(i, op, []string{cur})
		}
	}
	if cur == opt.InputName {
		// Only dropout: still a valid graph.
		add(last, "Identity", []string{cur})
	}
	dims := func(n int) []onnx.Dim {
		return []onnx.Dim{{Param: "batch"}, {Value: int64(n), HasValue: true}}
	}
	g.Inputs = []*onnx.ValueInfo{{Name: opt.InputName, Type: &onnx.TensorType{ElemType: onnx.Float, Shape: dims(net.Inputs()), HasShape: true}}}
	g.Outputs = []*onnx.ValueInfo{{Name: opt.OutputName, Type: &onnx.TensorType{ElemType: onnx.Float, Shape: dims(net.Outputs()), HasShape: true}}}

	meta := map[string]string{MetaWriter: "gomlp"}
	if spec, ok := net.Spec(); ok {
		maps.Copy(meta, spec.Meta())
	}
	maps.Copy(meta, opt.Metadata)
	m := &onnx.Model{
		IRVersion:    IRVersion,
		OpsetImports: []onnx.OpsetID{{Version: Opset}},
		ProducerName: "gomlp",
		Graph:        g,
	}
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		m.MetadataProps = append(m.MetadataProps, onnx.StringPair{Key: k, Value: meta[k]})
	}
	return m, nil
}

// activationOp returns the ONNX operator of an element-wise activation layer.
func activationOp(l layers.Layer) (string, bool) {
	switch l.(type) {
	case *layers.ReLU:
		return "Relu", true
	}
	return "", false
}
