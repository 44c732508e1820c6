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

	"github.com/gomlp/gomlp/loss"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/onnx"
)

// ONNX's operator test data (Debian's libonnx-testdata) lives here; the
// test is skipped, saying so, where it is not installed.
const onnxTestData = "/usr/share/libonnx-testdata/data/node"

// The operator families of the importer's subset.
var opTestPrefixes = []string{"test_gemm_", "test_matmul_", "test_add", "test_relu", "test_softmax_",
	"test_logsoftmax_", "test_flatten_", "test_reshape_", "test_identity", "test_dropout_",
	"test_training_dropout", "test_sigmoid", "test_tanh", "test_leakyrelu", "test_gelu"}

// errSkip marks a case outside the importer's subset, with the reason.
type errSkip struct{ reason string }

func (e errSkip) Error() string { return e.reason }

func skipf(format string, args ...any) error { return errSkip{fmt.Sprintf(format, args...)} }

// TestONNXOperatorCases runs every case of ONNX's own operator tests in the
// importer's subset: the node goes through the importer's own rules
// (attribute defaults, Gemm's transB/alpha/beta folded into weights and
// bias, the bias broadcasts, the axes Flatten, Reshape and Softmax may
// have) and gomlp's kernels (mat.Gemm, mat.AddRowVector, mat.ReLU,
// loss.Softmax), and the outputs must match within the tolerance ONNX's
// backend tests use (rtol 1e-3, atol 1e-7). The second and later inputs
// are given as constants, as they are in a model (weights, bias, shape).
// Cases outside the subset are listed with the reason.
func TestONNXOperatorCases(t *testing.T) {
	dirs, err := os.ReadDir(onnxTestData)
	if err != nil {
		t.Skipf("ONNX operator test data not found (%v): install Debian's libonnx-testdata", err)
	}
	var ran, skipped []string
	for _, d := range dirs {
		name := d.Name()
		if !slices.ContainsFunc(opTestPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		err := runOpCase(filepath.Join(onnxTestData, name))
		var skip errSkip
		switch {
		case err == nil:
			ran = append(ran, name)
		case errors.As(err, &skip):
			skipped = append(skipped, fmt.Sprintf("%s: %s", name, skip.reason))
		default:
			t.Errorf("%s: %v", name, err)
		}
	}
	t.Logf("ran %d operator cases: %s", len(ran), strings.Join(ran, " "))
	t.Logf("skipped %d (outside the subset):\n  %s", len(skipped), strings.Join(skipped, "\n  "))
	if len(ran) < 20 {
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

// runOpCase runs every test_data_set_* of one case.
func runOpCase(dir string) error {
	m, err := onnx.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return err
	}
	g := m.Graph
	if len(g.Nodes) != 1 {
		ops := []string{}
		for _, n := range g.Nodes {
			ops = append(ops, n.OpType)
		}
		return skipf("a graph of %d nodes (%s), some outside the subset", len(g.Nodes), strings.Join(ops, ", "))
	}
	sets, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	if len(sets) == 0 {
		return fmt.Errorf("no test data sets")
	}
	for _, set := range sets {
		var ins []*onnx.Tensor
		for i := range g.Inputs {
			if g.Inputs[i].NotTensor != "" {
				return skipf("input %q is not a tensor (%s)", g.Inputs[i].Name, g.Inputs[i].NotTensor)
			}
			in, err := readTensor(filepath.Join(set, fmt.Sprintf("input_%d.pb", i)))
			if err != nil {
				return err
			}
			in.Name = g.Inputs[i].Name
			ins = append(ins, in)
		}
		got, err := evalNode(m, ins)
		if err != nil {
			return err
		}
		for i := range g.Outputs {
			want, err := readTensor(filepath.Join(set, fmt.Sprintf("output_%d.pb", i)))
			if err != nil {
				return err
			}
			if i >= len(got) {
				return skipf("output %d (%s) is not computed by an inference graph", i, g.Outputs[i].Name)
			}
			if err := compare(got[i], want, g.Nodes[0].OpType == "LogSoftmax"); err != nil {
				return fmt.Errorf("%s: output %d: %v", filepath.Base(set), i, err)
			}
		}
	}
	return nil
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

func evalNode(m *onnx.Model, ins []*onnx.Tensor) ([]value, error) {
	n := m.Graph.Nodes[0]
	if len(ins) == 0 {
		return nil, skipf("no data input")
	}
	x := ins[0]
	if x.DataType != onnx.Float {
		return nil, skipf("element type %v (the subset computes in float32)", x.DataType)
	}
	xv, err := x.Float32s()
	if err != nil {
		return nil, err
	}
	data := value{dims: x.Dims, data: xv}
	consts := map[string]*onnx.Tensor{}
	for _, t := range ins[1:] {
		consts[t.Name] = t
	}
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
		var s *stage
		if n.OpType == "Gemm" {
			s, err = gemmStage(n, consts)
		} else {
			s, err = matmulStage(n, consts)
		}
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
		if len(n.Inputs) != 2 || ins[1].Name != n.Inputs[1] {
			return nil, skipf("the data path is not the first input")
		}
		out := int(x.Dims[len(x.Dims)-1])
		b, err := vectorFor(n, consts[n.Inputs[1]], out)
		if err != nil {
			return nil, asSkip(err)
		}
		y := slices.Clone(data.data)
		mat.AddRowVector(value{dims: x.Dims, data: y}.rows(), b)
		return []value{{dims: x.Dims, data: y}}, nil
	case "Relu":
		y := make([]float32, len(data.data))
		mat.ReLU(value{dims: x.Dims, data: y}.rows(), data.rows())
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
		if err := checkFlatten(n, consts, m.Opset(), in); err != nil {
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
		if err := checkSoftmaxAxis(n, m.Opset()); err != nil {
			return nil, asSkip(err)
		}
		axis, _ := AttrInt(n, "axis", map[bool]int64{true: -1, false: 1}[m.Opset() >= 13])
		r := int64(len(x.Dims))
		if axis < 0 {
			axis += r
		}
		if m.Opset() >= 13 && axis != r-1 {
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
		return nil, fmt.Errorf("no kernel wired up for %s in this test", n.OpType)
	}
	return nil, skipf("the library has no %s layer", n.OpType)
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
