package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// paramList describes the parameters as "name [shape]" strings.
func paramList(n *Network) []string {
	var s []string
	for _, p := range n.Params() {
		s = append(s, fmt.Sprintf("%s %v", p.Name, p.Shape))
	}
	return s
}

func mustBuild(t testing.TB, s Spec, seed uint64) *Network {
	t.Helper()
	n, err := s.Build(seed)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestParamNamesAndOrder(t *testing.T) {
	n := mustBuild(t, Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}, 1)
	want := []string{"dense_0/weights [784 256]", "dense_0/biases [256]", "dense_1/weights [256 10]", "dense_1/biases [10]"}
	if got := paramList(n); !reflect.DeepEqual(got, want) {
		t.Errorf("params %q, want %q", got, want)
	}
	for _, p := range n.Params() {
		if p.Regularize != strings.HasSuffix(p.Name, "/weights") {
			t.Errorf("%s: Regularize = %v", p.Name, p.Regularize)
		}
		if p.Value.Rows*p.Value.Cols != NumElements(p.Shape) || len(p.Value.Data) != NumElements(p.Shape) {
			t.Errorf("%s: value %s for shape %v", p.Name, p.Value.Shape(), p.Shape)
		}
	}
}

// Changing a later layer must not rename or reshape an earlier one: the
// tutorial's restore broke on exactly that.
func TestChangingLaterLayerKeepsEarlierNames(t *testing.T) {
	a := paramList(mustBuild(t, Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}, 1))
	b := paramList(mustBuild(t, Spec{Inputs: 784, Hidden: []int{256, 128}, Outputs: 10, Keep: 0.5, InputKeep: 0.8}, 1))
	if !reflect.DeepEqual(a[:2], b[:2]) {
		t.Errorf("first layer %q became %q", a[:2], b[:2])
	}
	if b[2] != "dense_1/weights [256 128]" || b[4] != "dense_2/weights [128 10]" {
		t.Errorf("params of the longer network: %q", b)
	}
}

func TestUserNames(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	n := New(NewDense(4, 3, He(), rng).Named("encoder"), NewReLU(), NewDense(3, 2, He(), rng), NewSoftmaxCE())
	want := []string{"encoder/weights [4 3]", "encoder/biases [3]", "dense_1/weights [3 2]", "dense_1/biases [2]"}
	if got := paramList(n); !reflect.DeepEqual(got, want) {
		t.Errorf("params %q, want %q", got, want)
	}
}

func expectPanic(t *testing.T, what, contains string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", what)
		} else if !strings.Contains(fmt.Sprint(r), contains) {
			t.Errorf("%s: panic %q does not mention %q", what, r, contains)
		}
	}()
	f()
}

func TestNewRejectsMistakes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	expectPanic(t, "duplicate names", `"x/weights"`, func() {
		New(NewDense(4, 4, He(), rng).Named("x"), NewDense(4, 4, He(), rng).Named("x"))
	})
	expectPanic(t, "mismatched sizes", "takes 5 inputs, got 4", func() {
		New(NewDense(3, 4, He(), rng), NewReLU(), NewDense(5, 2, He(), rng))
	})
	n := mustBuild(t, Spec{Inputs: 4, Hidden: []int{3}, Outputs: 2, Keep: 1, InputKeep: 1}, 1)
	expectPanic(t, "wrong input width", "takes 4 inputs, got 5", func() {
		n.Predict(mat.New(1, 2), mat.New(1, 5))
	})
	expectPanic(t, "wrong output shape", "output 1x3", func() {
		n.Predict(mat.New(1, 3), mat.New(1, 4))
	})
}

func TestSpecBuildDeterministic(t *testing.T) {
	s := Spec{Inputs: 20, Hidden: []int{16, 8}, Outputs: 3, Keep: 0.5, Init: TruncatedNormal(0.1), InputKeep: 1}
	a, b, c := mustBuild(t, s, 5), mustBuild(t, s, 5), mustBuild(t, s, 6)
	for i, p := range a.Params() {
		if !reflect.DeepEqual(p.Value.Data, b.Params()[i].Value.Data) {
			t.Errorf("%s differs between two builds with the same seed", p.Name)
		}
	}
	if reflect.DeepEqual(a.Params()[0].Value.Data, c.Params()[0].Value.Data) {
		t.Error("different seeds gave the same weights")
	}
	for _, v := range a.Params()[0].Value.Data {
		if math.Abs(float64(v)) > 0.2 {
			t.Fatalf("truncated normal(0.1) drew %v", v)
		}
	}
	got, ok := a.Spec()
	if !ok || got.String() != "20-16-8-3 keep=0.5" {
		t.Errorf("Spec() = %v, %v", got, ok)
	}
}

func TestInitScales(t *testing.T) {
	const in, out = 400, 300
	std := func(init Init) float64 {
		d := NewDense(in, out, init, rand.New(rand.NewPCG(3, 3)))
		var s float64
		for _, v := range d.Weights().Value.Data {
			s += float64(v) * float64(v)
		}
		return math.Sqrt(s / float64(in*out))
	}
	for _, c := range []struct {
		init Init
		want float64
	}{
		{He(), math.Sqrt(2.0 / in)},
		{Glorot(), math.Sqrt(6.0/(in+out)) / math.Sqrt(3)},
		{Normal(0.05), 0.05},
		{TruncatedNormal(0.05), 0.05 * 0.8796}, // the std of a normal truncated at ±2σ
	} {
		if got := std(c.init); math.Abs(got/c.want-1) > 0.02 {
			t.Errorf("%v: standard deviation %.5f, want %.5f", c.init, got, c.want)
		}
	}
}

func TestParseInit(t *testing.T) {
	for _, s := range []string{"he", "glorot", "normal:0.01", "truncated_normal:0.1"} {
		i, err := ParseInit(s)
		if err != nil || i.String() != s {
			t.Errorf("ParseInit(%q) = %v, %v", s, i, err)
		}
	}
	if i, err := ParseInit("normal"); err != nil || i.String() != "normal:0.1" {
		t.Errorf(`ParseInit("normal") = %v, %v`, i, err)
	}
	for _, s := range []string{"", "uniform", "normal:-1", "normal:x", "he:0.1"} {
		if _, err := ParseInit(s); err == nil {
			t.Errorf("ParseInit(%q) gave no error", s)
		}
	}
}

func TestSpecMetaRoundTrip(t *testing.T) {
	for _, s := range []Spec{
		{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1},
		{Inputs: 784, Hidden: []int{512, 512}, Outputs: 10, Keep: 0.5, InputKeep: 0.8, Init: Normal(0.1)},
		{Inputs: 2, Outputs: 2, Keep: 1, InputKeep: 1, Init: Glorot()},
	} {
		got, err := SpecFromMeta(s.Meta())
		if err != nil {
			t.Fatalf("%v: %v", s, err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("round trip of %#v gave %#v", s, got)
		}
	}
}

// TestSpecLimits: sizes no machine could hold are errors from Validate and
// Build, never an allocation that kills the process.
func TestSpecLimits(t *testing.T) {
	for _, c := range []struct {
		s    Spec
		want string
	}{
		{NewSpec(math.MaxInt, nil, 10), "inputs; need 1 to 16777216"},
		{NewSpec(1<<30, nil, 10), "inputs; need 1 to 16777216"},
		{NewSpec(784, []int{1e9}, 10), "hidden layer 0 has 1000000000 units"},
		{NewSpec(784, nil, math.MaxInt), "outputs; a classifier needs 2 to"},
		{NewSpec(784, []int{100000, 100000}, 10), "parameters; at most 1073741824"},
		{NewSpec(MaxUnits, []int{MaxUnits, MaxUnits, MaxUnits}, MaxUnits), "parameters; at most"},
		{NewSpec(784, make([]int, 2000), 10), "2000 hidden layers; at most 1024"},
		{Spec{Inputs: 784, Outputs: 10}, "keep probability 0 is not in (0, 1]"},
		{Spec{Inputs: 784, Outputs: 10, Keep: 1}, "input keep probability 0 is not in (0, 1]"},
	} {
		if _, err := c.s.Build(1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Build(%v): %v, want an error containing %q", c.s.sizes(), err, c.want)
		}
		if _, err := c.s.ParamShapes(); err == nil {
			t.Errorf("ParamShapes(%v): no error", c.s.sizes())
		}
	}
	// Just over and just within MaxParams (Validate allocates nothing).
	if err := NewSpec(MaxUnits, []int{64}, 2).Validate(); err == nil {
		t.Error("a spec just over MaxParams passed")
	}
	if err := NewSpec(MaxUnits, []int{63}, 2).Validate(); err != nil {
		t.Errorf("a spec within the limits: %v", err)
	}
}

func TestParamShapes(t *testing.T) {
	s := NewSpec(12, []int{9, 7}, 4)
	s.Keep, s.InputKeep = 0.5, 0.8
	shapes, err := s.ParamShapes()
	if err != nil {
		t.Fatal(err)
	}
	net := mustBuild(t, s, 1)
	ps := net.Params()
	if len(ps) != len(shapes) {
		t.Fatalf("%d shapes for %d parameters", len(shapes), len(ps))
	}
	for i, p := range ps {
		if p.Name != shapes[i].Name || !reflect.DeepEqual(p.Shape, shapes[i].Shape) || shapes[i].Data != nil {
			t.Errorf("shape %d: %s %v, parameter %s %v", i, shapes[i].Name, shapes[i].Shape, p.Name, p.Shape)
		}
	}
}

func TestSpecFromMetaErrors(t *testing.T) {
	good := Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}.Meta()
	for _, c := range []struct{ key, value, want string }{
		{MetaArch, "", `no "arch" key`},
		{MetaArch, "cnn", `only "mlp"`},
		{MetaInputs, "", `no "arch.inputs" key`},
		{MetaInputs, "x", "not an integer"},
		{MetaInputs, "0", "not an integer from 1 to 16777216"},
		{MetaInputs, "4611686018427387904", "not an integer from 1 to 16777216"},
		{MetaHidden, "256,-3", `"-3" is not an integer from 1 to 16777216`},
		{MetaHidden, "1000000000", `"1000000000" is not an integer from 1 to 16777216`},
		{MetaHidden, strings.Repeat("1000,", 10000) + "1000", "10001 layer sizes; at most 1024"},
		{MetaHidden, "100000,100000", "parameters; at most 1073741824"},
		{MetaOutputs, "1", "not an integer from 2 to"},
		{MetaOutputs, "2305843009213693952", "not an integer from 2 to"},
		{MetaKeep, "1.5", "not in (0, 1]"},
		{MetaInputKeep, "-0.2", "input keep probability -0.2 is not in (0, 1]"},
		{MetaInputKeep, "most", "not a number"},
		{MetaKeep, "NaN", "not a number"},
		{MetaInit, "bogus", "unknown initialiser"},
	} {
		m := map[string]string{}
		for k, v := range good {
			m[k] = v
		}
		if c.value == "" && c.key != MetaHidden {
			delete(m, c.key)
		} else {
			m[c.key] = c.value
		}
		_, err := SpecFromMeta(m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q: error %v, want one containing %q", c.key, c.value, err, c.want)
		}
	}
}

// The network rebuilt from metadata, with the tensors copied over, predicts
// exactly like the original: what `mlp eval` does with a checkpoint.
func TestRebuildFromMetaAndTensors(t *testing.T) {
	orig := mustBuild(t, Spec{Inputs: 12, Hidden: []int{9, 7}, Outputs: 4, Keep: 0.5, InputKeep: 0.8}, 3)
	spec, ok := orig.Spec()
	if !ok {
		t.Fatal("no spec")
	}
	got, err := SpecFromMeta(spec.Meta())
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := mustBuild(t, got, 999) // different random weights, then overwritten
	if err := CopyTensors(rebuilt.Tensors(), orig.Tensors()); err != nil {
		t.Fatal(err)
	}
	x := randMatrix(rand.New(rand.NewPCG(1, 1)), 5, 12, 1)
	a, b := mat.New(5, 4), mat.New(5, 4)
	orig.Predict(a, x)
	rebuilt.Predict(b, x)
	if !reflect.DeepEqual(a.Data, b.Data) {
		t.Errorf("rebuilt network predicts %v, original %v", b.Data, a.Data)
	}
}

func TestCopyTensorsAllOrNothing(t *testing.T) {
	a := mustBuild(t, Spec{Inputs: 4, Hidden: []int{3}, Outputs: 2, Keep: 1, InputKeep: 1}, 1)
	b := mustBuild(t, Spec{Inputs: 4, Hidden: []int{5}, Outputs: 2, Keep: 1, InputKeep: 1}, 2)
	before := append([]float32(nil), a.Params()[0].Value.Data...)
	err := CopyTensors(a.Tensors(), b.Tensors())
	if err == nil || !strings.Contains(err.Error(), `"dense_0/weights"`) {
		t.Errorf("error %v, want one naming dense_0/weights", err)
	}
	if !reflect.DeepEqual(before, a.Params()[0].Value.Data) {
		t.Error("a failed CopyTensors changed the destination")
	}
}

func TestPredictMatchesForwardAndSumsToOne(t *testing.T) {
	n := mustBuild(t, Spec{Inputs: 30, Hidden: []int{20, 10}, Outputs: 5, Keep: 0.5, InputKeep: 1}, 4)
	x := randMatrix(rand.New(rand.NewPCG(2, 2)), 17, 30, 1)
	p := mat.New(17, 5)
	n.Predict(p, x)
	f := n.Forward(x, false)
	if !reflect.DeepEqual(p.Data, f.Data) {
		t.Errorf("Predict %v differs from Forward(eval) %v", p.Data, f.Data)
	}
	for i := 0; i < p.Rows; i++ {
		var s float64
		for _, v := range p.Row(i) {
			s += float64(v)
		}
		if math.Abs(s-1) > 1e-5 {
			t.Errorf("row %d sums to %v", i, s)
		}
	}
	classes := make([]int, 17)
	n.Classify(classes, x)
	argmax := make([]int, 17)
	mat.ArgmaxRows(argmax, p)
	if !reflect.DeepEqual(classes, argmax) {
		t.Errorf("Classify %v, argmax of Predict %v", classes, argmax)
	}
}

// Batch 1 and batch N give the same rows (within float32 rounding, as a
// Gemm may sum in a different order for another shape), and the batch
// size used in training does not matter.
func TestPredictAnyBatchSize(t *testing.T) {
	n := mustBuild(t, Spec{Inputs: 30, Hidden: []int{20}, Outputs: 5, Keep: 1, InputKeep: 1}, 4)
	x := randMatrix(rand.New(rand.NewPCG(2, 2)), 9, 30, 1)
	first := x.RowView(0, 4)
	n.ForwardBackward(&first, []int{0, 1, 2, 3}) // train-time buffers sized for 4 rows
	all := mat.New(9, 5)
	n.Predict(all, x)
	for i := 0; i < 9; i++ {
		row := x.RowView(i, i+1)
		one := mat.New(1, 5)
		n.Predict(one, &row)
		for j, v := range one.Data {
			if math.Abs(float64(v-all.At(i, j))) > 1e-6 {
				t.Errorf("row %d: batch 1 gives %v, batch 9 gives %v", i, one.Data, all.Row(i))
				break
			}
		}
	}
}

// Input dropout (the paper's keep 0.8 on pixels) comes first, masks inputs
// in training only, and leaves the weights and their names as they were.
func TestInputDropout(t *testing.T) {
	plain := mustBuild(t, Spec{Inputs: 30, Hidden: []int{8}, Outputs: 3, Keep: 1, InputKeep: 1}, 7)
	dropped := mustBuild(t, Spec{Inputs: 30, Hidden: []int{8}, Outputs: 3, InputKeep: 0.5, Keep: 1}, 7)
	if _, ok := dropped.Layers()[0].(*Dropout); !ok {
		t.Fatalf("first layer is %T, want *Dropout", dropped.Layers()[0])
	}
	if !reflect.DeepEqual(plain.Tensors(), dropped.Tensors()) {
		t.Fatalf("input dropout changed the parameters")
	}
	x := mat.New(5, 30)
	for i := range x.Data {
		x.Data[i] = float32(i%7) - 3
	}
	a, b := mat.New(5, 3), mat.New(5, 3)
	plain.Predict(a, x)
	dropped.Predict(b, x)
	if !reflect.DeepEqual(a.Data, b.Data) {
		t.Errorf("inference differs with input dropout: %v vs %v", a.Data, b.Data)
	}
	ya, yb := plain.Forward(x, true), dropped.Forward(x, true)
	if reflect.DeepEqual(ya.Data, yb.Data) {
		t.Errorf("training output unchanged by input dropout")
	}
}
