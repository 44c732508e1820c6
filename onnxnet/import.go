package onnxnet

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/onnx"
)

// Import rebuilds a Network from an ONNX model of the multilayer-perceptron
// subset:
//
//	[Sub/Div/Mul/Add by constants] [Flatten | Reshape to 2-D]  (Gemm | MatMul [Add])  (activation (Gemm | MatMul [Add]))*  [Softmax | LogSoftmax]
//
// with Identity and Dropout (inference: the identity) anywhere, Constant
// nodes for constant operands, Gemm in every transB/alpha/beta form (alpha
// and beta are folded into the weights and bias), and initializers stored
// as raw data or typed fields, in float32, float16, bfloat16 or float64.
// The activations are those the library has: Relu, Tanh, Sigmoid and
// LeakyRelu (with the library's slope, 0.01). Element-wise Add, Sub,
// Mul and Div of the input by constants (input normalisation) are folded
// into the first layer.
//
// A classifier ends in a SoftmaxCE head, so Predict gives class
// probabilities whether the graph ends in Softmax (the same values),
// LogSoftmax (their exponentials) or the logits (their softmax); the report
// says which. A graph with one output and no softmax, or whose metadata
// says arch.head=mse or huber (as gomlp writes it), gets that regression
// head and Predict gives the outputs as they are. Anything outside the subset is an error naming the node and
// its operator type.
func Import(m *onnx.Model) (*layers.Network, *Report, error) {
	c, err := readChain(m)
	if err != nil {
		return nil, nil, err
	}
	return c.build()
}

// Report says how an ONNX graph became a Network, one line per layer and
// a line for each thing a user should know.
type Report struct {
	Lines []string
}

func (r *Report) add(format string, args ...any) {
	r.Lines = append(r.Lines, fmt.Sprintf(format, args...))
}

// String returns the lines, each ending in a newline.
func (r *Report) String() string {
	if len(r.Lines) == 0 {
		return ""
	}
	return strings.Join(r.Lines, "\n") + "\n"
}

// stage is one step of the chain: an affine map or an activation.
type stage struct {
	node    string // the node that made it, for messages
	act     string // ONNX op of an activation, "" for an affine map
	in, out int
	w       []float32 // [in, out], row-major
	b       []float32 // [out], nil until a bias is seen
	from    string    // how the weights were read, for the report
	bias    string
}

type chain struct {
	input     string
	inputType *onnx.TensorType
	reshape   string  // the Flatten/Reshape node at the input, if any
	pre       []preOp // element-wise affine steps on the input, folded into the first layer
	stages    []*stage
	head      string // "Softmax", "LogSoftmax" or ""
	headNode  string
	output    string
	notes     []string
	meta      map[string]string // the model's metadata_props
}

// preOp is an element-wise Add, Sub, Mul or Div of the input by a constant
// (input normalisation), before the first layer.
type preOp struct {
	node, op  string
	c         []float32 // one value, or one per input feature
	constLeft bool      // c - x rather than x - c
}

func refuse(n *onnx.Node, format string, args ...any) error {
	return fmt.Errorf("onnxnet: node %q (%s): %s", n.Name, n.OpType, fmt.Sprintf(format, args...))
}

// knownOps are the operators Import handles besides the activations.
var knownOps = map[string]bool{"Constant": true, "Transpose": true, "Identity": true, "Dropout": true, "Flatten": true,
	"Reshape": true, "Gemm": true, "MatMul": true, "Add": true, "Sub": true, "Mul": true, "Div": true,
	"Softmax": true, "LogSoftmax": true}

// supportedOps lists the operators Import knows, for messages.
const supportedOps = "Gemm, MatMul, Add, Relu, Tanh, Sigmoid, LeakyRelu, Gelu (tanh; also as its formula), Softmax, LogSoftmax, Flatten, Reshape, Identity, Dropout, Constant, Transpose of a constant, and Sub/Mul/Div by constants at the input"

func readChain(m *onnx.Model) (*chain, error) {
	g := m.Graph
	opset := m.Opset()
	if opset == 0 {
		return nil, fmt.Errorf("onnxnet: the model imports no version of the default operator set")
	}
	if g.SparseInitializers > 0 {
		return nil, fmt.Errorf("onnxnet: the graph has sparse initializers, which are not supported")
	}
	consts := map[string]*onnx.Tensor{}
	for _, t := range g.Initializers {
		consts[t.Name] = t
	}
	c := &chain{meta: m.Metadata()}
	for _, in := range g.Inputs {
		if _, ok := consts[in.Name]; ok {
			continue // before IR 4, initializers were listed as inputs too
		}
		if c.input != "" {
			return nil, fmt.Errorf("onnxnet: the graph has two data inputs, %q and %q; a multilayer perceptron has one", c.input, in.Name)
		}
		c.input = in.Name
		c.inputType = in.Type
	}
	if c.input == "" {
		return nil, fmt.Errorf("onnxnet: the graph has no data input")
	}
	if t := c.inputType; t != nil && t.ElemType != onnx.Float && t.ElemType != onnx.Float16 {
		return nil, fmt.Errorf("onnxnet: input %q has element type %v; float32 and float16 are supported", c.input, t.ElemType)
	} else if t != nil && t.ElemType == onnx.Float16 {
		c.notes = append(c.notes, fmt.Sprintf("input %q is float16: the network computes in float32", c.input))
	}
	if len(g.Outputs) != 1 {
		return nil, fmt.Errorf("onnxnet: the graph has %d outputs; a multilayer perceptron has one", len(g.Outputs))
	}
	c.output = g.Outputs[0].Name

	cur := c.input
	used := map[string]bool{}
	last := func() *stage {
		if len(c.stages) == 0 {
			return nil
		}
		return c.stages[len(c.stages)-1]
	}
	for i := 0; i < len(g.Nodes); i++ {
		n := g.Nodes[i]
		if n.Domain != "" && n.Domain != "ai.onnx" {
			return nil, refuse(n, "operator domain %q is not supported", n.Domain)
		}
		if !knownOps[n.OpType] && !supportedActivation(n.OpType) {
			return nil, refuse(n, "operator not supported (the supported subset: %s)", supportedOps)
		}
		if folded, err := foldConstant(n, consts); err != nil {
			return nil, err
		} else if folded {
			continue
		}
		// An activation written as a formula (GELU before opset 20).
		if l := last(); l != nil && l.act == "" && startsFormula(n, cur, consts) {
			end, act, err := formulaActivation(g, i, cur, consts)
			switch {
			case err == nil:
				c.notes = append(c.notes, fmt.Sprintf("%s: the element-wise nodes %q to %q, recognised as its formula", act, n.Name, g.Nodes[end].Name))
				c.stages = append(c.stages, &stage{node: n.Name, act: act})
				cur, i = g.Nodes[end].Outputs[0], end
				continue
			case err != errNotFormula:
				return nil, err
			}
		}
		// Every node must take the data path as its first input and
		// constants for the rest (Add may have them the other way round).
		var data string
		var operands []string
		for _, in := range n.Inputs {
			switch {
			case in == "":
				operands = append(operands, "")
			case in == cur && data == "":
				data = in
			case consts[in] != nil:
				operands = append(operands, in)
			default:
				return nil, refuse(n, "input %q is neither the data path nor a constant; only a chain of layers is supported", in)
			}
		}
		if data == "" {
			return nil, refuse(n, "does not act on the data path (%q)", cur)
		}
		if c.head != "" {
			return nil, refuse(n, "follows the %s head %q", c.head, c.headNode)
		}
		if len(n.Outputs) == 0 {
			return nil, refuse(n, "has no output")
		}
		for _, o := range n.Outputs[1:] {
			if o != "" {
				used[o] = true // checked against later inputs below
			}
		}
		if n.Inputs[0] != data && n.OpType != "Add" && n.OpType != "Sub" && n.OpType != "Mul" {
			return nil, refuse(n, "the data path %q is not its first input", data)
		}
		switch n.OpType {
		case "Identity":
		case "Dropout":
			// Inference: the identity. The optional mask output must be unused.
			if err := checkDropout(n, consts); err != nil {
				return nil, err
			}
		case "Flatten", "Reshape":
			if len(c.stages) > 0 {
				return nil, refuse(n, "reshaping is supported only at the input, before the first layer")
			}
			if err := checkFlatten(n, consts, opset, c.inputType); err != nil {
				return nil, err
			}
			c.reshape = fmt.Sprintf("%s %q", n.OpType, n.Name)
		case "Gemm", "MatMul":
			read := gemmStage
			if n.OpType == "MatMul" {
				read = matmulStage
			}
			s, err := read(n, consts)
			if err != nil {
				return nil, err
			}
			if l := last(); l != nil && l.act == "" {
				return nil, refuse(n, "follows the affine layer of node %q with no activation between", l.node)
			}
			c.stages = append(c.stages, s)
		case "Add", "Sub", "Mul", "Div":
			l := last()
			var err error
			switch {
			case l == nil:
				err = c.addPre(n, consts, operands)
			case l.act == "":
				err = foldAfter(n, l, consts, operands)
			default:
				err = refuse(n, "arithmetic by a constant is supported at the input and right after Gemm or MatMul (a bias, an output scaling), not after an activation")
			}
			if err != nil {
				return nil, err
			}
		case "Softmax", "LogSoftmax":
			if err := checkSoftmaxAxis(n, opset); err != nil {
				return nil, err
			}
			c.head, c.headNode = n.OpType, n.Name
		default: // an activation
			if l := last(); l == nil || l.act != "" {
				return nil, refuse(n, "an activation must follow an affine layer (Gemm or MatMul)")
			}
			if err := checkActivation(n); err != nil {
				return nil, err
			}
			c.stages = append(c.stages, &stage{node: n.Name, act: n.OpType})
		}
		if n.OpType != "Dropout" && len(n.Outputs) > 1 {
			return nil, refuse(n, "%d outputs", len(n.Outputs))
		}
		cur = n.Outputs[0]
		for _, in := range n.Inputs {
			if used[in] {
				return nil, refuse(n, "uses %q, a second output of an earlier node", in)
			}
		}
	}
	if used[c.output] {
		return nil, fmt.Errorf("onnxnet: the graph output %q is a second output of a node", c.output)
	}
	if cur != c.output {
		return nil, fmt.Errorf("onnxnet: the graph output %q is not the end of the chain of layers (%q)", c.output, cur)
	}
	if len(c.stages) == 0 {
		return nil, fmt.Errorf("onnxnet: the graph has no Gemm or MatMul layer")
	}
	if l := last(); l.act != "" {
		return nil, fmt.Errorf("onnxnet: the graph ends in activation %q (%s) after its last affine layer; gomlp's classifier head takes the logits", l.node, l.act)
	}
	return c, nil
}

// activations maps the ONNX activations the library has to its layers.
var activations = map[string]layers.Activation{
	"Relu": layers.ActReLU, "Tanh": layers.ActTanh, "Sigmoid": layers.ActSigmoid, "LeakyRelu": layers.ActLeakyReLU,
	"Gelu": layers.ActGELU,
}

// supportedActivation reports whether the library has a layer for an ONNX
// element-wise activation.
func supportedActivation(op string) bool {
	_, ok := activations[op]
	return ok
}

// checkActivation accepts an activation's attributes: LeakyRelu's alpha
// must be the library's slope (0.01, ONNX's default too) and Gelu (opset
// 20) must be the tanh approximation.
func checkActivation(n *onnx.Node) error {
	if n.OpType == "Gelu" {
		if err := onlyAttrs(n, "approximate"); err != nil {
			return err
		}
		if a := n.Attr("approximate"); a == nil || a.Type != onnx.AttrString || string(a.S) != "tanh" {
			return refuse(n, "the exact (erf) GELU; gomlp's GELU is the tanh approximation (approximate=\"tanh\")")
		}
		return nil
	}
	if n.OpType != "LeakyRelu" {
		return onlyAttrs(n)
	}
	if err := onlyAttrs(n, "alpha"); err != nil {
		return err
	}
	alpha, err := attrFloat(n, "alpha", leakySlope)
	if err != nil {
		return err
	}
	if alpha != leakySlope {
		return refuse(n, "slope alpha=%g; gomlp's LeakyReLU has %g", alpha, leakySlope)
	}
	return nil
}

// newActivation returns the layer for a supported activation.
func newActivation(op string) layers.Layer { return activations[op].NewLayer() }

// foldConstant evaluates a node whose value is a constant: Constant, and
// Transpose of a constant matrix (older exporters wrote weights that way).
// It reports whether n was such a node.
func foldConstant(n *onnx.Node, consts map[string]*onnx.Tensor) (bool, error) {
	switch {
	case n.OpType == "Constant":
		t, err := constantValue(n)
		if err != nil {
			return false, err
		}
		if len(n.Outputs) != 1 {
			return false, refuse(n, "%d outputs", len(n.Outputs))
		}
		consts[n.Outputs[0]] = t
		return true, nil
	case n.OpType == "Transpose" && len(n.Inputs) == 1 && consts[n.Inputs[0]] != nil:
		if err := onlyAttrs(n, "perm"); err != nil {
			return false, err
		}
		if p := n.Attr("perm"); p != nil && !(p.Type == onnx.AttrInts && len(p.Ints) == 2 && p.Ints[0] == 1 && p.Ints[1] == 0) {
			return false, refuse(n, "only the transpose of a matrix (perm [1 0]) is supported")
		}
		w, rows, cols, err := matrix(n, consts[n.Inputs[0]], "the input")
		if err != nil {
			return false, err
		}
		if len(n.Outputs) != 1 {
			return false, refuse(n, "%d outputs", len(n.Outputs))
		}
		t := make([]float32, len(w))
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				t[j*rows+i] = w[i*cols+j]
			}
		}
		consts[n.Outputs[0]] = onnx.FloatTensor(consts[n.Inputs[0]].Name+"ᵀ", []int64{int64(cols), int64(rows)}, t)
		return true, nil
	}
	return false, nil
}

func constantValue(n *onnx.Node) (*onnx.Tensor, error) {
	if len(n.Attributes) != 1 {
		return nil, refuse(n, "a Constant needs exactly one value attribute")
	}
	a := n.Attributes[0]
	switch {
	case a.Name == "value" && a.Type == onnx.AttrTensor && a.T != nil:
		return a.T, nil
	case a.Name == "value_float" && a.Type == onnx.AttrFloat:
		return onnx.FloatTensor("", nil, []float32{a.F}), nil
	case a.Name == "value_floats" && a.Type == onnx.AttrFloats:
		return onnx.FloatTensor("", []int64{int64(len(a.Floats))}, a.Floats), nil
	case a.Name == "value_int" && a.Type == onnx.AttrInt:
		return &onnx.Tensor{DataType: onnx.Int64, Int64Data: []int64{a.I}}, nil
	case a.Name == "value_ints" && a.Type == onnx.AttrInts:
		return &onnx.Tensor{DataType: onnx.Int64, Dims: []int64{int64(len(a.Ints))}, Int64Data: a.Ints}, nil
	}
	return nil, refuse(n, "constant attribute %q of type %v is not supported", a.Name, a.Type)
}

// attrInt returns the integer attribute name of n, or def if n has none. An
// attribute of another type is an error.
func attrInt(n *onnx.Node, name string, def int64) (int64, error) {
	a := n.Attr(name)
	if a == nil {
		return def, nil
	}
	if a.Type != onnx.AttrInt {
		return 0, refuse(n, "attribute %q is %v, want INT", name, a.Type)
	}
	return a.I, nil
}

// attrFloat is attrInt for a float attribute.
func attrFloat(n *onnx.Node, name string, def float32) (float32, error) {
	a := n.Attr(name)
	if a == nil {
		return def, nil
	}
	if a.Type != onnx.AttrFloat {
		return 0, refuse(n, "attribute %q is %v, want FLOAT", name, a.Type)
	}
	return a.F, nil
}

// onlyAttrs refuses attributes other than those named.
func onlyAttrs(n *onnx.Node, names ...string) error {
	for _, a := range n.Attributes {
		if !slices.Contains(names, a.Name) {
			return refuse(n, "attribute %q is not supported", a.Name)
		}
	}
	return nil
}

// gemmAttributes are the attributes of a Gemm node with their defaults.
type gemmAttributes struct {
	TransA, TransB bool
	Alpha, Beta    float32
}

// gemmAttrs reads transA, transB, alpha and beta (defaults 0, 0, 1, 1).
func gemmAttrs(n *onnx.Node) (gemmAttributes, error) {
	if err := onlyAttrs(n, "transA", "transB", "alpha", "beta", "broadcast"); err != nil {
		return gemmAttributes{}, err
	}
	var g gemmAttributes
	ta, err := attrInt(n, "transA", 0)
	if err != nil {
		return g, err
	}
	tb, err := attrInt(n, "transB", 0)
	if err != nil {
		return g, err
	}
	if g.Alpha, err = attrFloat(n, "alpha", 1); err != nil {
		return g, err
	}
	if g.Beta, err = attrFloat(n, "beta", 1); err != nil {
		return g, err
	}
	g.TransA, g.TransB = ta != 0, tb != 0
	return g, nil
}

// matrix reads a constant as float32 values and a 2-D shape.
func matrix(n *onnx.Node, t *onnx.Tensor, what string) ([]float32, int, int, error) {
	if len(t.Dims) != 2 {
		return nil, 0, 0, refuse(n, "%s %q has shape %v; a 2-D weight matrix is needed", what, t.Name, t.Dims)
	}
	v, err := t.Float32s()
	if err != nil {
		return nil, 0, 0, refuse(n, "%v", err)
	}
	return v, int(t.Dims[0]), int(t.Dims[1]), nil
}

func gemmStage(n *onnx.Node, consts map[string]*onnx.Tensor) (*stage, error) {
	a, err := gemmAttrs(n)
	if err != nil {
		return nil, err
	}
	if a.TransA {
		return nil, refuse(n, "transA=1 would transpose the data input (batch × features); only transA=0 is supported")
	}
	if len(n.Inputs) < 2 || len(n.Inputs) > 3 || n.Inputs[1] == "" {
		return nil, refuse(n, "needs 2 or 3 inputs, has %d", len(n.Inputs))
	}
	bt := consts[n.Inputs[1]]
	if bt == nil {
		return nil, refuse(n, "the weights %q are not a constant", n.Inputs[1])
	}
	b, r, cols, err := matrix(n, bt, "B")
	if err != nil {
		return nil, err
	}
	s := &stage{node: n.Name, in: r, out: cols}
	if a.TransB {
		s.in, s.out = cols, r
	}
	s.w = make([]float32, s.in*s.out)
	for i := 0; i < s.in; i++ {
		for j := 0; j < s.out; j++ {
			var v float32
			if a.TransB {
				v = b[j*cols+i]
			} else {
				v = b[i*cols+j]
			}
			s.w[i*s.out+j] = a.Alpha * v
		}
	}
	s.from = fmt.Sprintf("Gemm %q B=%q", n.Name, bt.Name)
	if a.TransB {
		s.from += " (transposed)"
	}
	if a.Alpha != 1 {
		s.from += fmt.Sprintf(" × alpha %g", a.Alpha)
	}
	if len(n.Inputs) == 3 && n.Inputs[2] != "" {
		ct := consts[n.Inputs[2]]
		if ct == nil {
			return nil, refuse(n, "the bias %q is not a constant", n.Inputs[2])
		}
		bias, err := vectorFor(n, ct, s.out)
		if err != nil {
			return nil, err
		}
		for i := range bias {
			bias[i] *= a.Beta
		}
		s.b = bias
		s.bias = fmt.Sprintf("C=%q", ct.Name)
		if a.Beta != 1 {
			s.bias += fmt.Sprintf(" × beta %g", a.Beta)
		}
	}
	return s, nil
}

// vectorFor reads a bias that broadcasts along the rows of a batch × out
// matrix: a scalar, [1], [out], [1, 1] or [1, out].
func vectorFor(n *onnx.Node, t *onnx.Tensor, out int) ([]float32, error) {
	ok := false
	switch len(t.Dims) {
	case 0:
		ok = true
	case 1:
		ok = t.Dims[0] == 1 || t.Dims[0] == int64(out)
	case 2:
		ok = t.Dims[0] == 1 && (t.Dims[1] == 1 || t.Dims[1] == int64(out))
	}
	if !ok {
		return nil, refuse(n, "bias %q has shape %v; one that broadcasts along the rows of batch × %d is needed", t.Name, t.Dims, out)
	}
	v, err := t.Float32s()
	if err != nil {
		return nil, refuse(n, "%v", err)
	}
	if len(v) == out {
		return v, nil
	}
	full := make([]float32, out)
	for i := range full {
		full[i] = v[0]
	}
	return full, nil
}

func matmulStage(n *onnx.Node, consts map[string]*onnx.Tensor) (*stage, error) {
	if len(n.Inputs) != 2 {
		return nil, refuse(n, "needs 2 inputs, has %d", len(n.Inputs))
	}
	if err := onlyAttrs(n); err != nil {
		return nil, err
	}
	bt := consts[n.Inputs[1]]
	if bt == nil {
		return nil, refuse(n, "the weights %q are not a constant", n.Inputs[1])
	}
	w, r, cols, err := matrix(n, bt, "B")
	if err != nil {
		return nil, err
	}
	return &stage{node: n.Name, in: r, out: cols, w: w, from: fmt.Sprintf("MatMul %q B=%q", n.Name, bt.Name)}, nil
}

// foldAfter folds an Add, Sub, Mul or Div by a constant that broadcasts
// along the rows (a bias, an output scaling) into the affine layer s before
// it: y·c = x·(W⊙c) + b⊙c, y + c = x·W + (b + c), and so on.
func foldAfter(n *onnx.Node, s *stage, consts map[string]*onnx.Tensor, operands []string) error {
	if len(n.Inputs) != 2 || len(operands) != 1 {
		return refuse(n, "needs the data path and one constant")
	}
	if err := onlyAttrs(n); err != nil {
		return err
	}
	t := consts[operands[0]]
	v, err := vectorFor(n, t, s.out)
	if err != nil {
		return err
	}
	constLeft := n.Inputs[0] == operands[0]
	if n.OpType == "Div" && constLeft {
		return refuse(n, "a constant divided by the layer's output is not an affine map")
	}
	if n.OpType == "Div" && slices.Contains(v, 0) {
		return refuse(n, "divides by zero")
	}
	if s.b == nil {
		s.b = make([]float32, s.out)
	}
	scaleCols := func(f func(w, c float32) float32) {
		for i := 0; i < s.in; i++ {
			row := s.w[i*s.out : (i+1)*s.out]
			for j := range row {
				row[j] = f(row[j], v[j])
			}
		}
		for j := range s.b {
			s.b[j] = f(s.b[j], v[j])
		}
	}
	step := fmt.Sprintf("%s %q %q", n.OpType, n.Name, t.Name)
	switch {
	case n.OpType == "Add":
		for j := range v {
			s.b[j] += v[j]
		}
	case n.OpType == "Sub" && constLeft:
		scaleCols(func(w, _ float32) float32 { return -w })
		for j := range v {
			s.b[j] += v[j]
		}
	case n.OpType == "Sub":
		for j := range v {
			s.b[j] -= v[j]
		}
	case n.OpType == "Mul":
		scaleCols(func(w, c float32) float32 { return w * c })
		s.from += " then " + step
	case n.OpType == "Div":
		scaleCols(func(w, c float32) float32 { return w / c })
		s.from += " then " + step
	}
	if s.bias == "" {
		s.bias = step
	} else {
		s.bias += " then " + step
	}
	return nil
}

// checkFlatten accepts a Flatten or Reshape that turns the input into
// batch × features: Flatten with axis 1, Reshape to [-1, K], [0, -1],
// [0, K] or [N, -1].
func checkFlatten(n *onnx.Node, consts map[string]*onnx.Tensor, opset int64, in *onnx.TensorType) error {
	if n.OpType == "Flatten" {
		if err := onlyAttrs(n, "axis"); err != nil {
			return err
		}
		axis, err := attrInt(n, "axis", 1)
		if err != nil {
			return err
		}
		rank := int64(-1)
		if in != nil && in.HasShape {
			rank = int64(len(in.Shape))
		}
		if axis == 1 || (axis < 0 && rank > 0 && axis+rank == 1) {
			return nil
		}
		return refuse(n, "axis %d: only flattening after the batch axis (axis 1) is supported", axis)
	}
	if err := onlyAttrs(n, "allowzero"); err != nil {
		return err
	}
	if len(n.Inputs) != 2 {
		return refuse(n, "the target shape must be a constant input (Reshape from opset 5 on)")
	}
	t := consts[n.Inputs[1]]
	if t == nil {
		return refuse(n, "the target shape %q is not a constant", n.Inputs[1])
	}
	shape, err := t.Int64s()
	if err != nil {
		return refuse(n, "%v", err)
	}
	if len(shape) == 2 && (shape[0] == -1 && shape[1] > 0 || shape[0] == 0 && shape[1] != 0 || shape[0] > 0 && shape[1] == -1) {
		return nil
	}
	return refuse(n, "target shape %v: only batch × features ([-1, K], [0, -1], [0, K], [N, -1]) is supported", shape)
}

// checkSoftmaxAxis accepts softmax along the features of a batch ×
// features matrix: axis 1 or -1 (before opset 13 the input is coerced to
// 2-D at the axis, so axis 1 is the features for any rank).
func checkSoftmaxAxis(n *onnx.Node, opset int64) error {
	if err := onlyAttrs(n, "axis"); err != nil {
		return err
	}
	def := int64(-1)
	if opset < 13 {
		def = 1
	}
	axis, err := attrInt(n, "axis", def)
	if err != nil {
		return err
	}
	if axis != 1 && axis != -1 {
		return refuse(n, "axis %d: only the feature axis of batch × features (1 or -1) is supported", axis)
	}
	return nil
}

// build checks that the chain fits a layers.Spec and makes the network.
func (c *chain) build() (*layers.Network, *Report, error) {
	rep := &Report{}
	var dense []*stage
	var acts []string
	for _, s := range c.stages {
		if s.act != "" {
			acts = append(acts, s.act)
			continue
		}
		if len(dense) > 0 && dense[len(dense)-1].out != s.in {
			return nil, nil, fmt.Errorf("onnxnet: node %q takes %d features but the layer before gives %d", s.node, s.in, dense[len(dense)-1].out)
		}
		dense = append(dense, s)
	}
	inputs := dense[0].in
	if len(c.pre) > 0 {
		if err := c.foldPre(dense[0]); err != nil {
			return nil, nil, err
		}
		var steps []string
		for _, p := range c.pre {
			steps = append(steps, fmt.Sprintf("%s %q", p.op, p.node))
		}
		rep.add("input normalisation (%s) folded into the first layer's weights and bias", strings.Join(steps, ", "))
		if dense[0].bias == "" {
			dense[0].bias = "the folded normalisation"
		} else {
			dense[0].bias += " + the folded normalisation"
		}
	}
	if t := c.inputType; t != nil && t.HasShape {
		feat := int64(1)
		known := true
		for _, d := range t.Shape[min(1, len(t.Shape)):] {
			if !d.HasValue {
				known = false
				break
			}
			feat *= d.Value
		}
		if len(t.Shape) < 2 || (c.reshape == "" && len(t.Shape) != 2) {
			return nil, nil, fmt.Errorf("onnxnet: input %q has shape %s; batch × features (or, with a Flatten first, batch × …) is needed", c.input, shapeString(t.Shape))
		}
		if known && feat != int64(inputs) {
			return nil, nil, fmt.Errorf("onnxnet: input %q has %d features (shape %s) but the first layer takes %d", c.input, feat, shapeString(t.Shape), inputs)
		}
	}
	var hidden []int
	for _, s := range dense[:len(dense)-1] {
		hidden = append(hidden, s.out)
	}
	spec := layers.NewSpec(inputs, hidden, dense[len(dense)-1].out)
	if len(acts) != len(spec.Hidden) {
		return nil, nil, fmt.Errorf("onnxnet: %d activations between %d affine layers; one after each hidden layer is needed", len(acts), len(dense))
	}
	for _, a := range acts {
		spec.Activations = append(spec.Activations, activations[a])
	}
	if c.head == "" && (spec.Outputs == 1 || c.meta[layers.MetaHead] == layers.HeadMSE.String() || c.meta[layers.MetaHead] == layers.HeadHuber.String()) {
		spec.Head = layers.HeadMSE
		if c.meta[layers.MetaHead] == layers.HeadHuber.String() {
			spec.Head = layers.HeadHuber
		}
	}
	if err := spec.Validate(); err != nil {
		return nil, nil, fmt.Errorf("onnxnet: the graph is a %s network: %v", spec, err)
	}
	// A model gomlp wrote keeps its training settings (dropout, the
	// initialiser) in the metadata, which the inference graph leaves out.
	if saved, err := layers.SpecFromMeta(c.meta); err == nil && sameStructure(saved, spec) {
		spec.Keep, spec.InputKeep, spec.Init = saved.Keep, saved.InputKeep, saved.Init
		if saved.String() != spec.String() {
			rep.add("dropout settings from the metadata: %s", spec)
		}
	}
	net, err := spec.Build(0)
	if err != nil {
		return nil, nil, err
	}
	if c.reshape != "" {
		rep.add("input %q: %s to batch × %d", c.input, c.reshape, inputs)
	}
	i := 0
	for _, l := range net.Layers() {
		d, ok := l.(*layers.Dense)
		if !ok {
			continue
		}
		s := dense[i]
		i++
		copy(d.Weights().Value.Data, s.w)
		if s.b != nil {
			copy(d.Biases().Value.Data, s.b)
		}
		rep.add("%s [%d %d] ← %s", d.Weights().Name, s.in, s.out, s.from)
		if s.b != nil {
			rep.add("%s [%d] ← %s", d.Biases().Name, s.out, s.bias)
		} else {
			rep.add("%s [%d] ← zero (the graph has no bias)", d.Biases().Name, s.out)
		}
	}
	if len(acts) > 0 {
		rep.add("activations: %s", strings.Join(acts, ", "))
	}
	switch c.head {
	case "Softmax":
		rep.add("head: Softmax %q → SoftmaxCE (Predict gives the same probabilities)", c.headNode)
	case "LogSoftmax":
		rep.add("head: LogSoftmax %q → SoftmaxCE (Predict gives probabilities, the exponentials of the graph's output)", c.headNode)
	case "":
		if spec.Head.Regression() {
			rep.add("head: the graph's outputs as they are, a regression head (%v; from %s)", spec.Head,
				map[bool]string{true: "one output", false: "the metadata's " + layers.MetaHead}[spec.Outputs == 1 && c.meta[layers.MetaHead] == ""])
		} else {
			rep.add("head: the graph outputs logits; SoftmaxCE added (Predict gives their softmax, the class order is the same)")
		}
	}
	rep.Lines = append(rep.Lines, c.notes...)
	return net, rep, nil
}

func shapeString(dims []onnx.Dim) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = d.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// checkDropout accepts a Dropout that is the identity at inference: no
// training_mode input, or a constant false one (opset 12 on).
func checkDropout(n *onnx.Node, consts map[string]*onnx.Tensor) error {
	if len(n.Inputs) < 3 || n.Inputs[2] == "" {
		return nil
	}
	t := consts[n.Inputs[2]]
	if t == nil {
		return refuse(n, "training_mode %q is not a constant", n.Inputs[2])
	}
	if t.DataType != onnx.Bool {
		return refuse(n, "training_mode %q has element type %v, want BOOL", t.Name, t.DataType)
	}
	on := len(t.Raw) > 0 && t.Raw[0] != 0 || len(t.Int32Data) > 0 && t.Int32Data[0] != 0
	if on {
		return refuse(n, "training_mode is true: dropout in training mode is not an inference graph")
	}
	return nil
}

// addPre records an element-wise operation of the input with a constant.
func (c *chain) addPre(n *onnx.Node, consts map[string]*onnx.Tensor, operands []string) error {
	if len(n.Inputs) != 2 || len(operands) != 1 {
		return refuse(n, "needs the data path and one constant")
	}
	if err := onlyAttrs(n); err != nil {
		return err
	}
	left := n.Inputs[0] == operands[0]
	if left && n.OpType == "Div" {
		return refuse(n, "a constant divided by the input is not an affine map")
	}
	t := consts[operands[0]]
	v, err := t.Float32s()
	if err != nil {
		return refuse(n, "%v", err)
	}
	c.pre = append(c.pre, preOp{node: n.Name, op: n.OpType, c: v, constLeft: left})
	return nil
}

// foldPre folds the input's element-wise steps into the first layer:
// with x' = x⊙s + t, x'·W + b = x·(diag(s)·W) + (t·W + b).
func (c *chain) foldPre(first *stage) error {
	in := first.in
	s, t := make([]float64, in), make([]float64, in)
	for i := range s {
		s[i] = 1
	}
	for _, p := range c.pre {
		if len(p.c) != 1 && len(p.c) != in {
			return fmt.Errorf("onnxnet: node %q (%s): a constant of %d values for %d input features", p.node, p.op, len(p.c), in)
		}
		for i := range s {
			k := float64(p.c[0])
			if len(p.c) > 1 {
				k = float64(p.c[i])
			}
			switch {
			case p.op == "Add":
				t[i] += k
			case p.op == "Sub" && p.constLeft:
				s[i], t[i] = -s[i], k-t[i]
			case p.op == "Sub":
				t[i] -= k
			case p.op == "Mul":
				s[i], t[i] = s[i]*k, t[i]*k
			case p.op == "Div":
				s[i], t[i] = s[i]/k, t[i]/k
			}
		}
	}
	bias := make([]float64, first.out)
	for j := range bias {
		if first.b != nil {
			bias[j] = float64(first.b[j])
		}
	}
	for i := 0; i < in; i++ {
		row := first.w[i*first.out : (i+1)*first.out]
		for j, w := range row {
			bias[j] += t[i] * float64(w)
			row[j] = float32(s[i] * float64(w))
		}
	}
	if first.b == nil {
		first.b = make([]float32, first.out)
	}
	for j := range bias {
		first.b[j] = float32(bias[j])
	}
	for i := range s {
		if f := float32(s[i]); math.IsInf(float64(f), 0) || math.IsNaN(float64(f)) {
			return fmt.Errorf("onnxnet: the input normalisation divides by zero at feature %d", i)
		}
	}
	return nil
}

// sameStructure reports whether two specs describe the same inference
// network, apart from dropout, the initialiser, a normaliser and a target
// scaler (which Import folds into the layers).
func sameStructure(a, b layers.Spec) bool {
	a.Keep, a.InputKeep, a.Init, a.Normalize, a.ScaleTargets = b.Keep, b.InputKeep, b.Init, b.Normalize, b.ScaleTargets
	return a.String() == b.String()
}
