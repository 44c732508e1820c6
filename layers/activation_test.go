package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// TestActivationMath bounds the float32 kernels against float64 math over
// a dense sweep and the special values.
func TestActivationMath(t *testing.T) {
	ref := map[string]struct {
		f32 func(float32) float32
		f64 func(float64) float64
	}{
		"exp":     {exp32, math.Exp},
		"tanh":    {tanh32, math.Tanh},
		"sigmoid": {sigmoid32, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
		"gelu": {func(x float32) float32 { y, _ := gelu32(x); return y }, func(x float64) float64 {
			return 0.5 * x * (1 + math.Tanh(geluC*(x+geluA*x*x*x)))
		}},
	}
	for name, f := range ref {
		var worst, at float64
		for x := -30.0; x <= 30; x += 0.000731 {
			if name == "exp" && x > 30 {
				continue
			}
			x32 := float32(x)
			got, want := float64(f.f32(x32)), f.f64(float64(x32))
			// Relative error, with an absolute floor of 1e-37 near zero
			// (float32's denormal range) and of one float32 ulp of 1 for
			// gelu's difference of nearly equal terms.
			floor := 1e-37
			if name == "gelu" {
				floor = 6e-8 * math.Abs(float64(x32))
			}
			e := math.Abs(got-want) / math.Max(math.Abs(want), floor)
			if e > worst {
				worst, at = e, x
			}
		}
		// gelu's argument 2z is itself rounded to float32; for large
		// negative x, exp(-2z) magnifies that by |2z| (up to ~20 before
		// the value underflows to noise below 1e-7·|x|).
		bound := 4e-7
		if name == "gelu" {
			bound = 4e-6
		}
		t.Logf("%s: worst relative error %.3g at %g", name, worst, at)
		if worst > bound {
			t.Errorf("%s: relative error %.3g at x=%g exceeds %g", name, worst, at, bound)
		}
		if v := f.f32(float32(math.NaN())); v == v {
			t.Errorf("%s(NaN) = %v, want NaN", name, v)
		}
	}
	for _, c := range []struct {
		name string
		got  float32
		want float32
	}{
		{"tanh(+Inf)", tanh32(float32(math.Inf(1))), 1},
		{"tanh(-Inf)", tanh32(float32(math.Inf(-1))), -1},
		{"tanh(-0)", tanh32(float32(math.Copysign(0, -1))), 0},
		{"sigmoid(+Inf)", sigmoid32(float32(math.Inf(1))), 1},
		{"sigmoid(-Inf)", sigmoid32(float32(math.Inf(-1))), 0},
		{"sigmoid(-200)", sigmoid32(-200), 0},
		{"exp(200)", exp32(200), exp32(expMax)},
	} {
		if math.Abs(float64(c.got-c.want)) > 1e-30 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestActivationGradients(t *testing.T) {
	for a := ActReLU; a <= ActGELU; a++ {
		rng := rand.New(rand.NewPCG(uint64(a), 4))
		x := randMatrix(rng, 4, 7, 1.5)
		awayFromZero(x) // ReLU and LeakyReLU have a kink at 0
		l := a.NewLayer()
		checkLayer(t, a.String(), l, x, func(y, x *mat.Matrix) { l.Forward(y, x, true) })
	}
}

// The fixed affine layers pass gradients through their scale.
func TestNormalizerAndTargetScalerGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := randMatrix(rng, 6, 4, 3)
	n := NewNormalizer(4)
	if err := n.Fit(randMatrix(rng, 10, 4, 5)); err != nil {
		t.Fatal(err)
	}
	checkLayer(t, "Normalizer", n, x, func(y, x *mat.Matrix) { n.Forward(y, x, true) })
	s := NewTargetScaler(4)
	if err := s.Fit(randMatrix(rng, 10, 4, 7)); err != nil {
		t.Fatal(err)
	}
	checkLayer(t, "TargetScaler", s, x, func(y, x *mat.Matrix) { s.Forward(y, x, true) })
}

// TestActivationOnViews runs each activation on strided views of odd
// widths and compares with the scalar kernels element by element.
func TestActivationOnViews(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	big := randMatrix(rng, 9, 23, 3)
	for a := ActTanh; a <= ActGELU; a++ {
		for _, cols := range []int{1, 7, 17} {
			x := big.View(1, 2, 5, cols)
			outBig := mat.New(9, 23)
			y := outBig.View(2, 3, 5, cols)
			a.NewLayer().Forward(&y, &x, false)
			for i := 0; i < 5; i++ {
				for j := 0; j < cols; j++ {
					v := x.At(i, j)
					var want float32
					switch a {
					case ActTanh:
						want = tanh32(v)
					case ActSigmoid:
						want = sigmoid32(v)
					case ActLeakyReLU:
						want = v
						if v < 0 {
							want = 0.01 * v
						}
					case ActGELU:
						want, _ = gelu32(v)
					}
					if y.At(i, j) != want {
						t.Fatalf("%v cols %d: (%d,%d) = %v, want %v", a, cols, i, j, y.At(i, j), want)
					}
				}
			}
			if outBig.At(0, 0) != 0 || outBig.At(8, 22) != 0 {
				t.Fatalf("%v wrote outside its view", a)
			}
		}
	}
}

func TestParseActivation(t *testing.T) {
	for a := ActReLU; a <= ActGELU; a++ {
		got, err := ParseActivation(strings.ToUpper(a.String()))
		if err != nil || got != a {
			t.Errorf("ParseActivation(%q) = %v, %v", a.String(), got, err)
		}
	}
	if a, err := ParseActivation("leaky-relu"); err != nil || a != ActLeakyReLU {
		t.Errorf("leaky-relu: %v, %v", a, err)
	}
	if _, err := ParseActivation("swish"); err == nil || !strings.Contains(err.Error(), "relu, tanh, sigmoid, leaky_relu or gelu") {
		t.Errorf("unknown activation: %v", err)
	}
}

// TestSpecActivationsHeadNormalizeRoundTrip rebuilds networks with every
// new Spec field from their metadata and checks the layers and outputs.
func TestSpecActivationsHeadNormalizeRoundTrip(t *testing.T) {
	specs := []Spec{
		{Inputs: 3, Hidden: []int{4, 5}, Outputs: 2, Activation: ActGELU, Keep: 1, InputKeep: 1},
		{Inputs: 3, Hidden: []int{4, 5}, Outputs: 1, Activations: []Activation{ActTanh, ActSigmoid}, Head: HeadMSE, Normalize: true, ScaleTargets: true, Keep: 1, InputKeep: 1},
		{Inputs: 3, Hidden: []int{4}, Outputs: 2, Activations: []Activation{ActLeakyReLU}, Head: HeadHuber, Keep: 1, InputKeep: 1},
		{Inputs: 3, Outputs: 4, Head: HeadSoftmax, Normalize: true, Keep: 1, InputKeep: 1},
	}
	for _, s := range specs {
		net := mustBuild(t, s, 1)
		back, err := SpecFromMeta(s.Meta())
		if err != nil {
			t.Fatalf("%v: %v", s, err)
		}
		if back.String() != s.String() {
			t.Errorf("round trip %q -> %q", s, back)
		}
		net2 := mustBuild(t, back, 1)
		if err := CopyTensors(net2.Tensors(), net.Tensors()); err != nil {
			t.Fatalf("%v: %v", s, err)
		}
		var types1, types2 []string
		for i, l := range net.Layers() {
			types1 = append(types1, typeName(l))
			types2 = append(types2, typeName(net2.Layers()[i]))
		}
		if strings.Join(types1, " ") != strings.Join(types2, " ") {
			t.Errorf("%v: layers %v, rebuilt %v", s, types1, types2)
		}
		if net.IsRegression() != s.Head.Regression() || (net.Normalizer() != nil) != s.Normalize {
			t.Errorf("%v: regression %v, normaliser %v", s, net.IsRegression(), net.Normalizer() != nil)
		}
	}
	n := mustBuild(t, specs[1], 1)
	if got := typesOf(n); got != "*layers.Normalizer *layers.Dense *layers.Tanh *layers.Dense *layers.Sigmoid *layers.Dense *layers.TargetScaler *layers.MSE" {
		t.Errorf("layers %s", got)
	}
	if got := specs[1].String(); got != "3-4-5-1 act=tanh,sigmoid head=mse normalize scale_targets" {
		t.Errorf("String() = %q", got)
	}
	// A plain classifier's metadata has none of the new keys.
	for k := range (Spec{Inputs: 3, Outputs: 2, Keep: 1, InputKeep: 1}).Meta() {
		if k == MetaActivation || k == MetaHead || k == MetaNormalize {
			t.Errorf("default spec writes %s", k)
		}
	}
}

func typeName(l Layer) string { return fmt.Sprintf("%T", l) }

func typesOf(n *Network) string {
	var s []string
	for _, l := range n.Layers() {
		s = append(s, typeName(l))
	}
	return strings.Join(s, " ")
}

func TestSpecRejectsBadHeadsAndActivations(t *testing.T) {
	for _, c := range []struct {
		s    Spec
		want string
	}{
		{Spec{Inputs: 3, Outputs: 1, Keep: 1, InputKeep: 1}, "HeadMSE"},
		{Spec{Inputs: 3, Outputs: 0, Head: HeadMSE, Keep: 1, InputKeep: 1}, "needs 1 to"},
		{Spec{Inputs: 3, Hidden: []int{4, 4}, Outputs: 2, Activations: []Activation{ActTanh}, Keep: 1, InputKeep: 1}, "1 activations for 2 hidden layers"},
		{Spec{Inputs: 3, Outputs: 2, Activation: 99, Keep: 1, InputKeep: 1}, "unknown activation"},
		{Spec{Inputs: 3, Outputs: 2, Head: 7, Keep: 1, InputKeep: 1}, "unknown head"},
		{Spec{Inputs: 3, Outputs: 2, ScaleTargets: true, Keep: 1, InputKeep: 1}, "ScaleTargets needs a regression head"},
	} {
		if err := c.s.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
	meta := Spec{Inputs: 3, Hidden: []int{4}, Outputs: 2, Keep: 1, InputKeep: 1}.Meta()
	for k, v := range map[string]string{MetaActivation: "swish", MetaHead: "poisson", MetaNormalize: "zca"} {
		m := map[string]string{}
		for a, b := range meta {
			m[a] = b
		}
		m[k] = v
		if _, err := SpecFromMeta(m); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
