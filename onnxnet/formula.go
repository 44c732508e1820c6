package onnxnet

import (
	"errors"
	"fmt"
	"math"

	"github.com/gomlp/gomlp/onnx"
)

// Exporters write activations that have no ONNX operator (GELU before
// opset 20) as a formula of element-wise nodes: PyTorch 1.13 writes
// nn.GELU(approximate="tanh") as ten of them, gomlp's Export as nine, in
// other orders. formulaActivation takes such a run of nodes that starts at
// the data path and ends in one value, evaluates it on fixed probe points
// and accepts it only if it is one of the library's activations there.

// formulaOps are the element-wise operators a formula may use.
var formulaOps = map[string]bool{"Mul": true, "Add": true, "Sub": true, "Div": true, "Pow": true,
	"Neg": true, "Tanh": true, "Sigmoid": true, "Erf": true, "Exp": true, "Relu": true}

// startsFormula reports whether n, right after an affine layer, begins a
// formula: an arithmetic node on the data path that is not a bias (Add of
// a constant).
func startsFormula(n *onnx.Node, cur string, consts map[string]*onnx.Tensor) bool {
	switch n.OpType {
	case "Mul", "Sub", "Div", "Pow":
	case "Add":
		if len(n.Inputs) == 2 && (consts[n.Inputs[0]] != nil || consts[n.Inputs[1]] != nil) {
			return false // a bias
		}
	default:
		return false
	}
	for _, in := range n.Inputs {
		if in == cur {
			return true
		}
	}
	return false
}

// formulaProbes are the points a formula is checked at: -8 to 8 in steps
// of 1/32, and far out on both sides.
func formulaProbes() []float64 {
	var p []float64
	for i := -256; i <= 256; i++ {
		p = append(p, float64(i)/32)
	}
	return append(p, -30, -15, 15, 30)
}

// geluTanh is the library's GELU, in float64.
func geluTanh(x float64) float64 {
	return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
}

// errNotFormula says that the nodes at the data path are no formula.
var errNotFormula = errors.New("not a formula")

// formulaActivation reads the formula that starts at node start on the
// value x and returns the index of its last node and the activation it is,
// or errNotFormula if the nodes there use x only once.
func formulaActivation(g *onnx.Graph, start int, x string, consts map[string]*onnx.Tensor) (int, string, error) {
	first := g.Nodes[start]
	inside := map[string]bool{x: true}
	var nodes []*onnx.Node
	end := start
	for j := start; j < len(g.Nodes); j++ {
		n := g.Nodes[j]
		if n.OpType == "Constant" {
			if _, err := foldConstant(n, consts); err != nil {
				return 0, "", err
			}
			continue
		}
		if !formulaOps[n.OpType] || len(n.Outputs) != 1 || n.Domain != "" && n.Domain != "ai.onnx" {
			break
		}
		uses := false
		for _, in := range n.Inputs {
			if inside[in] {
				uses = true
			} else if t := consts[in]; t == nil || len(t.Dims) > 0 && (len(t.Dims) != 1 || t.Dims[0] != 1) {
				uses = false
				break // not a scalar constant: the node is not part of the formula
			}
		}
		if !uses {
			break
		}
		if err := onlyAttrs(n); err != nil {
			return 0, "", err
		}
		nodes = append(nodes, n)
		inside[n.Outputs[0]] = true
		end = j
	}
	// An activation uses its input more than once (x·Φ(x)); a run that uses
	// it once is an affine map after the layer (output scaling), not a formula.
	uses := 0
	for _, n := range nodes {
		for _, in := range n.Inputs {
			if in == x {
				uses++
			}
		}
	}
	if uses < 2 {
		return 0, "", errNotFormula
	}
	y := g.Nodes[end].Outputs[0]
	// Only y may be used after the formula.
	later := map[string]bool{}
	for _, n := range g.Nodes[end+1:] {
		for _, in := range n.Inputs {
			later[in] = true
		}
	}
	for _, o := range g.Outputs {
		later[o.Name] = true
	}
	for v := range inside {
		if v != y && later[v] {
			return 0, "", refuse(first, "the element-wise nodes from here to %q (%s) are used by later nodes at %q, not just at their end", g.Nodes[end].Name, g.Nodes[end].OpType, v)
		}
	}
	probes := formulaProbes()
	got, err := evalFormula(nodes, x, probes, consts)
	if err != nil {
		return 0, "", err
	}
	match := func(f func(float64) float64) bool {
		for i, p := range probes {
			want := f(p)
			if !(math.Abs(got[y][i]-want) <= 1e-6*(1+math.Abs(want))) {
				return false
			}
		}
		return true
	}
	switch {
	case match(geluTanh):
		return end, "Gelu", nil
	case match(func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }):
		return 0, "", refuse(first, "the %d element-wise nodes to %q compute the exact (erf) GELU; gomlp's GELU is the tanh approximation", len(nodes), g.Nodes[end].Name)
	}
	return 0, "", refuse(first, "the %d element-wise nodes to %q (%s) compute none of the library's activations (checked at %d points)", len(nodes), g.Nodes[end].Name, g.Nodes[end].OpType, len(probes))
}

// evalFormula evaluates nodes in float64 with x set to each probe point.
func evalFormula(nodes []*onnx.Node, x string, probes []float64, consts map[string]*onnx.Tensor) (map[string][]float64, error) {
	vals := map[string][]float64{x: probes}
	operand := func(n *onnx.Node, k int) ([]float64, error) {
		if k >= len(n.Inputs) {
			return nil, refuse(n, "needs %d inputs", k+1)
		}
		if v, ok := vals[n.Inputs[k]]; ok {
			return v, nil
		}
		c, err := consts[n.Inputs[k]].Float32s()
		if err != nil {
			return nil, refuse(n, "%v", err)
		}
		v := make([]float64, len(probes))
		for i := range v {
			v[i] = float64(c[0])
		}
		return v, nil
	}
	for _, n := range nodes {
		a, err := operand(n, 0)
		if err != nil {
			return nil, err
		}
		var b []float64
		binary := n.OpType == "Mul" || n.OpType == "Add" || n.OpType == "Sub" || n.OpType == "Div" || n.OpType == "Pow"
		if binary {
			if len(n.Inputs) != 2 {
				return nil, refuse(n, "needs 2 inputs")
			}
			if b, err = operand(n, 1); err != nil {
				return nil, err
			}
		} else if len(n.Inputs) != 1 {
			return nil, refuse(n, "needs 1 input")
		}
		out := make([]float64, len(probes))
		for i := range out {
			switch n.OpType {
			case "Mul":
				out[i] = a[i] * b[i]
			case "Add":
				out[i] = a[i] + b[i]
			case "Sub":
				out[i] = a[i] - b[i]
			case "Div":
				out[i] = a[i] / b[i]
			case "Pow":
				out[i] = math.Pow(a[i], b[i])
			case "Neg":
				out[i] = -a[i]
			case "Tanh":
				out[i] = math.Tanh(a[i])
			case "Sigmoid":
				out[i] = 1 / (1 + math.Exp(-a[i]))
			case "Erf":
				out[i] = math.Erf(a[i])
			case "Exp":
				out[i] = math.Exp(a[i])
			case "Relu":
				out[i] = math.Max(a[i], 0)
			default:
				return nil, fmt.Errorf("onnxnet: formula operator %s", n.OpType)
			}
		}
		vals[n.Outputs[0]] = out
	}
	return vals, nil
}
