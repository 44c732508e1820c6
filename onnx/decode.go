package onnx

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Limits on what Decode accepts, checked before anything is allocated. A
// file that exceeds one is refused with an error that names it.
const (
	// MaxFileSize is the largest model Decode and ReadFile accept: the 2 GiB
	// protobuf limit (larger models keep their weights in external files,
	// which this package does not read).
	MaxFileSize = 1<<31 - 1
	// MaxElements bounds the element count of any tensor's shape.
	MaxElements = 1 << 30
	// MaxRank bounds the number of dimensions of a tensor or shape.
	MaxRank = 64
	// MaxObjects bounds the number of messages (nodes, attributes, tensors,
	// value infos, dimensions, …) in one model, so that memory stays
	// bounded even when each takes only two bytes of the file.
	MaxObjects = 1 << 20
	// MaxValues bounds the length of one repeated scalar field (an
	// attribute's ints or floats, a tensor's typed data).
	MaxValues = MaxElements
	// MaxDepth bounds the nesting of graphs inside attributes (the bodies
	// of If and Loop).
	MaxDepth = 16
)

// Error is a decoding error: what was being decoded and what is wrong.
type Error struct {
	Path string // e.g. "graph.node[3].attribute[0]"
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "onnx: " + e.Err.Error()
	}
	return "onnx: " + e.Path + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotModel is returned (wrapped) for data that is not an ONNX model at
// all, as opposed to a damaged one.
var ErrNotModel = errors.New("not an ONNX model")

// ReadFile reads and decodes an ONNX model file.
func ReadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("onnx: %s is not a regular file", path)
	}
	if fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("onnx: %s: %d bytes, more than the %d a model file may have", path, fi.Size(), int64(MaxFileSize))
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("onnx: %s: %v", path, err)
	}
	m, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Decode parses a serialized ModelProto. Tensor raw data in the result
// aliases data. Unknown fields are skipped; a model without a graph is
// ErrNotModel.
func Decode(data []byte) (*Model, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Err: fmt.Errorf("%d bytes, more than %d", len(data), int64(MaxFileSize))}
	}
	d := &decoder{}
	m, err := d.model(data)
	if err != nil {
		if e, ok := err.(*Error); ok {
			return nil, e
		}
		return nil, &Error{Err: err}
	}
	if m.Graph == nil {
		return nil, &Error{Err: fmt.Errorf("%w: no graph", ErrNotModel)}
	}
	return m, nil
}

// DecodeTensor parses a serialized TensorProto (the form of the input and
// output files of ONNX's operator tests).
func DecodeTensor(data []byte) (*Tensor, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Err: fmt.Errorf("%d bytes, more than %d", len(data), int64(MaxFileSize))}
	}
	d := &decoder{}
	t, err := d.tensor(data, "tensor")
	if err != nil {
		if e, ok := err.(*Error); ok {
			return nil, e
		}
		return nil, &Error{Path: "tensor", Err: err}
	}
	return t, nil
}

// decoder carries the limits that span the whole model.
type decoder struct {
	objects int
	depth   int
}

// alloc counts one more message against MaxObjects.
func (d *decoder) alloc() error {
	d.objects++
	if d.objects > MaxObjects {
		return fmt.Errorf("more than %d messages", MaxObjects)
	}
	return nil
}

func at(path string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*Error); ok {
		return err
	}
	return &Error{Path: path, Err: err}
}

func index(path string, i int) string { return path + "[" + itoa(int64(i)) + "]" }

func (d *decoder) model(buf []byte) (*Model, error) {
	m := &Model{}
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotModel, err)
		}
		if !ok {
			return m, nil
		}
		switch f {
		case 1:
			m.IRVersion, err = r.int64Field(f, w)
			err = at("ir_version", err)
		case 2:
			m.ProducerName, err = r.stringField(f, w)
			err = at("producer_name", err)
		case 3:
			m.ProducerVersion, err = r.stringField(f, w)
			err = at("producer_version", err)
		case 4:
			m.Domain, err = r.stringField(f, w)
			err = at("domain", err)
		case 5:
			m.ModelVersion, err = r.int64Field(f, w)
			err = at("model_version", err)
		case 6:
			m.DocString, err = r.stringField(f, w)
			err = at("doc_string", err)
		case 7:
			var b []byte
			if b, err = r.messageField(f, w); err == nil {
				if m.Graph != nil {
					err = errors.New("more than one graph")
				} else {
					m.Graph, err = d.graph(b, "graph")
				}
			}
			err = at("graph", err)
		case 8:
			var b []byte
			path := index("opset_import", len(m.OpsetImports))
			if b, err = r.messageField(f, w); err == nil {
				var o OpsetID
				if o, err = d.opset(b); err == nil {
					m.OpsetImports = append(m.OpsetImports, o)
				}
			}
			err = at(path, err)
		case 14:
			var b []byte
			path := index("metadata_props", len(m.MetadataProps))
			if b, err = r.messageField(f, w); err == nil {
				var p StringPair
				if p, err = d.stringPair(b); err == nil {
					m.MetadataProps = append(m.MetadataProps, p)
				}
			}
			err = at(path, err)
		case 25:
			if err = want(f, w, wireBytes); err == nil {
				if err = d.alloc(); err == nil {
					_, err = r.bytes()
					m.Functions++
				}
			}
			err = at("functions", err)
		default:
			err = at("", r.skip(w))
		}
		if err != nil {
			return nil, err
		}
	}
}

func (d *decoder) opset(buf []byte) (OpsetID, error) {
	var o OpsetID
	if err := d.alloc(); err != nil {
		return o, err
	}
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil || !ok {
			return o, err
		}
		switch f {
		case 1:
			o.Domain, err = r.stringField(f, w)
		case 2:
			o.Version, err = r.int64Field(f, w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return o, err
		}
	}
}

func (d *decoder) stringPair(buf []byte) (StringPair, error) {
	var p StringPair
	if err := d.alloc(); err != nil {
		return p, err
	}
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil || !ok {
			return p, err
		}
		switch f {
		case 1:
			p.Key, err = r.stringField(f, w)
		case 2:
			p.Value, err = r.stringField(f, w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return p, err
		}
	}
}

func (d *decoder) graph(buf []byte, path string) (*Graph, error) {
	if err := d.alloc(); err != nil {
		return nil, at(path, err)
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > MaxDepth {
		return nil, at(path, fmt.Errorf("graphs nested more than %d deep", MaxDepth))
	}
	g := &Graph{}
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil {
			return nil, at(path, err)
		}
		if !ok {
			return g, nil
		}
		var b []byte
		switch f {
		case 1:
			p := index(path+".node", len(g.Nodes))
			if b, err = r.messageField(f, w); err == nil {
				var n *Node
				if n, err = d.node(b, p); err == nil {
					g.Nodes = append(g.Nodes, n)
				}
			}
			err = at(p, err)
		case 2:
			g.Name, err = r.stringField(f, w)
			err = at(path+".name", err)
		case 5:
			p := index(path+".initializer", len(g.Initializers))
			if b, err = r.messageField(f, w); err == nil {
				var t *Tensor
				if t, err = d.tensor(b, p); err == nil {
					g.Initializers = append(g.Initializers, t)
				}
			}
			err = at(p, err)
		case 10:
			g.DocString, err = r.stringField(f, w)
			err = at(path+".doc_string", err)
		case 11, 12, 13:
			list := map[int]*[]*ValueInfo{11: &g.Inputs, 12: &g.Outputs, 13: &g.ValueInfo}[f]
			p := index(path+"."+map[int]string{11: "input", 12: "output", 13: "value_info"}[f], len(*list))
			if b, err = r.messageField(f, w); err == nil {
				var v *ValueInfo
				if v, err = d.valueInfo(b); err == nil {
					*list = append(*list, v)
				}
			}
			err = at(p, err)
		case 15:
			if b, err = r.messageField(f, w); err == nil {
				err = d.alloc()
				g.SparseInitializers++
			}
			err = at(path+".sparse_initializer", err)
		default:
			err = at(path, r.skip(w))
		}
		if err != nil {
			return nil, err
		}
	}
}

func (d *decoder) node(buf []byte, path string) (*Node, error) {
	if err := d.alloc(); err != nil {
		return nil, err
	}
	n := &Node{}
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil || !ok {
			return n, err
		}
		var s string
		switch f {
		case 1, 2:
			if s, err = r.stringField(f, w); err == nil {
				if err = d.alloc(); err == nil {
					if f == 1 {
						n.Inputs = append(n.Inputs, s)
					} else {
						n.Outputs = append(n.Outputs, s)
					}
				}
			}
		case 3:
			n.Name, err = r.stringField(f, w)
		case 4:
			n.OpType, err = r.stringField(f, w)
		case 5:
			var b []byte
			p := index(path+".attribute", len(n.Attributes))
			if b, err = r.messageField(f, w); err == nil {
				var a *Attribute
				if a, err = d.attribute(b, p); err == nil {
					n.Attributes = append(n.Attributes, a)
				}
			}
			err = at(p, err)
		case 6:
			n.DocString, err = r.stringField(f, w)
		case 7:
			n.Domain, err = r.stringField(f, w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, err
		}
	}
}

func (d *decoder) attribute(buf []byte, path string) (*Attribute, error) {
	if err := d.alloc(); err != nil {
		return nil, err
	}
	a := &Attribute{}
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil || !ok {
			return a, err
		}
		var b []byte
		switch f {
		case 1:
			a.Name, err = r.stringField(f, w)
		case 2:
			if err = want(f, w, wireFixed32); err == nil {
				var v []float32
				v, err = r.float32s(nil, f, w, 1)
				if err == nil {
					a.F = v[0]
				}
			}
		case 3:
			a.I, err = r.int64Field(f, w)
		case 4:
			if b, err = r.messageField(f, w); err == nil {
				a.S = b
			}
		case 5:
			if b, err = r.messageField(f, w); err == nil {
				a.T, err = d.tensor(b, path+".t")
			}
		case 6:
			if b, err = r.messageField(f, w); err == nil {
				a.G, err = d.graph(b, path+".g")
			}
		case 7:
			a.Floats, err = r.float32s(a.Floats, f, w, MaxValues)
		case 8:
			a.Ints, err = r.varints(a.Ints, f, w, MaxValues)
		case 9:
			if b, err = r.messageField(f, w); err == nil {
				if err = d.alloc(); err == nil {
					a.Strings = append(a.Strings, b)
				}
			}
		case 10:
			if b, err = r.messageField(f, w); err == nil {
				var t *Tensor
				if t, err = d.tensor(b, index(path+".tensors", len(a.Tensors))); err == nil {
					a.Tensors = append(a.Tensors, t)
				}
			}
		case 11:
			if b, err = r.messageField(f, w); err == nil {
				var g *Graph
				if g, err = d.graph(b, index(path+".graphs", len(a.Graphs))); err == nil {
					a.Graphs = append(a.Graphs, g)
				}
			}
		case 13:
			a.DocString, err = r.stringField(f, w)
		case 20:
			var v int64
			v, err = r.int64Field(f, w)
			a.Type = AttributeType(v)
		case 21:
			a.RefAttrName, err = r.stringField(f, w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, err
		}
	}
}

func (d *decoder) tensor(buf []byte, path string) (*Tensor, error) {
	if err := d.alloc(); err != nil {
		return nil, at(path, err)
	}
	t := &Tensor{}
	r := reader{buf: buf}
	var i64 []int64
	for {
		f, w, ok, err := r.next()
		if err != nil {
			return nil, at(path, err)
		}
		if !ok {
			break
		}
		switch f {
		case 1:
			t.Dims, err = r.varints(t.Dims, f, w, MaxRank)
		case 2:
			var v int64
			v, err = r.int64Field(f, w)
			t.DataType = DataType(v)
		case 3:
			err = r.skip(w)
			t.Segmented = true
		case 4:
			t.FloatData, err = r.float32s(t.FloatData, f, w, MaxValues)
		case 5:
			i64, err = r.varints(i64[:0], f, w, MaxValues-len(t.Int32Data))
			for _, v := range i64 {
				t.Int32Data = append(t.Int32Data, int32(v))
			}
		case 6:
			if err = want(f, w, wireBytes); err == nil {
				_, err = r.bytes()
				t.Strings++
			}
		case 7:
			t.Int64Data, err = r.varints(t.Int64Data, f, w, MaxValues)
		case 8:
			t.Name, err = r.stringField(f, w)
		case 9:
			var b []byte
			if b, err = r.messageField(f, w); err == nil {
				t.Raw = b
			}
		case 10:
			t.DoubleData, err = r.float64s(t.DoubleData, f, w, MaxValues)
		case 11:
			i64, err = r.varints(i64[:0], f, w, MaxValues-len(t.Uint64Data))
			for _, v := range i64 {
				t.Uint64Data = append(t.Uint64Data, uint64(v))
			}
		case 12:
			t.DocString, err = r.stringField(f, w)
		case 13:
			err = r.skip(w) // external_data entries: data_location says what matters
		case 14:
			var v int64
			v, err = r.int64Field(f, w)
			t.External = v == 1
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, at(path, err)
		}
	}
	if _, err := t.NumElements(); err != nil {
		return nil, at(path, err)
	}
	return t, nil
}

func (d *decoder) valueInfo(buf []byte) (*ValueInfo, error) {
	if err := d.alloc(); err != nil {
		return nil, err
	}
	v := &ValueInfo{}
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil || !ok {
			return v, err
		}
		switch f {
		case 1:
			v.Name, err = r.stringField(f, w)
		case 2:
			var b []byte
			if b, err = r.messageField(f, w); err == nil {
				err = d.typeProto(v, b)
			}
		case 3:
			v.DocString, err = r.stringField(f, w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, err
		}
	}
}

// typeProto reads a TypeProto into v: the tensor type, or the name of the
// non-tensor kind (whose contents are skipped, not decoded).
func (d *decoder) typeProto(v *ValueInfo, buf []byte) error {
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		switch f {
		case 1:
			var b []byte
			if b, err = r.messageField(f, w); err == nil {
				v.Type, err = d.tensorType(b)
			}
		case 4, 5, 8, 9:
			v.NotTensor = map[int]string{4: "sequence", 5: "map", 8: "sparse tensor", 9: "optional"}[f]
			err = r.skip(w)
		default:
			err = r.skip(w)
		}
		if err != nil {
			return err
		}
	}
}

func (d *decoder) tensorType(buf []byte) (*TensorType, error) {
	if err := d.alloc(); err != nil {
		return nil, err
	}
	t := &TensorType{}
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil || !ok {
			return t, err
		}
		switch f {
		case 1:
			var v int64
			v, err = r.int64Field(f, w)
			t.ElemType = DataType(v)
		case 2:
			var b []byte
			if b, err = r.messageField(f, w); err == nil {
				t.HasShape = true
				t.Shape, err = d.shape(b)
			}
		default:
			err = r.skip(w)
		}
		if err != nil {
			return nil, err
		}
	}
}

func (d *decoder) shape(buf []byte) ([]Dim, error) {
	dims := []Dim{}
	r := reader{buf: buf}
	for {
		f, w, ok, err := r.next()
		if err != nil || !ok {
			return dims, err
		}
		if f != 1 {
			if err := r.skip(w); err != nil {
				return nil, err
			}
			continue
		}
		b, err := r.messageField(f, w)
		if err != nil {
			return nil, err
		}
		if len(dims) >= MaxRank {
			return nil, fmt.Errorf("shape of more than %d dimensions", MaxRank)
		}
		var dim Dim
		sub := reader{buf: b}
		for {
			f, w, ok, err := sub.next()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			switch f {
			case 1:
				dim.Value, err = sub.int64Field(f, w)
				dim.HasValue = true
			case 2:
				dim.Param, err = sub.stringField(f, w)
			default:
				err = sub.skip(w)
			}
			if err != nil {
				return nil, err
			}
		}
		dims = append(dims, dim)
	}
}
