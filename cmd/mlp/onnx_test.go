package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/interop"
	"github.com/gomlp/gomlp/layers"
)

// export, inspect and import of .onnx files, and their errors.
func TestONNXCommands(t *testing.T) {
	dir := t.TempDir()
	net, err := layers.NewSpec(784, []int{16}, 10).Build(5)
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.gmlp")
	if err := interop.SaveNetwork(model, net, nil); err != nil {
		t.Fatal(err)
	}
	onnxPath := filepath.Join(dir, "m.onnx")
	if rc, out, errOut := mlp("export", "-model", model, "-out", onnxPath); rc != 0 || !strings.Contains(out, "wrote") {
		t.Fatalf("export: %d %q %q", rc, out, errOut)
	}
	rc, out, errOut := mlp("inspect", onnxPath)
	if rc != 0 || !strings.Contains(out, "Gemm") || !strings.Contains(out, "input  FLOAT [batch 784]") || !strings.Contains(out, "importable: yes") {
		t.Errorf("inspect: %d %q %q", rc, out, errOut)
	}
	back := filepath.Join(dir, "back.gmlp")
	rc, out, errOut = mlp("import", onnxPath, "-out", back)
	if rc != 0 || !strings.Contains(out, `dense_0/weights [784 16] ← Gemm "dense_0"`) {
		t.Fatalf("import: %d %q %q", rc, out, errOut)
	}
	c, err := ckpt.Load(back)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range net.Tensors() {
		got := c.Tensor(want.Name)
		if got == nil || !slices.Equal(got.Data, want.Data) {
			t.Errorf("%s differs after export and import", want.Name)
		}
	}

	data, _ := os.ReadFile(onnxPath)
	truncated := filepath.Join(dir, "t.onnx")
	os.WriteFile(truncated, data[:len(data)/2], 0o644)
	text := filepath.Join(dir, "x.txt")
	os.WriteFile(text, []byte("hello"), 0o644)
	for _, args := range [][]string{
		{"inspect", truncated},
		{"import", truncated, "-out", filepath.Join(dir, "x.gmlp")},
		{"import", text, "-out", filepath.Join(dir, "x.gmlp")},
		{"import", onnxPath},
		{"import"},
		{"import", onnxPath, "-out", filepath.Join(dir, "y.gmlp"), "-mean", "0.5"},
		{"export", "-model", model, "-out", filepath.Join(dir, "w.onnx"), "-weights-only=false"},
		{"export", "-model", model, "-out", filepath.Join(dir, "m.bin")},
		{"export", "-model", text, "-out", filepath.Join(dir, "m.onnx")},
		{"eval", "-model", truncated},
	} {
		rc, _, stderr := mlp(args...)
		if rc != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mlp: ") {
			t.Errorf("mlp %s: status %d, stderr %q; want 1 and one line starting \"mlp: \"", strings.Join(args, " "), rc, stderr)
		}
	}
}
