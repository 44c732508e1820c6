package torchpt

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The files in testdata were written by PyTorch 1.13 (see
// interop/torch/make_testdata.py), each .pt with a .json of its tensors.
type want struct {
	Name  string    `json:"name"`
	DType string    `json:"dtype"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func TestPyTorchFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) < 6 {
		t.Fatalf("only %d expectation files in testdata", len(files))
	}
	for _, js := range files {
		name := strings.TrimSuffix(js, ".json")
		t.Run(filepath.Base(name), func(t *testing.T) {
			b, err := os.ReadFile(js)
			if err != nil {
				t.Fatal(err)
			}
			var ws []want
			if err := json.Unmarshal(b, &ws); err != nil {
				t.Fatal(err)
			}
			got, err := Load(name + ".pt")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(ws) {
				t.Fatalf("%d tensors, want %d", len(got), len(ws))
			}
			for i, w := range ws {
				g := got[i]
				if g.Name != w.Name || g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) {
					t.Fatalf("tensor %d: %s %s %v, want %s %s %v", i, g.Name, g.DType, g.Shape, w.Name, w.DType, w.Shape)
				}
				if w.Data == nil {
					if g.Data != nil {
						t.Errorf("%s: %s data read", g.Name, g.DType)
					}
					continue
				}
				if len(g.Data) != len(w.Data) {
					t.Fatalf("%s: %d values, want %d", g.Name, len(g.Data), len(w.Data))
				}
				for k := range w.Data {
					if g.Data[k] != float32(w.Data[k]) {
						t.Fatalf("%s[%d] = %v, want %v", g.Name, k, g.Data[k], w.Data[k])
					}
				}
			}
		})
	}
}

func TestRefused(t *testing.T) {
	for file, msg := range map[string]string{
		"evil.pt":   "system",
		"module.pt": "__main__.Net",
	} {
		_, err := Load("testdata/" + file)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want a refusal naming %s", file, err, msg)
		}
	}
	if _, err := Load("testdata/legacy.pt"); !errors.Is(err, ErrLegacy) {
		t.Errorf("legacy.pt: %v, want ErrLegacy", err)
	}
	if _, err := Load("torchpt.go"); !errors.Is(err, ErrNotTorch) {
		t.Errorf("a Go file: %v, want ErrNotTorch", err)
	}
}

func encode(t testing.TB, ts []Tensor) []byte {
	var b bytes.Buffer
	if err := Encode(&b, ts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	in := []Tensor{
		{Name: "0.weight", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, float32(math.NaN())}},
		{Name: "0.bias", Shape: []int{2}, Data: []float32{-1, 1e-30}},
		{Name: "s", Shape: []int{}, Data: []float32{3}},
	}
	b := encode(t, in)
	out, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if out[i].Name != in[i].Name || out[i].DType != "float32" || !slices.Equal(out[i].Shape, in[i].Shape) {
			t.Fatalf("%+v, want %+v", out[i], in[i])
		}
		for k := range in[i].Data {
			if math.Float32bits(out[i].Data[k]) != math.Float32bits(in[i].Data[k]) {
				t.Errorf("%s[%d] = %v", in[i].Name, k, out[i].Data[k])
			}
		}
	}
	// Storages start 64-byte aligned, as PyTorch writes them.
	z, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	for _, f := range z.File {
		if off, err := f.DataOffset(); err != nil || off%64 != 0 {
			t.Errorf("%s starts at %d (%v)", f.Name, off, err)
		}
	}
	if err := Encode(&bytes.Buffer{}, []Tensor{{Name: "a", Shape: []int{3}, Data: []float32{1}}}); err == nil {
		t.Error("Encode accepted 1 value for shape [3]")
	}
}

// rezip builds an archive from entries, with deflate when asked.
func rezip(t *testing.T, entries map[string][]byte, deflate bool) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range entries {
			if !yield(k) {
				return
			}
		}
	})
	for _, n := range names {
		m := zip.Store
		if deflate {
			m = zip.Deflate
		}
		w, err := z.CreateHeader(&zip.FileHeader{Name: n, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(entries[n])
	}
	z.Close()
	return b.Bytes()
}

func TestHostileArchives(t *testing.T) {
	good := encode(t, []Tensor{{Name: "w", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}})
	pkl := statePickle([]Tensor{{Name: "w", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}})
	storage := f32Bytes([]float32{1, 2, 3, 4})
	// A view past the end of its storage: change the shape to [2, 3].
	past := bytes.Replace(pkl, []byte{'(', 'J', 2, 0, 0, 0, 'J', 2, 0, 0, 0, 't'}, []byte{'(', 'J', 2, 0, 0, 0, 'J', 3, 0, 0, 0, 't'}, 1)
	if bytes.Equal(past, pkl) {
		t.Fatal("the shape was not found in the pickle")
	}
	cases := map[string]struct {
		file []byte
		want string
	}{
		"view past storage": {rezip(t, map[string][]byte{"a/data.pkl": past, "a/data/0": storage}, false), "reach element"},
		"missing storage":   {rezip(t, map[string][]byte{"a/data.pkl": pkl}, false), "not in the archive"},
		"short storage":     {rezip(t, map[string][]byte{"a/data.pkl": pkl, "a/data/0": storage[:12]}, false), "need 16"},
		"zip bomb":          {rezip(t, map[string][]byte{"a/data.pkl": make([]byte, 10<<20)}, true), "zip bomb"},
		"no pickle":         {rezip(t, map[string][]byte{"a/version": []byte("3")}, false), "without a data.pkl"},
		"torchscript":       {rezip(t, map[string][]byte{"a/constants.pkl": {}, "a/data.pkl": pkl}, false), "TorchScript"},
		"big endian":        {rezip(t, map[string][]byte{"a/data.pkl": pkl, "a/byteorder": []byte("big")}, false), "byte order"},
		"truncated":         {good[:len(good)/2], "zip"},
	}
	// A lying size: the central directory says the pickle is one byte
	// shorter (sizes at +20 and +24 of the first entry).
	lying := slices.Clone(good)
	i := bytes.Index(lying, []byte("PK\x01\x02"))
	lying[i+20]--
	lying[i+24]--
	cases["lying size"] = struct {
		file []byte
		want string
	}{lying, "data.pkl"}
	for name, c := range cases {
		_, err := Read(bytes.NewReader(c.file), int64(len(c.file)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, c.want)
		}
	}
}

func TestPickleLimits(t *testing.T) {
	deep := bytes.Repeat([]byte{'('}, maxPickleDepth+1)
	memo := []byte{0x80, 2, 'N', 'h', 5}
	for name, p := range map[string][]byte{
		"deep marks":   deep,
		"unknown memo": memo,
		"no stop":      {0x80, 2, 'N'},
		"empty pop":    {'t'},
		"long string":  {'X', 0xff, 0xff, 0xff, 0x7f},
		"inst":         []byte("ios\nsystem\n"),
		"stack global": {0x8c, 2, 'o', 's', 0x8c, 6, 's', 'y', 's', 't', 'e', 'm', 0x93},
	} {
		if _, err := unpickle(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzRead(f *testing.F) {
	for _, name := range []string{"sequential", "views", "nested", "float16", "dtypes"} {
		b, err := os.ReadFile("testdata/" + name + ".pt")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		for _, tt := range ts {
			if tt.Data != nil && tt.Len() != len(tt.Data) {
				t.Fatalf("%s: shape %v with %d values", tt.Name, tt.Shape, len(tt.Data))
			}
		}
	})
}

// FuzzUnpickle feeds the pickle interpreter alone, where a fuzzer gets
// further than through zip checksums.
func FuzzUnpickle(f *testing.F) {
	f.Add(statePickle([]Tensor{{Name: "w", Shape: []int{2}, Data: []float32{1, 2}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		unpickle(b)
	})
}

// BenchmarkLoad100MB reads a 100 MB torch.save file of float32 tensors;
// b.SetBytes makes the output MB/s.
func BenchmarkLoad100MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.pt")
	ts := make([]Tensor, 4)
	for i := range ts {
		ts[i] = Tensor{Name: string(rune('a' + i)), Shape: []int{5000, 1250}, Data: make([]float32, 5000*1250)}
	}
	if err := Save(path, ts); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSelfReferentialDict(t *testing.T) {
	// d = {}; d["a"] = d; d["b"] = d; ... : a cycle, refused quickly.
	p := []byte{0x80, 2, '}', 'q', 0, '('}
	for _, k := range "abcdefgh" {
		p = append(p, 'X', 1, 0, 0, 0, byte(k), 'h', 0)
	}
	p = append(p, 'u', '.')
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("a/data.pkl")
	w.Write(p)
	z.Close()
	_, err := Read(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err == nil || !strings.Contains(err.Error(), "contains itself") {
		t.Errorf("%v, want a refusal of the cycle", err)
	}
}
