package onnx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

// tiny returns a one-node model: y = Relu(x).
func tiny() *Model {
	return &Model{
		IRVersion:    7,
		OpsetImports: []OpsetID{{Version: 13}},
		ProducerName: "test",
		Graph: &Graph{
			Name:  "g",
			Nodes: []*Node{{Name: "r", OpType: "Relu", Inputs: []string{"x"}, Outputs: []string{"y"}}},
			Inputs: []*ValueInfo{{Name: "x", Type: &TensorType{ElemType: Float, HasShape: true,
				Shape: []Dim{{Param: "batch"}, {Value: 3, HasValue: true}}}}},
			Outputs:      []*ValueInfo{{Name: "y", Type: &TensorType{ElemType: Float}}},
			Initializers: []*Tensor{FloatTensor("w", []int64{2, 2}, []float32{1, -2, 3.5, float32(math.Inf(1))})},
		},
		MetadataProps: []StringPair{{"k", "v"}},
	}
}

func TestEncodeDecode(t *testing.T) {
	m := tiny()
	m.Graph.Nodes[0].Attributes = []*Attribute{
		{Name: "f", Type: AttrFloat, F: 0.25},
		{Name: "i", Type: AttrInt, I: -7},
		{Name: "s", Type: AttrString, S: []byte("hi")},
		{Name: "fs", Type: AttrFloats, Floats: []float32{1, 2}},
		{Name: "is", Type: AttrInts, Ints: []int64{-1, 1 << 40}},
		{Name: "t", Type: AttrTensor, T: &Tensor{DataType: Int64, Dims: []int64{2}, Int64Data: []int64{0, -1}}},
	}
	data, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if !LooksLikeModel(data[:min(len(data), 16)]) {
		t.Error("LooksLikeModel is false for an encoded model")
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.IRVersion != 7 || got.Opset() != 13 || got.ProducerName != "test" || got.Metadata()["k"] != "v" {
		t.Errorf("header: %+v", got)
	}
	g := got.Graph
	if g.Name != "g" || len(g.Nodes) != 1 || g.Nodes[0].OpType != "Relu" || g.Nodes[0].Inputs[0] != "x" {
		t.Fatalf("graph: %+v", g)
	}
	in := g.Inputs[0].Type
	if in.ElemType != Float || len(in.Shape) != 2 || in.Shape[0].Param != "batch" || in.Shape[1].Value != 3 {
		t.Errorf("input type %+v", in)
	}
	if g.Outputs[0].Type.HasShape {
		t.Error("an output without a shape came back with one")
	}
	w, err := g.Initializer("w").Float32s()
	if err != nil || w[2] != 3.5 || !math.IsInf(float64(w[3]), 1) {
		t.Errorf("initializer: %v, %v", w, err)
	}
	n := g.Nodes[0]
	if a := n.Attr("f"); a.Type != AttrFloat || a.F != 0.25 {
		t.Errorf("f: %+v", a)
	}
	if a := n.Attr("i"); a.I != -7 {
		t.Errorf("i: %+v", a)
	}
	if a := n.Attr("s"); string(a.S) != "hi" {
		t.Errorf("s: %+v", a)
	}
	if a := n.Attr("fs"); len(a.Floats) != 2 || a.Floats[1] != 2 {
		t.Errorf("fs: %+v", a)
	}
	if a := n.Attr("is"); len(a.Ints) != 2 || a.Ints[0] != -1 || a.Ints[1] != 1<<40 {
		t.Errorf("is: %+v", a)
	}
	if v, err := n.Attr("t").T.Int64s(); err != nil || v[1] != -1 {
		t.Errorf("t: %v %v", v, err)
	}
	again, err := Encode(got)
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("re-encoding the decoded model differs (%v)", err)
	}
}

// Typed fields, packed or not, and every float type read as float32.
func TestTensorValues(t *testing.T) {
	half := func(bits ...uint16) []byte {
		b := make([]byte, 2*len(bits))
		for i, h := range bits {
			binary.LittleEndian.PutUint16(b[2*i:], h)
		}
		return b
	}
	cases := []struct {
		name string
		t    Tensor
		want []float32
	}{
		{"float raw", *FloatTensor("", []int64{2}, []float32{1.5, -2}), []float32{1.5, -2}},
		{"float typed", Tensor{DataType: Float, Dims: []int64{2}, FloatData: []float32{1.5, -2}}, []float32{1.5, -2}},
		{"float16 raw", Tensor{DataType: Float16, Dims: []int64{4}, Raw: half(0x3c00, 0xc000, 0x0001, 0x7c00)},
			[]float32{1, -2, 5.9604645e-08, float32(math.Inf(1))}},
		{"float16 typed", Tensor{DataType: Float16, Dims: []int64{2}, Int32Data: []int32{0x3555, 0x8000}},
			[]float32{0.33325195, float32(math.Copysign(0, -1))}},
		{"bfloat16", Tensor{DataType: BFloat16, Dims: []int64{1}, Raw: half(0x3f80)}, []float32{1}},
		{"double typed", Tensor{DataType: Double, Dims: []int64{1}, DoubleData: []float64{0.1}}, []float32{0.1}},
		{"scalar", Tensor{DataType: Float, FloatData: []float32{7}}, []float32{7}},
	}
	for _, c := range cases {
		got, err := c.t.Float32s()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for i := range c.want {
			if math.Float32bits(got[i]) != math.Float32bits(c.want[i]) {
				t.Errorf("%s: value %d is %v (%#x), want %v", c.name, i, got[i], math.Float32bits(got[i]), c.want[i])
			}
		}
	}
	for _, bad := range []Tensor{
		{DataType: Float, Dims: []int64{3}, FloatData: []float32{1, 2}},
		{DataType: Float, Dims: []int64{2}, Raw: []byte{1, 2, 3}},
		{DataType: Int64, Dims: []int64{1}, Int64Data: []int64{1}},
		{DataType: String, Dims: []int64{1}, Strings: 1},
		{DataType: Float, Dims: []int64{1}, External: true},
		{DataType: Float, Dims: []int64{-1}},
		{DataType: Float, Dims: []int64{1 << 20, 1 << 20}},
	} {
		if _, err := bad.Float32s(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// Every half-precision value widens exactly: check against the definition.
func TestFloat16ToFloat32(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		got := Float16ToFloat32(uint16(h))
		sign := 1.0
		if h>>15 == 1 {
			sign = -1
		}
		e, f := (h>>10)&0x1f, h&0x3ff
		var want float64
		switch {
		case e == 0x1f && f == 0:
			want = math.Inf(int(sign))
		case e == 0x1f:
			if !math.IsNaN(float64(got)) || math.Float32bits(got)&0x7fffff != uint32(f)<<13 {
				t.Fatalf("%#04x: %v, want NaN with the payload", h, got)
			}
			continue
		case e == 0:
			want = sign * float64(f) * math.Pow(2, -24)
		default:
			want = sign * (1 + float64(f)/1024) * math.Pow(2, float64(e-15))
		}
		if float64(got) != want || math.Signbit(float64(got)) != (sign < 0) {
			t.Fatalf("%#04x: %v, want %v", h, got, want)
		}
	}
}

// Hostile inputs are errors (never panics), with the reason.
func TestHostile(t *testing.T) {
	good, err := Encode(tiny())
	if err != nil {
		t.Fatal(err)
	}
	nest := func(depth int) []byte {
		// graph → node → attribute g → graph → …
		var g writer
		for i := 0; i < depth; i++ {
			var attr writer
			attr.string(1, "body")
			attr.bytes(6, g.buf)
			attr.int64(20, int64(AttrGraph))
			var node writer
			node.string(4, "If")
			node.bytes(5, attr.buf)
			g = writer{}
			g.bytes(1, node.buf)
		}
		var m writer
		m.int64(1, 7)
		m.bytes(7, g.buf)
		return m.buf
	}
	hugeDims := func() []byte {
		var tw writer
		tw.packedInt64s(1, []int64{1 << 40, 1 << 40})
		tw.int64(2, int64(Float))
		var g writer
		g.bytes(5, tw.buf)
		var m writer
		m.bytes(7, g.buf)
		return m.buf
	}
	manyNodes := func() []byte {
		var g writer
		for i := 0; i <= MaxObjects; i++ {
			g.bytes(1, nil)
		}
		var m writer
		m.bytes(7, g.buf)
		return m.buf
	}
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"empty", "no graph", nil},
		{"varint overflow", "overflows", []byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}},
		{"varint too long", "overflows", append([]byte{0x08}, bytes.Repeat([]byte{0x80}, 11)...)},
		{"truncated varint", "end of data", []byte{0x08, 0x80}},
		{"length past the end", "past the end", []byte{0x3a, 0x10, 0x00}},
		{"huge length", "past the end", []byte{0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"truncated model", "", good[:len(good)-3]},
		{"group wire type", "wire type", []byte{0x0b}},
		{"field 0", "field number", []byte{0x00}},
		{"wrong wire type", "wire type", []byte{0x0a, 0x00}},
		{"deep nesting", "nested more than", nest(MaxDepth + 2)},
		{"huge shape", "more than", hugeDims()},
		{"too many messages", "more than", manyNodes()},
	}
	for _, c := range cases {
		_, err := Decode(c.data)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "onnx: ") {
			t.Errorf("%s: %v; want it to mention %q", c.name, err, c.want)
		}
	}
	if _, err := Decode(nest(MaxDepth - 1)); err != nil {
		t.Errorf("nesting %d deep: %v", MaxDepth-1, err)
	}
	if _, err := Decode([]byte("PK\x03\x04 a zip")); !errors.Is(err, ErrNotModel) {
		t.Errorf("a zip: %v, want ErrNotModel", err)
	}
}

func TestLooksLikeModel(t *testing.T) {
	for _, c := range []struct {
		head []byte
		want bool
	}{
		{[]byte("PK\x03\x04"), false},
		{[]byte("\x89GML\n\x1a\n"), false},
		{[]byte{}, false},
		{[]byte{0x08, 0x07, 0x12, 0x07, 'p', 'y', 't', 'o', 'r', 'c', 'h', 0x3a, 0xff, 0xff, 0x01}, true},
		{[]byte("{\"a\": 1}"), false},
		{[]byte{0x08, 0x01, 0x12, 0x05}, false}, // TensorFlow saved_model.pb
		{[]byte{0x08, 0x03, 0x3a, 0x00}, true},
	} {
		if got := LooksLikeModel(c.head); got != c.want {
			t.Errorf("LooksLikeModel(%q) = %v", c.head, got)
		}
	}
}

// The decoder never panics, and what it accepts encodes and decodes to the
// same bytes again.
func FuzzDecode(f *testing.F) {
	good, _ := Encode(tiny())
	f.Add(good)
	f.Add([]byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0x3a, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		for _, tensor := range m.Graph.Initializers {
			tensor.Float32s()
			tensor.Int64s()
		}
		LooksLikeModel(data)
		enc, err := Encode(m)
		if err != nil {
			return // e.g. a tensor whose values do not match its shape
		}
		m2, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-decoding an encoded model: %v", err)
		}
		enc2, err := Encode(m2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable: %v", err)
		}
	})
}
