package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
)

func inspect(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runInspect(args, &out, &errOut)
	return out.String(), err
}

func writeCheckpoint(t *testing.T, c *ckpt.Checkpoint) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.gmlp")
	if err := ckpt.Save(path, c, ckpt.AllowNonFinite()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

func sample() *ckpt.Checkpoint {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	return &ckpt.Checkpoint{
		Metadata: map[string]string{"architecture": "784-128-10", "note": "two\nlines\x1b[31m"},
		Tensors: []ckpt.Tensor{
			{Name: "dense_0/weights", Shape: []int{2, 3}, Data: []float32{1, -2, 3, 4, nan, inf}},
			{Name: "dense_0/biases", Shape: []int{3}, Data: []float32{0.5, 0.5, 2}},
			{Name: "empty", Shape: []int{0}, Data: []float32{}},
			{Name: "step", DType: ckpt.Int64, Raw: binary.LittleEndian.AppendUint64(nil, 1200)},
		},
	}
}

func TestInspectValid(t *testing.T) {
	path, _ := writeCheckpoint(t, sample())
	out, err := inspect(t, path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	want := [][]string{
		{path + ": gomlp checkpoint,"},
		{"metadata: 2 entries"},
		{"architecture", "784-128-10"},
		{"note", `"two\nlines\x1b[31m"`}, // control characters are quoted, never printed raw
		{"tensors: 4, 10 elements"},
		{"NAME", "DTYPE", "SHAPE", "ELEMENTS", "MIN", "MAX", "MEAN"},
		{"dense_0/biases", "float32", "[3]", "3", "0.5", "2", "1"},
		{"dense_0/weights", "float32", "[2 3]", "6", "-2", "4", "1.5", "1 NaN, 1 +Inf"},
		{"empty", "float32", "[0]", "0", "-", "-", "-"},
		{"step", "int64", "[]", "1", "1200", "1200", "1200"},
	}
	if len(lines) < len(want) {
		t.Fatalf("output:\n%s", out)
	}
	for i, fields := range want {
		for _, f := range fields {
			if !strings.Contains(lines[i], f) {
				t.Errorf("line %d %q lacks %q", i, lines[i], f)
			}
		}
	}
}

func TestInspectUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"a", "b"}} {
		if _, err := inspect(t, args...); err == nil || err.Error() != inspectUsage {
			t.Errorf("%q: %v", args, err)
		}
	}
	if _, err := inspect(t, "-x", "a"); err == nil || !strings.Contains(err.Error(), "-x") {
		t.Errorf("-x: %v", err)
	}
	if _, err := inspect(t, "-h"); err != nil {
		t.Errorf("-h: %v", err)
	}
}

// TestInspectHostile runs runInspect over many broken and foreign files: it
// must return a one-line error for each, and never panic.
func TestInspectHostile(t *testing.T) {
	dir := t.TempDir()
	_, valid := writeCheckpoint(t, sample())
	safetensors := append(binary.LittleEndian.AppendUint64(nil, 7), `{"a":1}`...)
	files := map[string][]byte{
		"empty":          nil,
		"pytorch.pt":     []byte("PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00archive/data.pklXXXX"),
		"legacy.pt":      {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e},
		"m.safetensors":  safetensors,
		"m.gguf":         []byte("GGUF\x03\x00\x00\x00"),
		"m.gz":           {0x1f, 0x8b, 8, 0},
		"saved_model.pb": {0x08, 0x01, 0x12, 0x05},
		"m.ckpt.index":   append(make([]byte, 64), 0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb),
		"text":           []byte("just text\n"),
		"zeros":          make([]byte, 4096),
	}
	wantIn := map[string]string{
		"empty": "empty", "pytorch.pt": "PyTorch", "legacy.pt": "legacy PyTorch", "m.safetensors": "safetensors",
		"m.gguf": "GGUF", "m.gz": "gzip", "saved_model.pb": "SavedModel", "m.ckpt.index": "TensorFlow checkpoint index",
	}
	for n := 0; n < len(valid); n += 1 + n/16 { // truncations
		files[fmt.Sprintf("trunc%d", n)] = valid[:n]
	}
	for i := range valid { // one flipped bit per byte
		b := bytes.Clone(valid)
		b[i] ^= 1 << (i % 8)
		files[fmt.Sprintf("flip%d", i)] = b
	}
	newer := bytes.Clone(valid)
	newer[8] = 2
	files["newer"] = newer
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := inspect(t, path)
		if err == nil {
			t.Fatalf("%s: accepted:\n%s", name, out)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\r") || msg != strings.TrimSpace(msg) || !strings.HasPrefix(msg, path+": ") {
			t.Fatalf("%s: error is not one clean line naming the file: %q", name, msg)
		}
		if w := wantIn[name]; w != "" && !strings.Contains(msg, w) {
			t.Errorf("%s: %q does not say %q", name, msg, w)
		}
	}
	// Not a file at all.
	for _, p := range []string{filepath.Join(dir, "missing"), dir} {
		if _, err := inspect(t, p); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", p, err)
		}
	}
}
