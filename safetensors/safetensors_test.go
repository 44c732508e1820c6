package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// build assembles a file from a header string and data bytes.
func build(header string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

func read(b []byte) ([]Tensor, map[string]string, error) {
	return Read(bytes.NewReader(b), int64(len(b)))
}

func TestRoundTrip(t *testing.T) {
	in := []Tensor{
		{Name: "0.weight", Shape: []int{2, 3}, Data: []float32{1, -2, 3.5, float32(math.Inf(1)), 0, -0.25}},
		{Name: "0.bias", Shape: []int{2}, Data: []float32{7, 8}},
		{Name: "scalar", Shape: nil, Data: []float32{42}},
		{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
	}
	var b bytes.Buffer
	if err := Encode(&b, in, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if n := binary.LittleEndian.Uint64(b.Bytes()); n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	out, meta, err := read(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" {
		t.Errorf("metadata %v", meta)
	}
	if len(out) != len(in) {
		t.Fatalf("%d tensors back, want %d", len(out), len(in))
	}
	for i := range in {
		o := out[i]
		if o.Name != in[i].Name || o.DType != "F32" || len(o.Shape) != len(in[i].Shape) || len(o.Data) != len(in[i].Data) {
			t.Fatalf("tensor %d: got %+v, want %+v", i, o, in[i])
		}
		for k := range o.Data {
			if math.Float32bits(o.Data[k]) != math.Float32bits(in[i].Data[k]) {
				t.Errorf("%s[%d] = %v, want %v", o.Name, k, o.Data[k], in[i].Data[k])
			}
		}
	}
}

func TestDTypes(t *testing.T) {
	var data []byte
	data = binary.LittleEndian.AppendUint16(data, 0x3c00) // F16 1
	data = binary.LittleEndian.AppendUint16(data, 0xc000) // F16 -2
	data = binary.LittleEndian.AppendUint16(data, 0x0001) // F16 smallest subnormal
	data = binary.LittleEndian.AppendUint16(data, 0x7c00) // F16 +Inf
	data = binary.LittleEndian.AppendUint16(data, 0x3fc0) // BF16 1.5
	data = binary.LittleEndian.AppendUint16(data, 0xbf80) // BF16 -1
	data = binary.LittleEndian.AppendUint64(data, math.Float64bits(0.1))
	h := `{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"d":{"dtype":"F64","shape":[1],"data_offsets":[12,20]}}`
	ts, _, err := read(build(h, data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{
		"h": {1, -2, float32(math.Ldexp(1, -24)), float32(math.Inf(1))},
		"b": {1.5, -1},
		"d": {float32(0.1)},
	}
	for _, tt := range ts {
		for i, v := range want[tt.Name] {
			if tt.Data[i] != v {
				t.Errorf("%s (%s)[%d] = %v, want %v", tt.Name, tt.DType, i, tt.Data[i], v)
			}
		}
	}
}

func TestHalfAllValues(t *testing.T) {
	// Every finite half converts exactly: compare with a float64 formula.
	for h := 0; h < 1<<16; h++ {
		e, f := (h>>10)&0x1f, h&0x3ff
		if e == 0x1f {
			continue
		}
		var v float64
		if e == 0 {
			v = math.Ldexp(float64(f), -24)
		} else {
			v = math.Ldexp(float64(f|0x400), e-25)
		}
		if h&0x8000 != 0 {
			v = -v
		}
		if got := HalfToFloat32(uint16(h)); float64(got) != v || math.Signbit(float64(got)) != (h&0x8000 != 0) {
			t.Fatalf("half %#04x = %v, want %v", h, got, v)
		}
	}
	if !math.IsNaN(float64(HalfToFloat32(0x7e00))) {
		t.Error("half NaN is not NaN")
	}
}

func TestHostile(t *testing.T) {
	f32 := make([]byte, 8)
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "shorter than"},
		{"huge header", binary.LittleEndian.AppendUint64(nil, 1<<62), "over the"},
		{"header past end", build(`{}`, nil)[:9], "only"},
		{"not json", build(`{nope}`, nil), "not a JSON object"},
		{"not object", build(`[1,2]`, nil), "does not start"},
		{"bad dtype", build(`{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, f32), "dtype I64"},
		{"unknown dtype", build(`{"a":{"dtype":"X","shape":[1],"data_offsets":[0,8]}}`, f32), "unknown dtype"},
		{"negative dim", build(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}}`, f32), "negative"},
		{"overflow", build(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, f32), "2^48"},
		{"offsets past end", build(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, f32), "outside"},
		{"size mismatch", build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}`, f32), "needs 4"},
		{"overlap", build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32), "overlaps"},
		{"gap", build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32), "gap"},
		{"trailing", build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f32), "the file has 8"},
		{"bad metadata", build(`{"__metadata__":{"a":1}}`, nil), "map of strings"},
		{"empty name", build(`{"":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}`, f32), "name"},
		{"rank", build(`{"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}}`, f32), "rank"},
	}
	for _, c := range cases {
		_, _, err := read(c.file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, _, err := read(build("[not an object]", nil)); !errors.Is(err, ErrNotSafetensors) {
		t.Errorf("zip: %v, want ErrNotSafetensors", err)
	}
}

func TestEncodeRefuses(t *testing.T) {
	for _, ts := range [][]Tensor{
		{{Name: "a", Shape: []int{2}, Data: []float32{1}}},
		{{Name: "", Shape: []int{1}, Data: []float32{1}}},
		{{Name: "a", Shape: []int{1}, Data: []float32{1}}, {Name: "a", Shape: []int{1}, Data: []float32{1}}},
		{{Name: "__metadata__", Shape: []int{1}, Data: []float32{1}}},
	} {
		if err := Encode(&bytes.Buffer{}, ts, nil); err == nil {
			t.Errorf("Encode(%+v) succeeded", ts)
		}
	}
}

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	in := []Tensor{{Name: "w", Shape: []int{3}, Data: []float32{1, 2, 3}}}
	if err := Save(path, in, nil); err != nil {
		t.Fatal(err)
	}
	out, _, err := Load(path)
	if err != nil || len(out) != 1 || out[0].Data[2] != 3 {
		t.Fatalf("Load: %v %+v", err, out)
	}
	os.WriteFile(path, []byte("0123456789"), 0o644)
	if _, _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Load of junk: %v, want an error naming the file", err)
	}
}

func FuzzRead(f *testing.F) {
	var b bytes.Buffer
	Encode(&b, []Tensor{{Name: "a", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}, {Name: "b", Shape: []int{1}, Data: []float32{5}}}, map[string]string{"k": "v"})
	f.Add(b.Bytes())
	f.Add(build(`{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}`, []byte{0, 0x3c, 0, 0xc0}))
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, _, err := read(data)
		if err != nil {
			return
		}
		total := 0
		for _, tt := range ts {
			if tt.Len() != len(tt.Data) {
				t.Fatalf("%s: shape %v with %d values", tt.Name, tt.Shape, len(tt.Data))
			}
			total += len(tt.Data)
		}
		if total > len(data) {
			t.Fatalf("%d values from %d bytes", total, len(data))
		}
	})
}

// BenchmarkLoad100MB reads a 100 MB F32 file from disk (the page cache,
// after the first iteration); b.SetBytes makes the output MB/s.
func BenchmarkLoad100MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.safetensors")
	ts := make([]Tensor, 4)
	for i := range ts {
		ts[i] = Tensor{Name: string(rune('a' + i)), Shape: []int{5000, 1250}, Data: make([]float32, 5000*1250)}
	}
	if err := Save(path, ts, nil); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSave100MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.safetensors")
	ts := []Tensor{{Name: "a", Shape: []int{25_000_000}, Data: make([]float32, 25_000_000)}}
	b.SetBytes(100_000_000)
	for i := 0; i < b.N; i++ {
		if err := Save(path, ts, nil); err != nil {
			b.Fatal(err)
		}
	}
}
