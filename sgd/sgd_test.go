package sgd

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
)

// param returns a 1×n parameter with the given value.
func param(name string, regularize bool, w ...float32) *layers.Param {
	return &layers.Param{
		Name:       name,
		Shape:      []int{len(w)},
		Value:      mat.FromSlice(1, len(w), append([]float32(nil), w...)),
		Grad:       mat.New(1, len(w)),
		Regularize: regularize,
	}
}

// backward stands in for a layer's backward pass, which honours GradDecay.
func backward(p *layers.Param, g ...float32) {
	for j := range p.Grad.Data {
		p.Grad.Data[j] = p.GradDecay*p.Grad.Data[j] + g[j%len(g)]
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

// run takes one step per gradient and returns the value after each.
func run(t *testing.T, cfg Config, w0 float32, grads ...float32) []float64 {
	t.Helper()
	p := param("p", true, w0)
	o, err := New([]*layers.Param{p}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, g := range grads {
		backward(p, g)
		o.Step()
		out = append(out, float64(p.Value.Data[0]))
	}
	return out
}

func expect(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if !near(got[i], want[i]) {
			t.Errorf("%s: after step %d: %v, want %v (all: %v)", what, i+1, got[i], want[i], got)
			return
		}
	}
}

// The expected values below are worked out by hand from the update rules.
func TestHandComputedUpdates(t *testing.T) {
	// SGD, lr 0.1: w = 1 - 0.1·0.5 = 0.95; - 0.1·(-1) = 1.05; - 0.1·2 = 0.85.
	expect(t, "sgd", run(t, Config{Method: SGD, LR: 0.1}, 1, 0.5, -1, 2), []float64{0.95, 1.05, 0.85})

	// Momentum 0.9, lr 0.1, g = 0.5 each step:
	// v = 0.5, w = 0.95; v = 0.95, w = 0.855; v = 1.355, w = 0.7195.
	// Both with the velocity fused into the gradient, and kept apart (which
	// clipping needs; the limit here is never reached).
	expect(t, "momentum", run(t, Config{Method: Momentum, LR: 0.1, Momentum: 0.9}, 1, 0.5, 0.5, 0.5),
		[]float64{0.95, 0.855, 0.7195})
	expect(t, "momentum, unfused", run(t, Config{Method: Momentum, LR: 0.1, Momentum: 0.9, ClipNorm: 100}, 1, 0.5, 0.5, 0.5),
		[]float64{0.95, 0.855, 0.7195})

	// Nesterov 0.9, lr 0.1, g = 0.5: v = 0.5, w = 1 - 0.1·(0.5+0.45) = 0.905;
	// v = 0.95, w = 0.905 - 0.1·(0.5+0.855) = 0.7695.
	expect(t, "nesterov", run(t, Config{Method: Nesterov, LR: 0.1, Momentum: 0.9}, 1, 0.5, 0.5),
		[]float64{0.905, 0.7695})

	// Adam, lr 0.1, β = (0.5, 0.75), ε = 1e-8, g = 1 then -1:
	// t=1: m = 0.5, v = 0.25, m̂ = 1, v̂ = 1, w = 1 - 0.1 = 0.9.
	// t=2: m = 0.25-0.5 = -0.25, v = 0.1875+0.25 = 0.4375,
	//      m̂ = -0.25/0.75 = -1/3, v̂ = 0.4375/0.4375 = 1, w = 0.9 + 0.1/3.
	expect(t, "adam", run(t, Config{Method: Adam, LR: 0.1, Beta1: 0.5, Beta2: 0.75, Epsilon: 1e-8}, 1, 1, -1),
		[]float64{0.9, 0.9 + 0.1/3})

	// Decoupled weight decay 0.5 with lr 0.1 and no gradient: w *= 0.95 per step.
	expect(t, "weight decay", run(t, Config{Method: SGD, LR: 0.1, WeightDecay: 0.5}, 2, 0, 0),
		[]float64{1.9, 1.805})
}

func TestWeightDecaySkipsBiases(t *testing.T) {
	w, b := param("w", true, 1), param("b", false, 1)
	o, err := New([]*layers.Param{w, b}, Config{Method: Momentum, LR: 0.1, WeightDecay: 1})
	if err != nil {
		t.Fatal(err)
	}
	o.Step()
	if !near(float64(w.Value.Data[0]), 0.9) || b.Value.Data[0] != 1 {
		t.Errorf("after decay: weight %v (want 0.9), bias %v (want 1)", w.Value.Data[0], b.Value.Data[0])
	}
}

func TestClipNorm(t *testing.T) {
	a, b := param("a", true, 0, 0), param("b", false, 0)
	o, err := New([]*layers.Param{a, b}, Config{Method: SGD, LR: 1, ClipNorm: 1})
	if err != nil {
		t.Fatal(err)
	}
	copy(a.Grad.Data, []float32{3, 0})
	b.Grad.Data[0] = 4 // global norm 5, rescaled to 1
	o.Step()
	if !near(float64(a.Value.Data[0]), -0.6) || !near(float64(b.Value.Data[0]), -0.8) || a.Value.Data[1] != 0 {
		t.Errorf("after clipping: %v %v, want [-0.6 0] [-0.8]", a.Value.Data, b.Value.Data)
	}
	copy(a.Grad.Data, []float32{0.3, 0}) // under the limit: unchanged
	b.Grad.Data[0] = 0.4
	o.Step()
	if !near(float64(a.Value.Data[0]), -0.9) || !near(float64(b.Value.Data[0]), -1.2) {
		t.Errorf("below the limit: %v %v, want [-0.9 0] [-1.2]", a.Value.Data, b.Value.Data)
	}
}

func TestSchedulesAtBoundaries(t *testing.T) {
	for _, c := range []struct {
		s    Schedule
		step int
		want float64
	}{
		{Constant(), 12345, 1},
		{StepDecay(10, 0.5), 0, 1},
		{StepDecay(10, 0.5), 9, 1},
		{StepDecay(10, 0.5), 10, 0.5},
		{StepDecay(10, 0.5), 19, 0.5},
		{StepDecay(10, 0.5), 20, 0.25},
		{ExponentialDecay(10, 0.5), 0, 1},
		{ExponentialDecay(10, 0.5), 5, math.Sqrt(0.5)},
		{ExponentialDecay(10, 0.5), 10, 0.5},
		{ExponentialDecay(10, 0.5), 30, 0.125},
		{Cosine(100, 0), 0, 1},
		{Cosine(100, 0), 50, 0.5},
		{Cosine(100, 0), 100, 0},
		{Cosine(100, 0), 150, 0},
		{Cosine(100, 0.1), 100, 0.1},
		{Cosine(100, 0.1), 50, 0.55},
	} {
		if got := c.s.Rate(1, c.step); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%v at step %d: %v, want %v", c.s, c.step, got, c.want)
		}
		if got := c.s.Rate(0.2, c.step); math.Abs(got-0.2*c.want) > 1e-12 {
			t.Errorf("%v at step %d with base 0.2: %v, want %v", c.s, c.step, got, 0.2*c.want)
		}
	}
}

func TestScheduleDrivesOptimizer(t *testing.T) {
	// StepDecay(2, 0.5), lr 1, g = 1: steps of 1, 1, 0.5, 0.5.
	expect(t, "scheduled sgd", run(t, Config{Method: SGD, LR: 1, Schedule: StepDecay(2, 0.5)}, 0, 1, 1, 1, 1),
		[]float64{-1, -2, -2.5, -3})
}

func TestParseSchedule(t *testing.T) {
	for _, s := range []string{"constant", "step:1000:0.5", "exp:430:0.9", "cosine:9000:0", "cosine:9000:0.05"} {
		got, err := ParseSchedule(s)
		if err != nil || got.String() != s {
			t.Errorf("ParseSchedule(%q) = %v, %v", s, got, err)
		}
	}
	if s, err := ParseSchedule("cosine:10"); err != nil || s.String() != "cosine:10:0" {
		t.Errorf(`ParseSchedule("cosine:10") = %v, %v`, s, err)
	}
	for _, s := range []string{"linear", "step", "step:0:0.5", "step:10:0", "step:10:2", "exp:x:0.5", "cosine:-1", "cosine:10:2", "constant:1"} {
		if _, err := ParseSchedule(s); err == nil {
			t.Errorf("ParseSchedule(%q) gave no error", s)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	p := []*layers.Param{param("p", true, 1)}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{LR: 0}, "learning rate"},
		{Config{LR: math.NaN()}, "learning rate"},
		{Config{LR: 1, Method: "rmsprop"}, `unknown method "rmsprop"`},
		{Config{LR: 1, Momentum: 1}, "momentum"},
		{Config{LR: 1, Beta2: 1.5}, "betas"},
		{Config{LR: 1, WeightDecay: -1}, "weight decay"},
		{Config{LR: 1, ClipNorm: -1}, "clip"},
		{Config{LR: 1, Schedule: StepDecay(0, 0.5)}, "StepDecay"},
	} {
		if _, err := New(p, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one containing %q", c.cfg, err, c.want)
		}
	}
}

func TestStateNamesAndResume(t *testing.T) {
	for _, method := range []Method{SGD, Momentum, Nesterov, Adam} {
		mk := func() ([]*layers.Param, *Optimizer) {
			ps := []*layers.Param{param("dense_0/weights", true, 1, 2, 3), param("dense_0/biases", false, 0.5)}
			o, err := New(ps, Config{Method: method, LR: 0.05, Momentum: 0.9, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, WeightDecay: 0.01, Schedule: ExponentialDecay(3, 0.5)})
			if err != nil {
				t.Fatal(err)
			}
			return ps, o
		}
		grads := func(ps []*layers.Param, k int) {
			for i, p := range ps {
				for j := range p.Grad.Data {
					p.Grad.Data[j] = p.GradDecay*p.Grad.Data[j] + float32(math.Sin(float64(k*7+i*3+j)))
				}
			}
		}
		// One optimizer takes 6 steps; another takes 3, its state is copied
		// into a fresh one, which takes the other 3. The results must match
		// bit for bit.
		ps, o := mk()
		for k := 0; k < 6; k++ {
			grads(ps, k)
			o.Step()
		}
		ps2, o2 := mk()
		for k := 0; k < 3; k++ {
			grads(ps2, k)
			o2.Step()
		}
		ps3, o3 := mk()
		for i := range ps3 {
			copy(ps3[i].Value.Data, ps2[i].Value.Data)
		}
		if err := layers.CopyTensors(o3.State(), o2.State()); err != nil {
			t.Fatal(err)
		}
		o3.SetSteps(o2.Steps())
		for k := 3; k < 6; k++ {
			grads(ps3, k)
			o3.Step()
		}
		for i := range ps {
			if !reflect.DeepEqual(ps[i].Value.Data, ps3[i].Value.Data) {
				t.Errorf("%s: resumed %v, continuous %v", method, ps3[i].Value.Data, ps[i].Value.Data)
			}
		}
		var names []string
		for _, s := range o.State() {
			names = append(names, s.Name)
			if !reflect.DeepEqual(s.Shape, []int{3}) && !reflect.DeepEqual(s.Shape, []int{1}) {
				t.Errorf("%s: shape %v", s.Name, s.Shape)
			}
		}
		want := map[Method][]string{
			SGD:      nil,
			Momentum: {"dense_0/weights/momentum", "dense_0/biases/momentum"},
			Nesterov: {"dense_0/weights/momentum", "dense_0/biases/momentum"},
			Adam:     {"dense_0/weights/adam_m", "dense_0/weights/adam_v", "dense_0/biases/adam_m", "dense_0/biases/adam_v"},
		}[method]
		if !reflect.DeepEqual(names, want) {
			t.Errorf("%s: state %q, want %q", method, names, want)
		}
	}
}

func TestStepNoAllocs(t *testing.T) {
	ps := []*layers.Param{param("w", true, make([]float32, 1000)...), param("b", false, 1, 2)}
	for _, m := range []Method{SGD, Momentum, Nesterov, Adam} {
		o, err := New(ps, Config{Method: m, LR: 0.01, Momentum: 0.9, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, WeightDecay: 0.1, ClipNorm: 1, Schedule: Cosine(100, 0)})
		if err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(10, o.Step); a != 0 {
			t.Errorf("%s: Step allocates %v times", m, a)
		}
	}
}
