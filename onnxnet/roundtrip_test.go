package onnxnet

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/onnx"
)

func randomInput(rows, cols int, seed uint64) *mat.Matrix {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := mat.New(rows, cols)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

func randomizeBiases(net *layers.Network, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	for _, p := range net.Params() {
		if !p.Regularize {
			for i := range p.Value.Data {
				p.Value.Data[i] = rng.Float32() - 0.5
			}
		}
	}
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func predict(net *layers.Network, x *mat.Matrix) []float32 {
	out := mat.New(x.Rows, net.Outputs())
	net.Predict(out, x)
	return out.Data
}

// Export, encode, decode and import give back the same network, bit for bit.
func TestRoundTrip(t *testing.T) {
	for _, spec := range []layers.Spec{
		layers.NewSpec(784, []int{256}, 10),
		{Inputs: 784, Hidden: []int{512, 512}, Outputs: 10, Keep: 0.5, InputKeep: 0.8},
		layers.NewSpec(7, nil, 3),
		{Inputs: 9, Hidden: []int{8, 7, 6, 5}, Outputs: 4, Keep: 1, InputKeep: 1, Activations: []layers.Activation{layers.ActReLU, layers.ActTanh, layers.ActSigmoid, layers.ActLeakyReLU}},
		{Inputs: 5, Hidden: []int{6}, Outputs: 1, Keep: 1, InputKeep: 1, Activation: layers.ActTanh, Head: layers.HeadMSE},
		{Inputs: 5, Hidden: []int{6}, Outputs: 2, Keep: 1, InputKeep: 1, Head: layers.HeadHuber},
	} {
		net, err := spec.Build(3)
		if err != nil {
			t.Fatal(err)
		}
		randomizeBiases(net, 4)
		m, err := Export(net, ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := onnx.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := onnx.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		if got := back.Metadata()[layers.MetaHidden]; got != m.Metadata()[layers.MetaHidden] {
			t.Errorf("%v: arch.hidden %q after the round trip", spec, got)
		}
		net2, rep, err := Import(back)
		if err != nil {
			t.Fatalf("%v: %v", spec, err)
		}
		t.Logf("%v:\n%s", spec, rep)
		if s2, _ := net2.Spec(); s2.String() != spec.String() {
			t.Errorf("%v: imported as %v", spec, s2)
		}
		x := randomInput(5, spec.Inputs, 1)
		if d := maxDiff(predict(net, x), predict(net2, x)); d != 0 {
			t.Errorf("%v: predictions differ by %g after the round trip", spec, d)
		}
	}
}

// A Normalizer is exported as Sub and Mul and folded into the first layer
// on import; GELU is exported as its formula, which the importer
// recognises.
func TestExportNormalizerAndGELU(t *testing.T) {
	spec := layers.Spec{Inputs: 6, Hidden: []int{5}, Outputs: 3, Keep: 1, InputKeep: 1, Normalize: true}
	net, err := spec.Build(2)
	if err != nil {
		t.Fatal(err)
	}
	x := randomInput(40, spec.Inputs, 3)
	for i := range x.Data {
		x.Data[i] = 3*x.Data[i] + 1
	}
	if err := net.FitNormalizer(x); err != nil {
		t.Fatal(err)
	}
	m, err := Export(net, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ops := opTypes(m); ops != "Sub Mul Gemm Relu Gemm Softmax" {
		t.Errorf("ops %q", ops)
	}
	net2, rep, err := Import(m)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(predict(net, x), predict(net2, x)); d > 1e-6 {
		t.Errorf("normaliser folded: predictions differ by %g\n%s", d, rep)
	}

	gelu, err := layers.Spec{Inputs: 4, Hidden: []int{3}, Outputs: 2, Keep: 1, InputKeep: 1, Activation: layers.ActGELU}.Build(1)
	if err != nil {
		t.Fatal(err)
	}
	if m, err = Export(gelu, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if ops := opTypes(m); ops != "Gemm Mul Mul Mul Add Mul Tanh Add Mul Mul Gemm Softmax" {
		t.Errorf("GELU ops %q", ops)
	}
	back, rep, err := Import(m)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := back.Spec(); s.Activation != layers.ActGELU && (len(s.Activations) != 1 || s.Activations[0] != layers.ActGELU) {
		t.Errorf("the GELU formula imported as %v\n%s", s, rep)
	}
	x = randomInput(7, 4, 1)
	if d := maxDiff(predict(gelu, x), predict(back, x)); d != 0 {
		t.Errorf("GELU round trip: predictions differ by %g", d)
	}

	// A formula that is not an activation is refused, naming its first node.
	g := m.Graph
	for _, n := range g.Nodes {
		if n.OpType == "Tanh" {
			n.OpType = "Sigmoid"
		}
	}
	if _, _, err := Import(m); err == nil || !strings.Contains(err.Error(), `node "Mul_0" (Mul): the 9 element-wise nodes`) {
		t.Errorf("a formula that is no activation: %v", err)
	}
}

func opTypes(m *onnx.Model) string {
	var ops []string
	for _, n := range m.Graph.Nodes {
		ops = append(ops, n.OpType)
	}
	return strings.Join(ops, " ")
}

// A regression network with a normaliser and a target scaler exports them
// as Sub, Mul and Mul, Add, and imports with both folded into its layers.
func TestExportRegressionScaled(t *testing.T) {
	spec := layers.Spec{Inputs: 5, Hidden: []int{6}, Outputs: 2, Keep: 1, InputKeep: 1, Activation: layers.ActTanh, Head: layers.HeadMSE, Normalize: true, ScaleTargets: true}
	net, err := spec.Build(3)
	if err != nil {
		t.Fatal(err)
	}
	var scaler *layers.TargetScaler
	for _, l := range net.Layers() {
		switch l := l.(type) {
		case *layers.Normalizer:
			copy(l.Mean(), []float32{1, 2, 3, 4, 5})
			copy(l.Scale(), []float32{0.5, 0.25, 2, 1, 4})
		case *layers.TargetScaler:
			scaler = l
		}
	}
	copy(scaler.Scale(), []float32{100, 0.01})
	copy(scaler.Shift(), []float32{-50, 3})
	m, err := Export(net, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ops := opTypes(m); ops != "Sub Mul Gemm Tanh Gemm Mul Add" {
		t.Errorf("ops %q", ops)
	}
	if m.Graph.Outputs[0].Name != "output" {
		t.Errorf("output %q", m.Graph.Outputs[0].Name)
	}
	back, rep, err := Import(m)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := back.Spec(); s.Head != layers.HeadMSE || s.Normalize || s.ScaleTargets {
		t.Errorf("imported as %v", s)
	}
	x := randomInput(9, 5, 4)
	want, got := predict(net, x), predict(back, x)
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
			t.Errorf("output %d: %g, want %g\n%s", i, got[i], want[i], rep)
		}
	}
}
