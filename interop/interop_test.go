package interop

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/train"
)

func randomInput(rows, cols int) *mat.Matrix {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.New(rows, cols)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

// reference computes an nn.Sequential(Linear, ReLU, …) in float64 from
// [out, in] weights.
func reference(x *mat.Matrix, ws, bs [][]float32, shapes [][2]int) [][]float64 {
	var out [][]float64
	for r := 0; r < x.Rows; r++ {
		h := make([]float64, x.Cols)
		for k := range h {
			h[k] = float64(x.At(r, k))
		}
		for l := range ws {
			o, in := shapes[l][0], shapes[l][1]
			next := make([]float64, o)
			for i := 0; i < o; i++ {
				s := 0.0
				if bs[l] != nil {
					s = float64(bs[l][i])
				}
				for k := 0; k < in; k++ {
					s += float64(ws[l][i*in+k]) * h[k]
				}
				if l < len(ws)-1 {
					s = max(s, 0)
				}
				next[i] = s
			}
			h = next
		}
		out = append(out, h)
	}
	return out
}

func near(t *testing.T, got *mat.Matrix, want [][]float64, tol float64) {
	t.Helper()
	for r := range want {
		for c := range want[r] {
			if d := math.Abs(float64(got.At(r, c)) - want[r][c]); d > tol {
				t.Fatalf("logit [%d,%d] = %v, want %v", r, c, got.At(r, c), want[r][c])
			}
		}
	}
}

func TestPyTorchSequential(t *testing.T) {
	f, err := ReadFile("../torchpt/testdata/sequential.pt")
	if err != nil || f.Format != Torch {
		t.Fatal(f, err)
	}
	ts := f.Tensors
	net, m, err := FromTensors(ts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Ambiguous != "" || len(m.Unused) != 0 || len(m.Layers) != 2 || m.Layers[1].Weight != "2.weight" || m.Layers[1].Bias != "2.bias" {
		t.Fatalf("mapping %q", m.Lines())
	}
	x := randomInput(7, 5)
	want := reference(x, [][]float32{ts[0].Data, ts[2].Data}, [][]float32{ts[1].Data, ts[3].Data}, [][2]int{{4, 5}, {3, 4}})
	near(t, Logits(net, x), want, 1e-5)
}

func TestNestedAndNames(t *testing.T) {
	f, err := ReadFile("../torchpt/testdata/nested.pt")
	if err != nil {
		t.Fatal(err)
	}
	ts := f.Tensors
	_, m, err := FromTensors(ts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{m.Layers[0].Weight, m.Layers[1].Weight}; !slices.Equal(got, []string{"model.fc1.weight", "model.fc2.weight"}) {
		t.Errorf("chain %v", got)
	}
}

func tensorsOf(shapes [][2]int, names []string, withBias bool) []Tensor {
	rng := rand.New(rand.NewPCG(3, 4))
	var ts []Tensor
	for i, s := range shapes {
		w := make([]float32, s[0]*s[1])
		for k := range w {
			w[k] = rng.Float32() - 0.5
		}
		ts = append(ts, Tensor{Name: names[i] + ".weight", DType: "F32", Shape: []int{s[0], s[1]}, Data: w})
		if withBias {
			b := make([]float32, s[0])
			for k := range b {
				b[k] = rng.Float32() - 0.5
			}
			ts = append(ts, Tensor{Name: names[i] + ".bias", DType: "F32", Shape: []int{s[0]}, Data: b})
		}
	}
	return ts
}

func TestNumericOrderAndMissingBias(t *testing.T) {
	// layers.10 must come after layers.2; names given out of order.
	shapes := [][2]int{{6, 8}, {6, 6}, {6, 6}, {6, 6}, {6, 6}, {3, 6}}
	names := []string{"layers.0", "layers.2", "layers.4", "layers.6", "layers.8", "layers.10"}
	ts := tensorsOf(shapes, names, false)
	slices.Reverse(ts)
	net, m, err := FromTensors(ts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range m.Layers {
		if l.Weight != names[i]+".weight" || l.Bias != "" {
			t.Fatalf("layer %d: %+v", i, l)
		}
	}
	if !strings.Contains(strings.Join(m.Lines(), "\n"), "biases zero") {
		t.Errorf("the missing biases are not said: %q", m.Lines())
	}
	// A chain of 6×6 layers could start at any of them: the longest
	// chain is unique here because 8 inputs fix the start.
	if m.Ambiguous != "" {
		t.Errorf("ambiguous: %s", m.Ambiguous)
	}
	slices.Reverse(ts)
	x := randomInput(3, 8)
	var ws [][]float32
	for _, t := range ts {
		ws = append(ws, t.Data)
	}
	near(t, Logits(net, x), reference(x, ws, make([][]float32, 6), shapes), 1e-5)
}

func TestAmbiguousAndExplicit(t *testing.T) {
	// Two heads on one body: two chains of length 2.
	ts := tensorsOf([][2]int{{4, 5}, {3, 4}, {2, 4}}, []string{"body", "head_a", "head_b"}, true)
	_, m, err := FromTensors(ts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Ambiguous == "" || m.Layers[1].Weight != "head_a.weight" {
		t.Errorf("mapping %q", m.Lines())
	}
	_, m, err = FromTensors(ts, Options{Layers: []string{"body", "head_b.weight"}})
	if err != nil || m.Layers[1].Weight != "head_b.weight" || m.Ambiguous != "" {
		t.Fatalf("explicit: %v %q", err, m.Lines())
	}
	for _, bad := range [][]string{{"nope"}, {"head_a", "body"}, {"body.bias"}} {
		if _, _, err := FromTensors(ts, Options{Layers: bad}); err == nil {
			t.Errorf("layers %v accepted", bad)
		}
	}
	for _, bad := range []Options{{Activation: "swish"}, {Activation: "relu,tanh,relu"}, {Head: "hinge"}} {
		if _, _, err := FromTensors(ts, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestFold(t *testing.T) {
	ts := tensorsOf([][2]int{{4, 5}, {3, 4}}, []string{"0", "2"}, true)
	plain, _, err := FromTensors(ts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ mean, std []float64 }{
		{[]float64{0.1307}, []float64{0.3081}},
		{[]float64{1, 2, 3, 4, 5}, []float64{0.5, 1, 2, 4, 8}},
	} {
		for _, fold := range []bool{false, true} {
			folded, m, err := FromTensors(ts, Options{Mean: c.mean, Std: c.std, Fold: fold})
			if err != nil || m.Folded == "" {
				t.Fatal(err, m)
			}
			if kept := folded.Normalizer() != nil; kept == fold {
				t.Fatalf("fold %v: normalizer kept %v", fold, kept)
			}
			x := randomInput(6, 5)
			xn := x.Clone()
			for r := 0; r < x.Rows; r++ {
				for k := 0; k < 5; k++ {
					mean, std := c.mean[min(k, len(c.mean)-1)], c.std[min(k, len(c.std)-1)]
					xn.Set(r, k, float32((float64(x.At(r, k))-mean)/std))
				}
			}
			want := Logits(plain, xn)
			got := Logits(folded, x)
			for i := range want.Data {
				if d := math.Abs(float64(got.Data[i] - want.Data[i])); d > 1e-5 {
					t.Fatalf("fold %v: logit %d: %v, want %v", fold, i, got.Data[i], want.Data[i])
				}
			}
		}
	}
	if _, _, err := FromTensors(ts, Options{Mean: []float64{0}, Std: []float64{0}}); err == nil {
		t.Error("std 0 accepted")
	}
	if _, _, err := FromTensors(ts, Options{Mean: []float64{1, 2}}); err == nil {
		t.Error("2 means for 5 inputs accepted")
	}
}

func TestExportRoundTrip(t *testing.T) {
	spec := layers.NewSpec(9, []int{7, 5}, 4)
	spec.Keep = 0.5
	net, err := spec.Build(42)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := ToTensors(net)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, t := range ts {
		got = append(got, t.Name)
	}
	if want := []string{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}; !slices.Equal(got, want) {
		t.Fatalf("names %v, want %v", got, want)
	}
	x := randomInput(5, 9)
	want := Logits(net, x)
	dir := t.TempDir()
	for _, name := range []string{"m.pt", "m.safetensors", "m.gmlp"} {
		path := filepath.Join(dir, name)
		if err := WriteFile(path, net); err != nil {
			t.Fatal(err)
		}
		var back *layers.Network
		if name == "m.gmlp" {
			c, err := ckpt.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if back, err = train.LoadNetwork(c); err != nil {
				t.Fatal(err)
			}
		} else {
			f, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			back, _, err = FromTensors(f.Tensors, Options{})
			if err != nil {
				t.Fatal(err)
			}
		}
		if g := Logits(back, x); !slices.Equal(g.Data, want.Data) {
			t.Errorf("%s: logits differ after the round trip", name)
		}
	}
	if _, err := FormatFromExt("m.onnx2"); err == nil {
		t.Error("unknown extension accepted")
	}
}

func TestNaturalCompare(t *testing.T) {
	in := []string{"layers.10.weight", "layers.2.weight", "fc1", "fc10", "fc2", "a", "layers.02.bias", "b1c", "b1b"}
	slices.SortFunc(in, NaturalCompare)
	want := []string{"a", "b1b", "b1c", "fc1", "fc2", "fc10", "layers.02.bias", "layers.2.weight", "layers.10.weight"}
	if !slices.Equal(in, want) {
		t.Errorf("%v, want %v", in, want)
	}
}

func TestDetect(t *testing.T) {
	cases := map[string]Format{
		"../torchpt/testdata/sequential.pt": Torch,
		"../torchpt/testdata/legacy.pt":     TorchLegacy,
		"interop.go":                        Unknown,
	}
	for path, want := range cases {
		if got, err := DetectFile(path); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", path, got, err, want)
		}
	}
	if _, err := ReadFile("../torchpt/testdata/legacy.pt"); err == nil || !strings.Contains(err.Error(), "re-save") {
		t.Errorf("legacy: %v", err)
	}
}

func TestTranspose(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {1, 70}, {33, 70}, {64, 32}, {65, 31}} {
		r, c := sz[0], sz[1]
		src := make([]float32, r*c)
		for i := range src {
			src[i] = float32(i)
		}
		dst := make([]float32, r*c)
		transpose(dst, src, r, c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if dst[j*r+i] != src[i*c+j] {
					t.Fatalf("%d×%d: [%d,%d] wrong", r, c, i, j)
				}
			}
		}
	}
}
