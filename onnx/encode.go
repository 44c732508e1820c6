package onnx

import (
	"fmt"
	"io"

	"github.com/gomlp/gomlp/internal/regular"
)

// Encode serializes m as a ModelProto. It writes what the types hold
// (counted-only fields such as Functions are not written) and refuses a
// tensor whose values do not match its shape.
func Encode(m *Model) ([]byte, error) {
	if m.Graph == nil {
		return nil, fmt.Errorf("onnx: Encode: the model has no graph")
	}
	var w writer
	w.int64(1, m.IRVersion)
	for _, o := range m.OpsetImports {
		var sub writer
		sub.stringNonEmpty(1, o.Domain)
		sub.int64(2, o.Version)
		w.bytes(8, sub.buf)
	}
	w.stringNonEmpty(2, m.ProducerName)
	w.stringNonEmpty(3, m.ProducerVersion)
	w.stringNonEmpty(4, m.Domain)
	w.int64NonZero(5, m.ModelVersion)
	w.stringNonEmpty(6, m.DocString)
	g, err := encodeGraph(m.Graph)
	if err != nil {
		return nil, err
	}
	w.bytes(7, g)
	for _, p := range m.MetadataProps {
		var sub writer
		sub.string(1, p.Key)
		sub.string(2, p.Value)
		w.bytes(14, sub.buf)
	}
	return w.buf, nil
}

// WriteFile encodes m and writes it to path through a temporary file in the
// same directory, renamed into place once complete. It refuses a path that
// exists and is not a regular file (a directory, a device, a named pipe).
func WriteFile(path string, m *Model) error {
	data, err := Encode(m)
	if err != nil {
		return err
	}
	err = regular.WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("onnx: save: %w", err)
	}
	return nil
}

func encodeGraph(g *Graph) ([]byte, error) {
	var w writer
	for _, n := range g.Nodes {
		b, err := encodeNode(n)
		if err != nil {
			return nil, err
		}
		w.bytes(1, b)
	}
	w.stringNonEmpty(2, g.Name)
	for _, t := range g.Initializers {
		b, err := encodeTensor(t)
		if err != nil {
			return nil, err
		}
		w.bytes(5, b)
	}
	w.stringNonEmpty(10, g.DocString)
	for _, list := range []struct {
		field int
		vs    []*ValueInfo
	}{{11, g.Inputs}, {12, g.Outputs}, {13, g.ValueInfo}} {
		for _, v := range list.vs {
			w.bytes(list.field, encodeValueInfo(v))
		}
	}
	return w.buf, nil
}

func encodeNode(n *Node) ([]byte, error) {
	var w writer
	for _, s := range n.Inputs {
		w.string(1, s)
	}
	for _, s := range n.Outputs {
		w.string(2, s)
	}
	w.stringNonEmpty(3, n.Name)
	w.string(4, n.OpType)
	for _, a := range n.Attributes {
		b, err := encodeAttribute(a)
		if err != nil {
			return nil, fmt.Errorf("onnx: node %q: %v", n.Name, err)
		}
		w.bytes(5, b)
	}
	w.stringNonEmpty(6, n.DocString)
	w.stringNonEmpty(7, n.Domain)
	return w.buf, nil
}

func encodeAttribute(a *Attribute) ([]byte, error) {
	var w writer
	w.string(1, a.Name)
	switch a.Type {
	case AttrFloat:
		w.float32(2, a.F)
	case AttrInt:
		w.int64(3, a.I)
	case AttrString:
		w.bytes(4, a.S)
	case AttrTensor:
		if a.T == nil {
			return nil, fmt.Errorf("attribute %q: TENSOR without a tensor", a.Name)
		}
		b, err := encodeTensor(a.T)
		if err != nil {
			return nil, err
		}
		w.bytes(5, b)
	case AttrFloats:
		w.packedFloat32s(7, a.Floats)
	case AttrInts:
		w.packedInt64s(8, a.Ints)
	case AttrStrings:
		for _, s := range a.Strings {
			w.bytes(9, s)
		}
	default:
		return nil, fmt.Errorf("attribute %q: writing type %v is not supported", a.Name, a.Type)
	}
	w.int64(20, int64(a.Type))
	return w.buf, nil
}

func encodeTensor(t *Tensor) ([]byte, error) {
	if _, err := t.storedAs(); err != nil {
		return nil, err
	}
	if t.Raw == nil && (len(t.DoubleData) > 0 || len(t.Uint64Data) > 0) {
		return nil, fmt.Errorf("onnx: tensor %q: writing %v values as typed data is not supported (use raw data)", t.Name, t.DataType)
	}
	var w writer
	w.packedInt64s(1, t.Dims)
	w.int64(2, int64(t.DataType))
	w.packedFloat32s(4, t.FloatData)
	if len(t.Int32Data) > 0 {
		v := make([]int64, len(t.Int32Data))
		for i, x := range t.Int32Data {
			v[i] = int64(x)
		}
		w.packedInt64s(5, v)
	}
	w.packedInt64s(7, t.Int64Data)
	w.stringNonEmpty(8, t.Name)
	if t.Raw != nil {
		w.bytes(9, t.Raw)
	}
	w.stringNonEmpty(12, t.DocString)
	return w.buf, nil
}

func encodeValueInfo(v *ValueInfo) []byte {
	var w writer
	w.string(1, v.Name)
	if v.Type != nil {
		var shape writer
		for _, d := range v.Type.Shape {
			var dim writer
			switch {
			case d.HasValue:
				dim.int64(1, d.Value)
			case d.Param != "":
				dim.string(2, d.Param)
			}
			shape.bytes(1, dim.buf)
		}
		var tt writer
		tt.int64(1, int64(v.Type.ElemType))
		if v.Type.HasShape || len(v.Type.Shape) > 0 {
			tt.bytes(2, shape.buf)
		}
		var tp writer
		tp.bytes(1, tt.buf)
		w.bytes(2, tp.buf)
	}
	w.stringNonEmpty(3, v.DocString)
	return w.buf
}
