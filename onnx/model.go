package onnx

import "strconv"

// The messages of onnx.proto that a multilayer perceptron needs. Fields the
// decoder does not know are skipped; fields these types do not hold are not
// written.

// Model is an ONNX ModelProto.
type Model struct {
	IRVersion       int64
	OpsetImports    []OpsetID
	ProducerName    string
	ProducerVersion string
	Domain          string
	ModelVersion    int64
	DocString       string
	Graph           *Graph
	MetadataProps   []StringPair
	// Functions counts the model-local functions (ModelProto.functions),
	// which this package does not decode.
	Functions int
}

// OpsetID names an operator set and its version; Domain "" (or
// "ai.onnx") is the default operator set.
type OpsetID struct {
	Domain  string
	Version int64
}

// StringPair is a StringStringEntryProto (metadata_props).
type StringPair struct {
	Key, Value string
}

// Graph is a GraphProto: nodes in topological order, the initializers
// (named constant tensors), and the graph's inputs and outputs.
type Graph struct {
	Name         string
	Nodes        []*Node
	Initializers []*Tensor
	Inputs       []*ValueInfo
	Outputs      []*ValueInfo
	ValueInfo    []*ValueInfo
	DocString    string
	// SparseInitializers counts the sparse initializers, which this package
	// does not decode.
	SparseInitializers int
}

// Node is a NodeProto: one operator application.
type Node struct {
	Name       string
	OpType     string
	Domain     string
	Inputs     []string // "" marks an omitted optional input
	Outputs    []string
	Attributes []*Attribute
	DocString  string
}

// AttributeType is AttributeProto.AttributeType.
type AttributeType int32

// Attribute types.
const (
	AttrUndefined     AttributeType = 0
	AttrFloat         AttributeType = 1
	AttrInt           AttributeType = 2
	AttrString        AttributeType = 3
	AttrTensor        AttributeType = 4
	AttrGraph         AttributeType = 5
	AttrFloats        AttributeType = 6
	AttrInts          AttributeType = 7
	AttrStrings       AttributeType = 8
	AttrTensors       AttributeType = 9
	AttrGraphs        AttributeType = 10
	AttrSparseTensor  AttributeType = 11
	AttrSparseTensors AttributeType = 12
	AttrTypeProto     AttributeType = 13
	AttrTypeProtos    AttributeType = 14
)

var attrTypeNames = map[AttributeType]string{
	AttrUndefined: "UNDEFINED", AttrFloat: "FLOAT", AttrInt: "INT", AttrString: "STRING",
	AttrTensor: "TENSOR", AttrGraph: "GRAPH", AttrFloats: "FLOATS", AttrInts: "INTS",
	AttrStrings: "STRINGS", AttrTensors: "TENSORS", AttrGraphs: "GRAPHS",
	AttrSparseTensor: "SPARSE_TENSOR", AttrSparseTensors: "SPARSE_TENSORS",
	AttrTypeProto: "TYPE_PROTO", AttrTypeProtos: "TYPE_PROTOS",
}

func (t AttributeType) String() string {
	if s, ok := attrTypeNames[t]; ok {
		return s
	}
	return "AttributeType(" + itoa(int64(t)) + ")"
}

// Attribute is an AttributeProto. Only the field its Type selects is
// meaningful. Graph-valued attributes (the bodies of If and Loop) are
// decoded into Graphs; sparse tensors and type protos are only counted.
type Attribute struct {
	Name    string
	Type    AttributeType
	F       float32
	I       int64
	S       []byte
	T       *Tensor
	G       *Graph
	Floats  []float32
	Ints    []int64
	Strings [][]byte
	Tensors []*Tensor
	Graphs  []*Graph
	// RefAttrName is set inside function bodies, which refer to an
	// attribute of the calling node.
	RefAttrName string
	DocString   string
}

// ValueInfo is a ValueInfoProto: the name and, for tensors, the element
// type and shape of a graph input, output or intermediate value.
type ValueInfo struct {
	Name      string
	DocString string
	// Type is nil when the value info has no type (allowed for
	// intermediate values) or its type is not a tensor.
	Type *TensorType
	// NotTensor names the kind of a non-tensor type ("sequence", "map",
	// "optional", "sparse tensor"), "" for tensors and untyped values.
	NotTensor string
}

// TensorType is TypeProto.Tensor: an element type and an optional shape.
type TensorType struct {
	ElemType DataType
	// Shape is nil when the shape is unknown (not even the rank).
	Shape []Dim
	// HasShape is true when a shape, possibly of rank 0, was given.
	HasShape bool
}

// Dim is one dimension of a shape: a fixed Value, a symbolic Param such as
// "batch", or neither (unknown).
type Dim struct {
	Value    int64
	HasValue bool
	Param    string
}

// String formats a dimension as its value, its parameter name, or "?".
func (d Dim) String() string {
	switch {
	case d.HasValue:
		return itoa(d.Value)
	case d.Param != "":
		return d.Param
	}
	return "?"
}

// Opset returns the version of the default operator set the model imports
// ("" or "ai.onnx"), or 0 if it imports none.
func (m *Model) Opset() int64 {
	for _, o := range m.OpsetImports {
		if o.Domain == "" || o.Domain == "ai.onnx" {
			return o.Version
		}
	}
	return 0
}

// Metadata returns metadata_props as a map (the last value wins for a
// repeated key).
func (m *Model) Metadata() map[string]string {
	out := make(map[string]string, len(m.MetadataProps))
	for _, p := range m.MetadataProps {
		out[p.Key] = p.Value
	}
	return out
}

// Attr returns the node's attribute of that name, or nil.
func (n *Node) Attr(name string) *Attribute {
	for _, a := range n.Attributes {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Initializer returns the graph's initializer of that name, or nil.
func (g *Graph) Initializer(name string) *Tensor {
	for _, t := range g.Initializers {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
