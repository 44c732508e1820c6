package onnxnet

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/onnx"
)

// reference computes probabilities for x from [in, out] weights and biases
// with ReLU between layers, in float64, independently of the importer.
func reference(x *mat.Matrix, ws [][]float32, bs [][]float32, sizes []int) [][]float64 {
	out := make([][]float64, x.Rows)
	for r := 0; r < x.Rows; r++ {
		h := make([]float64, sizes[0])
		for i, v := range x.Row(r) {
			h[i] = float64(v)
		}
		for l := range ws {
			in, o := sizes[l], sizes[l+1]
			next := make([]float64, o)
			for j := 0; j < o; j++ {
				s := float64(bs[l][j])
				for i := 0; i < in; i++ {
					s += h[i] * float64(ws[l][i*o+j])
				}
				if l < len(ws)-1 {
					s = math.Max(s, 0)
				}
				next[j] = s
			}
			h = next
		}
		mx := math.Inf(-1)
		for _, v := range h {
			mx = math.Max(mx, v)
		}
		sum := 0.0
		for j := range h {
			h[j] = math.Exp(h[j] - mx)
			sum += h[j]
		}
		for j := range h {
			h[j] /= sum
		}
		out[r] = h
	}
	return out
}

func seq(n int, scale float32, off float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = scale*float32((i*7919)%97)/97 + off
	}
	return v
}

func transpose(w []float32, rows, cols int) []float32 {
	t := make([]float32, len(w))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			t[j*rows+i] = w[i*cols+j]
		}
	}
	return t
}

func input(name string, dims ...onnx.Dim) *onnx.ValueInfo {
	return &onnx.ValueInfo{Name: name, Type: &onnx.TensorType{ElemType: onnx.Float, Shape: dims, HasShape: true}}
}

var batch = onnx.Dim{Param: "N"}

func fixed(n int64) onnx.Dim { return onnx.Dim{Value: n, HasValue: true} }

func node(op, name string, in []string, out string, attrs ...*onnx.Attribute) *onnx.Node {
	return &onnx.Node{OpType: op, Name: name, Inputs: in, Outputs: []string{out}, Attributes: attrs}
}

func intAttr(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}

func floatAttr(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

// A 6-5-3 network written in the ways exporters write it imports to the
// same predictions.
func TestImportForms(t *testing.T) {
	const in, hid, out = 6, 5, 3
	w0, b0 := seq(in*hid, 2, -1), seq(hid, 1, -0.5)
	w1, b1 := seq(hid*out, 3, -1.5), seq(out, 0.5, 0)
	x := mat.FromSlice(4, in, seq(4*in, 1, 0))
	want := reference(x, [][]float32{w0, w1}, [][]float32{b0, b1}, []int{in, hid, out})

	half := func(name string, dims []int64, v []float32) *onnx.Tensor {
		// float16 values exactly representable: seq's values are k/97 scaled, not all exact,
		// so this form is checked with its own rounding below.
		t := &onnx.Tensor{Name: name, DataType: onnx.Float16, Dims: dims}
		for _, f := range v {
			t.Int32Data = append(t.Int32Data, int32(f16(f)))
		}
		return t
	}
	scaled := func(v []float32, k float32) []float32 {
		o := make([]float32, len(v))
		for i := range v {
			o[i] = v[i] * k
		}
		return o
	}
	cases := []struct {
		name  string
		graph *onnx.Graph
		tol   float64
	}{
		{"Gemm transB=1 (PyTorch)", &onnx.Graph{
			Inputs: []*onnx.ValueInfo{input("x", batch, fixed(in))}, Outputs: []*onnx.ValueInfo{input("y")},
			Initializers: []*onnx.Tensor{
				onnx.FloatTensor("w0", []int64{hid, in}, transpose(w0, in, hid)), onnx.FloatTensor("b0", []int64{hid}, b0),
				onnx.FloatTensor("w1", []int64{out, hid}, transpose(w1, hid, out)), onnx.FloatTensor("b1", []int64{out}, b1)},
			Nodes: []*onnx.Node{
				node("Gemm", "g0", []string{"x", "w0", "b0"}, "h0", intAttr("transB", 1)),
				node("Relu", "r0", []string{"h0"}, "a0"),
				node("Dropout", "d0", []string{"a0"}, "a1"),
				node("Gemm", "g1", []string{"a1", "w1", "b1"}, "y", intAttr("transB", 1), floatAttr("alpha", 1), floatAttr("beta", 1)),
			}}, 1e-6},
		{"MatMul+Add, typed float_data, Softmax, Identity", &onnx.Graph{
			Inputs: []*onnx.ValueInfo{input("x", batch, fixed(in))}, Outputs: []*onnx.ValueInfo{input("y")},
			Initializers: []*onnx.Tensor{
				{Name: "w0", DataType: onnx.Float, Dims: []int64{in, hid}, FloatData: w0},
				{Name: "b0", DataType: onnx.Float, Dims: []int64{1, hid}, FloatData: b0},
				onnx.FloatTensor("w1", []int64{hid, out}, w1)},
			Nodes: []*onnx.Node{
				node("Identity", "i", []string{"x"}, "x1"),
				node("MatMul", "m0", []string{"x1", "w0"}, "h0"),
				node("Add", "a0", []string{"b0", "h0"}, "h1"), // constant first
				node("Relu", "r0", []string{"h1"}, "a0"),
				node("MatMul", "m1", []string{"a0", "w1"}, "h2"),
				{OpType: "Constant", Name: "c", Outputs: []string{"b1"}, Attributes: []*onnx.Attribute{
					{Name: "value", Type: onnx.AttrTensor, T: onnx.FloatTensor("", []int64{out}, b1)}}},
				node("Add", "a1", []string{"h2", "b1"}, "logits"),
				node("Softmax", "s", []string{"logits"}, "y", intAttr("axis", 1)),
			}}, 1e-6},
		{"Gemm alpha, beta, scalar-broadcast forms, Reshape, LogSoftmax", &onnx.Graph{
			Inputs: []*onnx.ValueInfo{input("x", batch, fixed(2), fixed(3))}, Outputs: []*onnx.ValueInfo{input("y")},
			Initializers: []*onnx.Tensor{
				onnx.FloatTensor("w0", []int64{in, hid}, scaled(w0, 0.5)), onnx.FloatTensor("b0", []int64{1, hid}, scaled(b0, 4)),
				onnx.FloatTensor("w1", []int64{hid, out}, w1), onnx.FloatTensor("b1", []int64{out}, b1),
				{Name: "shape", DataType: onnx.Int64, Dims: []int64{2}, Int64Data: []int64{-1, in}}},
			Nodes: []*onnx.Node{
				node("Reshape", "flat", []string{"x", "shape"}, "x1"),
				node("Gemm", "g0", []string{"x1", "w0", "b0"}, "h0", floatAttr("alpha", 2), floatAttr("beta", 0.25)),
				node("Relu", "r0", []string{"h0"}, "a0"),
				node("Gemm", "g1", []string{"a0", "w1", "b1"}, "l"),
				node("LogSoftmax", "s", []string{"l"}, "y"),
			}}, 1e-6},
		{"float16 initializers", &onnx.Graph{
			Inputs: []*onnx.ValueInfo{input("x", batch, fixed(in))}, Outputs: []*onnx.ValueInfo{input("y")},
			Initializers: []*onnx.Tensor{
				half("w0", []int64{in, hid}, w0), half("b0", []int64{hid}, b0),
				half("w1", []int64{hid, out}, w1), half("b1", []int64{out}, b1)},
			Nodes: []*onnx.Node{
				node("Flatten", "f", []string{"x"}, "x1"),
				node("Gemm", "g0", []string{"x1", "w0", "b0"}, "h0"),
				node("Relu", "r0", []string{"h0"}, "a0"),
				node("Gemm", "g1", []string{"a0", "w1", "b1"}, "y"),
			}}, 2e-3}, // float16 rounding of the weights
	}
	for _, c := range cases {
		m := &onnx.Model{IRVersion: 7, OpsetImports: []onnx.OpsetID{{Version: 13}}, Graph: c.graph}
		data, err := onnx.Encode(m)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if m, err = onnx.Decode(data); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		net, rep, err := Import(m)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if s, _ := net.Spec(); s.String() != "6-5-3" {
			t.Errorf("%s: imported %v", c.name, s)
		}
		got := mat.New(x.Rows, out)
		net.Predict(got, x)
		for r := range want {
			for j := range want[r] {
				if d := math.Abs(float64(got.Row(r)[j]) - want[r][j]); d > c.tol {
					t.Errorf("%s: row %d class %d: %g, want %g\n%s", c.name, r, j, got.Row(r)[j], want[r][j], rep)
				}
			}
		}
	}
}

// f16 rounds a float32 to the nearest half-precision value (ties to even),
// for tests.
func f16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	v := math.Abs(float64(f))
	if v == 0 {
		return sign
	}
	e := math.Floor(math.Log2(v))
	if e < -14 {
		e = -14
	}
	m := math.RoundToEven(v / math.Pow(2, e-10))
	if m >= 2048 {
		m /= 2
		e++
	}
	if m < 1024 {
		return sign | uint16(m)
	}
	return sign | uint16(e+15)<<10 | uint16(m-1024)
}

// Graphs outside the subset are refused with the node's name and op type.
func TestImportRefuses(t *testing.T) {
	w := onnx.FloatTensor("w", []int64{4, 3}, seq(12, 1, 0))
	base := func(nodes ...*onnx.Node) *onnx.Graph {
		return &onnx.Graph{Inputs: []*onnx.ValueInfo{input("x", batch, fixed(4))}, Outputs: []*onnx.ValueInfo{input("y")},
			Initializers: []*onnx.Tensor{w}, Nodes: nodes}
	}
	cases := []struct {
		name, want string
		g          *onnx.Graph
	}{
		{"unknown op", `node "c1" (Conv)`, base(node("Conv", "c1", []string{"x", "w"}, "y"))},
		{"activation without a layer", `node "s" (Softplus): operator not supported`, base(node("MatMul", "m", []string{"x", "w"}, "h"), node("Softplus", "s", []string{"h"}, "y"))},
		{"leaky slope", `node "l" (LeakyRelu): slope alpha=0.2`, base(node("MatMul", "m", []string{"x", "w"}, "h"), node("LeakyRelu", "l", []string{"h"}, "a", floatAttr("alpha", 0.2)), node("MatMul", "m2", []string{"a", "w"}, "y"))},
		{"transA", `node "g" (Gemm): transA=1`, base(node("Gemm", "g", []string{"x", "w"}, "y", intAttr("transA", 1)))},
		{"weights not constant", `node "m" (MatMul): input "z"`, base(node("MatMul", "m", []string{"x", "z"}, "y"))},
		{"two affine layers", `node "m2" (MatMul): follows`, base(node("MatMul", "m", []string{"x", "w"}, "h"), node("MatMul", "m2", []string{"h", "w"}, "y"))},
		{"softmax axis", `node "s" (Softmax): axis 0`, base(node("MatMul", "m", []string{"x", "w"}, "h"), node("Softmax", "s", []string{"h"}, "y", intAttr("axis", 0)))},
		{"flatten late", `node "f" (Flatten): reshaping`, base(node("MatMul", "m", []string{"x", "w"}, "h"), node("Flatten", "f", []string{"h"}, "y"))},
		{"other domain", `node "q" (MatMul): operator domain "com.microsoft"`, base(&onnx.Node{Name: "q", OpType: "MatMul", Domain: "com.microsoft", Inputs: []string{"x", "w"}, Outputs: []string{"y"}})},
		{"shape mismatch", "takes 4 features", base(node("MatMul", "m", []string{"x", "w"}, "h"), node("Relu", "r", []string{"h"}, "a"), node("MatMul", "m2", []string{"a", "w"}, "y"))},
		{"ends in activation", `activation "r"`, base(node("MatMul", "m", []string{"x", "w"}, "h"), node("Relu", "r", []string{"h"}, "y"))},
		{"output elsewhere", `graph output "y"`, base(node("MatMul", "m", []string{"x", "w"}, "h"))},
		{"divide by zero", `node "d" (Div): divides by zero`, func() *onnx.Graph {
			g := base(node("MatMul", "m", []string{"x", "w"}, "h"), node("Div", "d", []string{"h", "z"}, "y"))
			g.Initializers = append(g.Initializers, onnx.FloatTensor("z", []int64{3}, []float32{1, 0, 2}))
			return g
		}()},
		{"scaling after an activation", `node "s" (Mul): arithmetic by a constant`, func() *onnx.Graph {
			g := base(node("MatMul", "m", []string{"x", "w"}, "h"), node("Relu", "r", []string{"h"}, "a"), node("Mul", "s", []string{"a", "k"}, "y"))
			g.Initializers = append(g.Initializers, onnx.FloatTensor("k", nil, []float32{2}))
			return g
		}()},
		{"attribute unknown", `node "r" (Relu): attribute "alpha"`, base(node("MatMul", "m", []string{"x", "w"}, "h"), node("Relu", "r", []string{"h"}, "y", floatAttr("alpha", 1)))},
	}
	for _, c := range cases {
		_, _, err := Import(&onnx.Model{IRVersion: 7, OpsetImports: []onnx.OpsetID{{Version: 13}}, Graph: c.g})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error containing %q", c.name, err, c.want)
		}
	}
}

// Export names inputs and outputs, leaves dropout out and keeps the
// architecture in the metadata.
func TestExportGraph(t *testing.T) {
	net, err := layers.Spec{Inputs: 784, Hidden: []int{32, 16}, Outputs: 10, Keep: 0.5, InputKeep: 1}.Build(1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Export(net, ExportOptions{Metadata: map[string]string{"note": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, n := range m.Graph.Nodes {
		ops = append(ops, n.OpType)
	}
	if got := strings.Join(ops, " "); got != "Gemm Relu Gemm Relu Gemm Softmax" {
		t.Errorf("ops %q", got)
	}
	g := m.Graph
	if g.Inputs[0].Name != "input" || g.Outputs[0].Name != "probabilities" || g.Inputs[0].Type.Shape[0].Param != "batch" || g.Outputs[0].Type.Shape[1].Value != 10 {
		t.Errorf("input %+v output %+v", g.Inputs[0].Type, g.Outputs[0].Type)
	}
	meta := m.Metadata()
	if meta[layers.MetaHidden] != "32,16" || meta[layers.MetaKeep] != "0.5" || meta["note"] != "x" || meta[MetaWriter] != "gomlp" {
		t.Errorf("metadata %v", meta)
	}
	if m.IRVersion != IRVersion || m.Opset() != Opset {
		t.Errorf("IR %d opset %d", m.IRVersion, m.Opset())
	}
}

// Import never panics, whatever graph the decoder lets through.
func FuzzImport(f *testing.F) {
	net, err := layers.NewSpec(4, []int{3}, 2).Build(1)
	if err != nil {
		f.Fatal(err)
	}
	m, err := Export(net, ExportOptions{})
	if err != nil {
		f.Fatal(err)
	}
	data, err := onnx.Encode(m)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := onnx.Decode(data)
		if err != nil {
			return
		}
		net, _, err := Import(m)
		if err != nil {
			return
		}
		x := mat.New(2, net.Inputs())
		y := mat.New(2, net.Outputs())
		net.Predict(y, x)
	})
}

// Input normalisation (Sub, Div, Mul, Add by constants before the first
// layer) is folded into the first layer.
func TestImportNormalisation(t *testing.T) {
	const in, out = 4, 3
	w, b := seq(in*out, 2, -1), seq(out, 1, -0.5)
	x := mat.FromSlice(3, in, seq(3*in, 1, 0))
	mean := []float32{0.1, 0.2, 0.3, 0.4}
	norm := mat.New(x.Rows, in)
	for r := 0; r < x.Rows; r++ {
		for i, v := range x.Row(r) {
			norm.Row(r)[i] = (0.5 - (v-mean[i])/0.25) * 2
		}
	}
	want := reference(norm, [][]float32{w}, [][]float32{b}, []int{in, out})
	g := &onnx.Graph{
		Inputs: []*onnx.ValueInfo{input("x", batch, fixed(in))}, Outputs: []*onnx.ValueInfo{input("y")},
		Initializers: []*onnx.Tensor{
			onnx.FloatTensor("mean", []int64{1, in}, mean), onnx.FloatTensor("std", nil, []float32{0.25}),
			onnx.FloatTensor("half", []int64{1}, []float32{0.5}), onnx.FloatTensor("two", nil, []float32{2}),
			onnx.FloatTensor("w", []int64{in, out}, w), onnx.FloatTensor("b", []int64{out}, b)},
		Nodes: []*onnx.Node{
			node("Sub", "center", []string{"x", "mean"}, "x1"),
			node("Div", "scale", []string{"x1", "std"}, "x2"),
			node("Sub", "flip", []string{"half", "x2"}, "x3"),
			node("Mul", "double", []string{"x3", "two"}, "x4"),
			node("Gemm", "g", []string{"x4", "w", "b"}, "y"),
		}}
	net, rep, err := Import(&onnx.Model{IRVersion: 7, OpsetImports: []onnx.OpsetID{{Version: 13}}, Graph: g})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.String(), `input normalisation (Sub "center", Div "scale", Sub "flip", Mul "double") folded`) {
		t.Errorf("report:\n%s", rep)
	}
	got := mat.New(x.Rows, out)
	net.Predict(got, x)
	for r := range want {
		for j := range want[r] {
			if d := math.Abs(float64(got.Row(r)[j]) - want[r][j]); d > 1e-6 {
				t.Errorf("row %d class %d: %g, want %g", r, j, got.Row(r)[j], want[r][j])
			}
		}
	}
	g.Nodes[1] = node("Div", "scale", []string{"std", "x1"}, "x2")
	if _, _, err := Import(&onnx.Model{IRVersion: 7, OpsetImports: []onnx.OpsetID{{Version: 13}}, Graph: g}); err == nil || !strings.Contains(err.Error(), `node "scale" (Div)`) {
		t.Errorf("constant / input: %v", err)
	}
}
