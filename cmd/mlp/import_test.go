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
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/train"
)

const torchData = "../../torchpt/testdata/"

func TestImportPrintsMapping(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.gmlp")
	// SRC before and after the flags.
	for _, args := range [][]string{
		{"import", torchData + "sequential.pt", "-out", out},
		{"import", "-force", "-out", out, torchData + "sequential.pt"},
	} {
		rc, stdout, stderr := mlp(args...)
		if rc != 0 {
			t.Fatalf("%v: status %d: %s", args, rc, stderr)
		}
		for _, want := range []string{"PyTorch", "layer 0: dense_0/weights [5 4] ← 0.weight [4 5] transposed; dense_0/biases ← 0.bias", "layer 1:", "wrote " + out + ": 5-4-3"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
	}
	rc, stdout, _ := mlp("inspect", out)
	if rc != 0 || !strings.Contains(stdout, "imported.from") || !strings.Contains(stdout, "dense_1/weights") {
		t.Errorf("inspect of the import: %d\n%s", rc, stdout)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m.gmlp")
	net, err := layers.NewSpec(784, []int{32}, 10).Build(3)
	if err != nil {
		t.Fatal(err)
	}
	if err := interop.SaveNetwork(src, net, nil); err != nil {
		t.Fatal(err)
	}
	x := mat.New(3, 784)
	for i := range x.Data {
		x.Data[i] = float32(i%255) / 255
	}
	want := interop.Logits(net, x)
	for _, ext := range []string{".pt", ".safetensors"} {
		dst := filepath.Join(dir, "m"+ext)
		rc, stdout, stderr := mlp("export", "-model", src, "-out", dst)
		if rc != 0 || !strings.Contains(stdout, "0.weight [32 784], 0.bias [32], 2.weight [10 32], 2.bias [10]") {
			t.Fatalf("export %s: %d %s %s", ext, rc, stdout, stderr)
		}
		// eval and predict read the file directly.
		back, err := loadModel(dst)
		if err != nil {
			t.Fatal(err)
		}
		if got := interop.Logits(back, x); !slices.Equal(got.Data, want.Data) {
			t.Errorf("%s: logits differ after export and load", ext)
		}
		rc, stdout, _ = mlp("inspect", dst)
		dtype := map[string]string{".pt": "float32", ".safetensors": "F32"}[ext]
		for _, s := range []string{"0.weight", dtype, "[32 784]", "as a network", "layer 1: dense_1/weights [32 10] ← 2.weight"} {
			if !strings.Contains(stdout, s) {
				t.Errorf("inspect %s lacks %q:\n%s", ext, s, stdout)
			}
		}
		if rc != 0 {
			t.Errorf("inspect %s: status %d", ext, rc)
		}
	}
	rc, stdout, _ := mlp("inspect", filepath.Join(dir, "m.safetensors"))
	if rc != 0 || !strings.Contains(stdout, "gomlp.architecture  784-32-10") {
		t.Errorf("safetensors metadata not shown:\n%s", stdout)
	}
}

func TestInspectTorchDTypes(t *testing.T) {
	rc, stdout, stderr := mlp("inspect", torchData+"dtypes.pt")
	if rc != 0 {
		t.Fatal(stderr)
	}
	for _, s := range []string{"bfloat16", "float64", "int64", "(not read)", "not used: b, n, m"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("lacks %q:\n%s", s, stdout)
		}
	}
}

func TestForeignErrors(t *testing.T) {
	dir := t.TempDir()
	// Two heads on one body: ambiguous, so eval refuses to guess.
	amb := filepath.Join(dir, "amb.safetensors")
	ts := []interop.Tensor{
		{Name: "body.weight", Shape: []int{8, 784}, Data: make([]float32, 8*784)},
		{Name: "a.weight", Shape: []int{10, 8}, Data: make([]float32, 80)},
		{Name: "b.weight", Shape: []int{10, 8}, Data: make([]float32, 80)},
	}
	if err := interop.WriteTensors(amb, interop.Safetensors, ts, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := loadModel(amb); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("ambiguous file: %v", err)
	}
	rc, stdout, _ := mlp("import", amb, "-out", filepath.Join(dir, "b.gmlp"), "-layers", "body,b")
	if rc != 0 || !strings.Contains(stdout, "← b.weight") || !strings.Contains(stdout, "biases zero") {
		t.Errorf("import -layers: %d\n%s", rc, stdout)
	}
	gmlp := filepath.Join(dir, "b.gmlp")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", torchData + "legacy.pt", "-out", gmlp, "-force"}, "re-save"},
		{[]string{"import", torchData + "evil.pt", "-out", gmlp, "-force"}, "system"},
		{[]string{"import", torchData + "module.pt", "-out", gmlp, "-force"}, "__main__.Net"},
		{[]string{"import", torchData + "sequential.pt"}, "-out"},
		{[]string{"import", torchData + "sequential.pt", "-out", "x.pt"}, ".gmlp"},
		{[]string{"import", "-out", gmlp}, "usage"},
		{[]string{"import", gmlp, "-out", gmlp, "-force"}, "already a gomlp"},
		{[]string{"import", torchData + "sequential.pt", "-out", gmlp, "-force", "-mean", "x"}, "not a number"},
		{[]string{"import", torchData + "sequential.pt", "-out", gmlp, "-force", "-activation", "swish"}, "swish"},
		{[]string{"export", "-model", gmlp, "-out", filepath.Join(dir, "x.onnx2")}, "extension"},
		{[]string{"export", "-model", gmlp}, "-out"},
		{[]string{"inspect", torchData + "evil.pt"}, "refused"},
		{[]string{"eval", "-model", torchData + "sequential.pt"}, "784"},
	} {
		rc, _, stderr := mlp(c.args...)
		if rc != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mlp: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("mlp %s: %d %q, want one error line containing %q", strings.Join(c.args, " "), rc, stderr, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.onnx2")); err == nil {
		t.Error("a file was written for a refused export")
	}
}

func TestExportAllTensors(t *testing.T) {
	dir := t.TempDir()
	net, err := layers.NewSpec(784, []int{8}, 10).Build(1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := interop.NetworkCheckpoint(net, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Tensors = append(c.Tensors, ckpt.Tensor{Name: "dense_1/biases/momentum", Shape: []int{10}, DType: ckpt.Float32, Data: make([]float32, 10)})
	src := filepath.Join(dir, "m.gmlp")
	if err := ckpt.Save(src, c); err != nil {
		t.Fatal(err)
	}
	for flag, want := range map[string]bool{"-weights-only=true": false, "-weights-only=false": true} {
		dst := filepath.Join(dir, "m.safetensors")
		if rc, _, stderr := mlp("export", "-model", src, "-out", dst, "-force", flag); rc != 0 {
			t.Fatal(stderr)
		}
		f, err := interop.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		has := slices.ContainsFunc(f.Tensors, func(t interop.Tensor) bool { return t.Name == "gomlp.dense_1/biases/momentum" })
		if has != want || len(f.Tensors) < 4 {
			t.Errorf("%s: %d tensors, optimizer state included: %v", flag, len(f.Tensors), has)
		}
	}
}

// Every prefix of a valid .pt and .safetensors file is refused by inspect,
// import and eval with one line, never a panic.
func TestForeignTruncated(t *testing.T) {
	dir := t.TempDir()
	pt, err := os.ReadFile(torchData + "sequential.pt")
	if err != nil {
		t.Fatal(err)
	}
	st := filepath.Join(dir, "full.safetensors")
	ts := []interop.Tensor{{Name: "0.weight", Shape: []int{3, 4}, Data: make([]float32, 12)}, {Name: "0.bias", Shape: []int{3}, Data: make([]float32, 3)}}
	if err := interop.WriteTensors(st, interop.Safetensors, ts, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	sb, _ := os.ReadFile(st)
	for name, full := range map[string][]byte{"m.pt": pt, "m.safetensors": sb} {
		for n := 1; n < len(full); n += 1 + n/32 {
			path := filepath.Join(dir, name)
			os.WriteFile(path, full[:n], 0o644)
			for _, args := range [][]string{{"inspect", path}, {"import", path, "-out", filepath.Join(dir, "x.gmlp")}} {
				rc, _, stderr := mlp(args...)
				if rc != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mlp: ") {
					t.Fatalf("%s of %d bytes: mlp %s: %d %q", name, n, args[0], rc, stderr)
				}
			}
		}
	}
}

// TestExportImportRegression exports a GELU regression network with a
// normalizer and a target scaler (both folded on the way out) and imports
// it back with -activation and -head: the predictions must survive.
func TestExportImportRegression(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "r.gmlp")
	spec := layers.NewSpec(6, []int{8}, 2)
	spec.Activation, spec.Head, spec.Normalize, spec.ScaleTargets = layers.ActGELU, layers.HeadMSE, true, true
	net, err := spec.Build(4)
	if err != nil {
		t.Fatal(err)
	}
	x, y := mat.New(20, 6), mat.New(20, 2)
	for i := range x.Data {
		x.Data[i] = float32(i%13)*7 - 30
	}
	for i := range y.Data {
		y.Data[i] = float32(i%7)*40 + 100
	}
	if err := net.FitNormalizer(x); err != nil {
		t.Fatal(err)
	}
	if err := net.FitTargets(y); err != nil {
		t.Fatal(err)
	}
	if err := interop.SaveNetwork(src, net, nil); err != nil {
		t.Fatal(err)
	}
	want := interop.Logits(net, x)
	dst := filepath.Join(dir, "r.pt")
	rc, stdout, stderr := mlp("export", "-model", src, "-out", dst)
	for _, s := range []string{"normalizer into 0.weight/0.bias", "target scaler into the last Linear",
		"nn.Sequential(nn.Linear(6, 8), nn.GELU(approximate='tanh'), nn.Linear(8, 2))", "weights_only=True"} {
		if rc != 0 || !strings.Contains(stdout, s) {
			t.Fatalf("export: %d, output lacks %q:\n%s%s", rc, s, stdout, stderr)
		}
	}
	back := filepath.Join(dir, "back.gmlp")
	if rc, stdout, stderr := mlp("import", dst, "-out", back, "-activation", "gelu", "-head", "mse"); rc != 0 || !strings.Contains(stdout, "GELU(approximate='tanh')") || !strings.Contains(stdout, "mse head") {
		t.Fatalf("import: %d\n%s%s", rc, stdout, stderr)
	}
	c, err := ckpt.Load(back)
	if err != nil {
		t.Fatal(err)
	}
	got, err := train.LoadNetwork(c)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IsRegression() {
		t.Fatal("imported with -head mse but not a regression network")
	}
	g := interop.Logits(got, x)
	for i := range want.Data {
		if d := g.Data[i] - want.Data[i]; d > 1e-3 || d < -1e-3 { // outputs of order 100: float32 rounding
			t.Fatalf("prediction %d: %v after export and import, %v before", i, g.Data[i], want.Data[i])
		}
	}
	// A safetensors file records the activations and head: no flags needed.
	st := filepath.Join(dir, "r.safetensors")
	if rc, _, stderr := mlp("export", "-model", src, "-out", st); rc != 0 {
		t.Fatalf("export: %s", stderr)
	}
	if rc, stdout, stderr := mlp("import", st, "-out", back, "-force"); rc != 0 || !strings.Contains(stdout, "GELU(approximate='tanh')") || !strings.Contains(stdout, "mse head") {
		t.Fatalf("import of the safetensors file: %d\n%s%s", rc, stdout, stderr)
	}
	for _, c := range []struct{ flag, want string }{{"", "kept as the model's normalizer"}, {"-fold", "folded into dense_0"}} {
		args := []string{"import", dst, "-out", back, "-force", "-activation", "gelu", "-head", "mse", "-mean", "1", "-std", "2"}
		if c.flag != "" {
			args = append(args, c.flag)
		}
		if rc, stdout, stderr := mlp(args...); rc != 0 || !strings.Contains(stdout, c.want) {
			t.Errorf("import %v: %d\n%s%s", args, rc, stdout, stderr)
		}
	}
}
