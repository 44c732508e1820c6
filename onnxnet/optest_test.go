package onnxnet

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/loss"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/onnx"
)

// ONNX's operator test data (Debian's libonnx-testdata) lives here; the
// test is skipped, saying so, where it is not installed.
const onnxTestData = "/usr/share/libonnx-testdata/data"

// The cases of the importer's subset: ONNX's node tests and the PyTorch
// ones (layers converted by PyTorch's exporter, and operator tests).
var opTestPrefixes = []string{"node/test_gemm_", "node/test_matmul_", "node/test_add", "node/test_relu",
	"node/test_softmax_", "node/test_logsoftmax_", "node/test_flatten_", "node/test_reshape_",
	"node/test_identity", "node/test_dropout_", "node/test_training_dropout", "node/test_sigmoid",
	"node/test_tanh", "node/test_leakyrelu", "node/test_gelu", "node/test_sub", "node/test_mul", "node/test_div",
	"pytorch-converted/test_Linear", "pytorch-converted/test_ReLU", "pytorch-converted/test_Softmax",
	"pytorch-converted/test_LogSoftmax", "pytorch-converted/test_log_softmax", "pytorch-converted/test_Sigmoid",
	"pytorch-converted/test_Tanh", "pytorch-converted/test_LeakyReLU", "pytorch-operator/test_operator_addmm",
	"pytorch-operator/test_operator_mm", "pytorch-operator/test_operator_flatten", "pytorch-operator/test_operator_view",
	"pytorch-operator/test_operator_add", "simple/test_single_relu_model"}

// errSkip marks a case outside the importer's subset, with the reason.
type errSkip struct{ reason string }

func (e errSkip) Error() string { return e.reason }

func skipf(format string, args ...any) error { return errSkip{fmt.Sprintf(format, args...)} }

// TestONNXOperatorCases runs every case of ONNX's own operator tests in the
// importer's subset: each node goes through the importer's own rules
// (attribute defaults, Gemm's transB/alpha/beta folded into weights and
// bias, the bias broadcasts, the axes Flatten, Reshape and Softmax may
// have, input normalisation) and gomlp's kernels (mat.Gemm,
// mat.AddRowVector, the activation layers, loss.Softmax), and the outputs must match
// within the tolerance ONNX's backend tests use (rtol 1e-3, atol 1e-7). The
// second and later inputs are given as constants, as they are in a model
// (weights, bias, shape). Where the whole graph is a network Import
// accepts, Import and Predict run too ("+import" in the list). Cases outside
// the subset are listed with the reason.
func TestONNXOperatorCases(t *testing.T) {
	var cases []string
	for _, p := range opTestPrefixes {
		found, _ := filepath.Glob(filepath.Join(onnxTestData, p+"*"))
		cases = append(cases, found...)
	}
	if len(cases) == 0 {
		t.Skipf("ONNX operator test data not found in %s: install Debian's libonnx-testdata", onnxTestData)
	}
	slices.Sort(cases)
	cases = slices.Compact(cases)
	var ran, skipped []string
	for _, dir := range cases {
		name, _ := filepath.Rel(onnxTestData, dir)
		imported, err := runOpCase(dir)
		var skip errSkip
		switch {
		case err == nil && imported:
			ran = append(ran, name+"+import")
		case err == nil:
			ran = append(ran, name)
		case errors.As(err, &skip):
			skipped = append(skipped, fmt.Sprintf("%s: %s", name, skip.reason))
		default:
			t.Errorf("%s: %v", name, err)
		}
	}
	t.Logf("ran %d operator cases:\n  %s", len(ran), strings.Join(ran, "\n  "))
	t.Logf("skipped %d (outside the subset):\n  %s", len(skipped), strings.Join(skipped, "\n  "))
	if len(ran) < 30 {
		t.Errorf("only %d cases ran", len(ran))
	}
}

func readTensor(path string) (*onnx.Tensor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return onnx.DecodeTensor(data)
}

// runOpCase runs every test_data_set_* of one case through the node rules
// and kernels and, if Import accepts the graph, through Import and Predict.
func runOpCase(dir string) (imported bool, err error) {
	m, err := onnx.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return false, err
	}
	g := m.Graph
	consts := map[string]*onnx.Tensor{}
	for _, t := range g.Initializers {
		consts[t.Name] = t
	}
	var inputs []*onnx.ValueInfo
	for _, in := range g.Inputs {
		if consts[in.Name] == nil {
			inputs = append(inputs, in)
		}
	}
	net, _, importErr := Import(m)
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	if len(sets) == 0 {
		return false, fmt.Errorf("no test data sets")
	}
	for _, set := range sets {
		var ins []*onnx.Tensor
		for i, vi := range inputs {
			if vi.NotTensor != "" {
				return false, skipf("input %q is not a tensor (%s)", vi.Name, vi.NotTensor)
			}
			in, err := readTensor(filepath.Join(set, fmt.Sprintf("input_%d.pb", i)))
			if err != nil {
				return false, err
			}
			in.Name = vi.Name
			ins = append(ins, in)
		}
		if len(ins) == 0 {
			return false, skipf("no data input")
		}
		got, err := evalGraph(m, ins, consts)
		if err != nil {
			return false, err
		}
		lastOp := g.Nodes[len(g.Nodes)-1].OpType
		for i := range g.Outputs {
			want, err := readTensor(filepath.Join(set, fmt.Sprintf("output_%d.pb", i)))
			if err != nil {
				return false, err
			}
			if i >= len(got) {
				return false, skipf("output %d (%s) is not computed by an inference graph", i, g.Outputs[i].Name)
			}
			if err := compare(got[i], want, lastOp == "LogSoftmax"); err != nil {
				return false, fmt.Errorf("%s: output %d: %v", filepath.Base(set), i, err)
			}
		}
		if importErr == nil && len(ins) == 1 && len(g.Outputs) == 1 {
			if err := comparePredict(net, ins[0], set, lastOp); err != nil {
				return false, fmt.Errorf("%s: Import and Predict: %v", filepath.Base(set), err)
			}
			imported = true
		}
	}
	return imported, nil
}

// comparePredict runs the imported network on the case's input and
// compares its probabilities with the expected output turned into
// probabilities: as is after Softmax, exponentiated after LogSoftmax, and
// through a softmax otherwise.
func comparePredict(net *layers.Network, in *onnx.Tensor, set, lastOp string) error {
	x, err := in.Float32s()
	if err != nil {
		return err
	}
	want, err := readTensor(filepath.Join(set, "output_0.pb"))
	if err != nil {
		return err
	}
	w, err := want.Float32s()
	if err != nil {
		return err
	}
	rows := int(in.Dims[0])
	y := mat.New(rows, net.Outputs())
	net.Predict(y, mat.FromSlice(rows, len(x)/rows, x))
	probs := mat.FromSlice(rows, len(w)/rows, w)
	switch lastOp {
	case "LogSoftmax":
		for i := range w {
			w[i] = float32(math.Exp(float64(w[i])))
		}
	case "Softmax":
	default:
		probs = mat.New(rows, len(w)/rows)
		loss.Softmax(probs, mat.FromSlice(rows, len(w)/rows, w))
	}
	return compare(value{dims: want.Dims, data: y.Data}, &onnx.Tensor{DataType: onnx.Float, Dims: want.Dims, FloatData: probs.Data}, false)
}

// evalGraph runs a chain of nodes, each taking the previous one's output as
// its first input and constants for the rest.
func evalGraph(m *onnx.Model, ins []*onnx.Tensor, consts map[string]*onnx.Tensor) ([]value, error) {
	for _, t := range ins[1:] {
		consts[t.Name] = t
	}
	if ins[0].DataType != onnx.Float {
		return nil, skipf("element type %v (the subset computes in float32)", ins[0].DataType)
	}
	xv, err := ins[0].Float32s()
	if err != nil {
		return nil, err
	}
	cur, curName := []value{{dims: ins[0].Dims, data: xv}}, ins[0].Name
	for _, n := range m.Graph.Nodes {
		if folded, err := foldConstant(n, consts); err != nil {
			return nil, skipf("the importer refuses it: %v", err)
		} else if folded {
			continue
		}
		if len(n.Inputs) == 0 || n.Inputs[0] != curName || len(cur) > 1 {
			return nil, skipf("not a chain: node %q (%s) does not take the previous output first", n.Name, n.OpType)
		}
		if cur, err = evalNode(m.Opset(), n, cur[0], consts); err != nil {
			return nil, err
		}
		curName = n.Outputs[0]
	}
	return cur, nil
}

// value is a float32 tensor: a shape and its row-major data.
type value struct {
	dims []int64
	data []float32
}

// rows views v as a matrix of its last axis against everything before.
func (v value) rows() *mat.Matrix {
	cols := 1
	if len(v.dims) > 0 {
		cols = int(v.dims[len(v.dims)-1])
	}
	if cols == 0 {
		return mat.New(0, 0)
	}
	return mat.FromSlice(len(v.data)/cols, cols, v.data)
}

func evalNode(opset int64, n *onnx.Node, data value, consts map[string]*onnx.Tensor) ([]value, error) {
	x := struct{ Dims []int64 }{data.dims}
	asSkip := func(err error) error {
		if err == nil {
			return nil
		}
		return skipf("the importer refuses it: %s", strings.TrimPrefix(err.Error(), "onnxnet: "))
	}
	rank2 := func() error {
		if len(x.Dims) != 2 {
			return skipf("data input of rank %d; layers take batch × features", len(x.Dims))
		}
		return nil
	}
	switch n.OpType {
	case "Gemm", "MatMul":
		if err := rank2(); err != nil {
			return nil, err
		}
		read := gemmStage
		if n.OpType == "MatMul" {
			read = matmulStage
		}
		s, err := read(n, consts)
		if err != nil {
			return nil, asSkip(err)
		}
		// What the imported Dense layer computes: y = x·W + b.
		y := mat.New(int(x.Dims[0]), s.out)
		mat.Gemm(mat.NoTrans, mat.NoTrans, 1, data.rows(), mat.FromSlice(s.in, s.out, s.w), 0, y)
		if s.b != nil {
			mat.AddRowVector(y, s.b)
		}
		return []value{{dims: []int64{x.Dims[0], int64(s.out)}, data: y.Data}}, nil
	case "Add":
		if len(n.Inputs) != 2 || consts[n.Inputs[1]] == nil {
			return nil, skipf("the second operand is not a constant")
		}
		out := int(x.Dims[len(x.Dims)-1])
		b, err := vectorFor(n, consts[n.Inputs[1]], out)
		if err != nil {
			return nil, asSkip(err)
		}
		y := slices.Clone(data.data)
		mat.AddRowVector(value{dims: x.Dims, data: y}.rows(), b)
		return []value{{dims: x.Dims, data: y}}, nil
	case "Sub", "Mul", "Div":
		// As the importer does at the input: fold the operation into the
		// following layer, here an identity layer, and run that layer.
		var c chain
		if len(n.Inputs) != 2 {
			return nil, skipf("needs two inputs")
		}
		operand := n.Inputs[1]
		if consts[operand] == nil {
			operand = n.Inputs[0]
		}
		if err := c.addPre(n, consts, []string{operand}); err != nil {
			return nil, asSkip(err)
		}
		if len(x.Dims) == 0 {
			return nil, skipf("a scalar input")
		}
		f := int(x.Dims[len(x.Dims)-1])
		id := &stage{in: f, out: f, w: make([]float32, f*f)}
		for i := 0; i < f; i++ {
			id.w[i*f+i] = 1
		}
		if err := c.foldPre(id); err != nil {
			return nil, asSkip(err)
		}
		y := make([]float32, len(data.data))
		ym := value{dims: x.Dims, data: y}.rows()
		mat.Gemm(mat.NoTrans, mat.NoTrans, 1, data.rows(), mat.FromSlice(f, f, id.w), 0, ym)
		mat.AddRowVector(ym, id.b)
		return []value{{dims: x.Dims, data: y}}, nil
	case "Identity":
		return []value{data}, nil
	case "Dropout":
		if err := checkDropout(n, consts); err != nil {
			return nil, asSkip(err)
		}
		return []value{data}, nil // the mask output, if asked for, is skipped by the caller
	case "Flatten", "Reshape":
		in := &onnx.TensorType{ElemType: onnx.Float, HasShape: true}
		for _, d := range x.Dims {
			in.Shape = append(in.Shape, onnx.Dim{Value: d, HasValue: true})
		}
		if err := checkFlatten(n, consts, opset, in); err != nil {
			return nil, asSkip(err)
		}
		if len(x.Dims) == 0 {
			return nil, skipf("a scalar input")
		}
		feat := int64(1)
		for _, d := range x.Dims[1:] {
			feat *= d
		}
		return []value{{dims: []int64{x.Dims[0], feat}, data: data.data}}, nil
	case "Softmax", "LogSoftmax":
		if err := checkSoftmaxAxis(n, opset); err != nil {
			return nil, asSkip(err)
		}
		axis, _ := attrInt(n, "axis", map[bool]int64{true: -1, false: 1}[opset >= 13])
		r := int64(len(x.Dims))
		if axis < 0 {
			axis += r
		}
		if opset >= 13 && axis != r-1 {
			return nil, skipf("softmax over axis %d of a rank-%d input; the head takes batch × classes (the last axis)", axis, r)
		}
		// Before opset 13 the input is coerced to 2-D at the axis.
		cols := int64(1)
		for _, d := range x.Dims[axis:] {
			cols *= d
		}
		xm := mat.FromSlice(len(data.data)/int(cols), int(cols), data.data)
		y := mat.New(xm.Rows, xm.Cols)
		loss.Softmax(y, xm)
		return []value{{dims: x.Dims, data: y.Data}}, nil
	}
	if supportedActivation(n.OpType) {
		if err := checkActivation(n); err != nil {
			return nil, asSkip(err)
		}
		// The layer the importer puts in the network.
		y := make([]float32, len(data.data))
		newActivation(n.OpType).Forward(value{dims: x.Dims, data: y}.rows(), data.rows(), false)
		return []value{{dims: x.Dims, data: y}}, nil
	}
	switch n.OpType {
	case "Sigmoid", "Tanh", "LeakyRelu", "Gelu", "Elu", "Selu", "Softplus", "HardSigmoid":
		return nil, skipf("the library has no %s layer", n.OpType)
	}
	return nil, skipf("operator %s is outside the subset", n.OpType)
}

// compare checks got against an expected output with ONNX's backend-test
// tolerance. For LogSoftmax the importer's head gives probabilities, so
// they are compared with the exponentials of the expected log-probabilities.
func compare(got value, want *onnx.Tensor, logProbs bool) error {
	w, err := want.Float32s()
	if err != nil {
		return err
	}
	if !slices.Equal(got.dims, want.Dims) {
		return fmt.Errorf("shape %v, want %v", got.dims, want.Dims)
	}
	const rtol, atol = 1e-3, 1e-7
	for i, e := range w {
		ev := float64(e)
		if logProbs {
			ev = math.Exp(ev)
		}
		g := float64(got.data[i])
		if math.IsNaN(ev) != math.IsNaN(g) || math.Abs(g-ev) > atol+rtol*math.Abs(ev) {
			return fmt.Errorf("element %d is %g, want %g", i, g, ev)
		}
	}
	return nil
}
