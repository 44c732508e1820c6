package safetensorscheck

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlp/gomlp/interop"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/safetensors"
	ns "github.com/nlpodyssey/safetensors"
)

func network(t *testing.T) *layers.Network {
	net, err := layers.NewSpec(20, []int{16, 12}, 5).Build(9)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func input() *mat.Matrix {
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.New(32, 20)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

func within(t *testing.T, got, want *mat.Matrix, tol float64) {
	t.Helper()
	for i := range want.Data {
		if d := math.Abs(float64(got.Data[i] - want.Data[i])); d > tol {
			t.Fatalf("prediction %d: %v, want %v", i, got.Data[i], want.Data[i])
		}
	}
}

// gomlp writes, nlpodyssey reads.
func TestGomlpWritesTheyRead(t *testing.T) {
	net := network(t)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := interop.WriteFile(path, net); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := ns.Deserialize(b)
	if err != nil {
		t.Fatalf("nlpodyssey/safetensors refuses gomlp's file: %v", err)
	}
	mine, err := interop.ToTensors(net)
	if err != nil {
		t.Fatal(err)
	}
	if st.Len() != len(mine) {
		t.Fatalf("%d tensors, want %d", st.Len(), len(mine))
	}
	var theirs []interop.Tensor
	for _, m := range mine {
		v, ok := st.Tensor(m.Name)
		if !ok {
			t.Fatalf("no tensor %q", m.Name)
		}
		if v.DType() != ns.F32 {
			t.Fatalf("%s: dtype %v", m.Name, v.DType())
		}
		shape := make([]int, len(v.Shape()))
		for i, d := range v.Shape() {
			shape[i] = int(d)
		}
		if !slices.Equal(shape, m.Shape) {
			t.Fatalf("%s: shape %v, want %v", m.Name, shape, m.Shape)
		}
		data := make([]float32, len(v.Data())/4)
		for i := range data {
			data[i] = math.Float32frombits(binary.LittleEndian.Uint32(v.Data()[4*i:]))
		}
		if !slices.Equal(data, m.Data) {
			t.Fatalf("%s: values differ", m.Name)
		}
		theirs = append(theirs, interop.Tensor{Name: m.Name, DType: "F32", Shape: shape, Data: data})
	}
	back, _, err := interop.FromTensors(theirs, interop.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := input()
	within(t, interop.Logits(back, x), interop.Logits(net, x), 1e-5)
}

// view is a tensor for nlpodyssey's Serialize.
type view struct {
	dtype ns.DType
	shape []uint64
	data  []byte
}

func (v view) DType() ns.DType { return v.dtype }
func (v view) Shape() []uint64 { return v.shape }
func (v view) Data() []byte    { return v.data }
func (v view) DataLen() uint64 { return uint64(len(v.data)) }

// nlpodyssey writes (in F32, F64, F16 and BF16), gomlp reads.
func TestTheyWriteGomlpReads(t *testing.T) {
	net := network(t)
	mine, err := interop.ToTensors(net)
	if err != nil {
		t.Fatal(err)
	}
	encode := map[ns.DType]func(float32) []byte{
		ns.F32:  func(v float32) []byte { return binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)) },
		ns.F64:  func(v float32) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(float64(v))) },
		ns.BF16: func(v float32) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(math.Float32bits(v)>>16)) },
	}
	for dt, enc := range encode {
		views := map[string]view{}
		for _, m := range mine {
			var data []byte
			for _, v := range m.Data {
				data = append(data, enc(v)...)
			}
			shape := make([]uint64, len(m.Shape))
			for i, d := range m.Shape {
				shape[i] = uint64(d)
			}
			views[m.Name] = view{dt, shape, data}
		}
		var b bytes.Buffer
		if err := ns.SerializeToWriter(views, map[string]string{"writer": "nlpodyssey"}, &b); err != nil {
			t.Fatal(err)
		}
		ts, meta, err := safetensors.Read(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatalf("%v: gomlp refuses nlpodyssey's file: %v", dt, err)
		}
		if meta["writer"] != "nlpodyssey" {
			t.Errorf("%v: metadata %v", dt, meta)
		}
		var read []interop.Tensor
		for _, tt := range ts {
			if tt.DType != dt.String() {
				t.Errorf("dtype %s, want %v", tt.DType, dt)
			}
			read = append(read, interop.Tensor(tt))
		}
		back, _, err := interop.FromTensors(read, interop.Options{})
		if err != nil {
			t.Fatal(err)
		}
		x := input()
		tol := 1e-5
		if dt == ns.BF16 {
			// Truncated to 8 bits of mantissa: compare with the same
			// truncation done here instead.
			for i := range mine {
				for k, v := range mine[i].Data {
					mine[i].Data[k] = math.Float32frombits(math.Float32bits(v) &^ 0xffff)
				}
			}
			net, _, _ = interop.FromTensors(mine, interop.Options{})
		}
		within(t, interop.Logits(back, x), interop.Logits(net, x), tol)
	}
}

// F16 values decode exactly as nlpodyssey's test vectors say.
func TestHalf(t *testing.T) {
	values := []float32{0, 1, -2, 0.5, 65504, float32(math.Ldexp(1, -24)), 0.099975586}
	var data []byte
	for _, v := range values {
		data = binary.LittleEndian.AppendUint16(data, toHalf(v))
	}
	var b bytes.Buffer
	if err := ns.SerializeToWriter(map[string]view{"h": {ns.F16, []uint64{uint64(len(values))}, data}}, nil, &b); err != nil {
		t.Fatal(err)
	}
	ts, _, err := safetensors.Read(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ts[0].Data, values) {
		t.Errorf("F16 read as %v, want %v", ts[0].Data, values)
	}
}

// toHalf converts values that binary16 holds exactly.
func toHalf(v float32) uint16 {
	if v == 0 {
		return 0
	}
	bits := math.Float32bits(v)
	sign := uint16(bits>>16) & 0x8000
	exp := int(bits>>23&0xff) - 127
	frac := bits & 0x7fffff
	if exp < -14 { // subnormal
		return sign | uint16((frac|0x800000)>>uint(13+(-14-exp)))
	}
	return sign | uint16(exp+15)<<10 | uint16(frac>>13)
}
