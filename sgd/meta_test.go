package sgd

import (
	"strings"
	"testing"

	"github.com/gomlp/gomlp/layers"
)

func TestConfigMetaRoundTrip(t *testing.T) {
	for _, c := range []Config{
		{Method: Momentum, LR: 0.05, Schedule: Cosine(8600, 0.01), Momentum: 0.95, WeightDecay: 5e-4},
		{Method: Adam, LR: 1e-3, Schedule: StepDecay(100, 0.5), Beta1: 0.8, Beta2: 0.99, Epsilon: 1e-7, ClipNorm: 5},
		{LR: 0.1},
		{Method: Nesterov, LR: 0.1, Momentum: 0}, // a typed zero survives the round trip
	} {
		got, err := ConfigFromMeta(c.Meta())
		if err != nil {
			t.Fatal(err)
		}
		want := c.withUnset()
		if got.Schedule.String() != want.Schedule.String() {
			t.Errorf("schedule %v, want %v", got.Schedule, want.Schedule)
		}
		got.Schedule, want.Schedule = nil, nil
		if got != want {
			t.Errorf("round trip: got %+v, want %+v", got, want)
		}
	}
}

func TestConfigFromMetaRejectsBadInput(t *testing.T) {
	good := Config{Method: Momentum, LR: 0.1}.Meta()
	for key, val := range map[string]string{
		MetaMethod: "rmsprop", MetaLR: "fast", MetaSchedule: "linear", MetaMomentum: "",
	} {
		m := map[string]string{}
		for k, v := range good {
			m[k] = v
		}
		m[key] = val
		if _, err := ConfigFromMeta(m); err == nil {
			t.Errorf("%s=%q accepted", key, val)
		}
		delete(m, key)
		if _, err := ConfigFromMeta(m); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("missing %s: err = %v", key, err)
		}
	}
}

// TestZeroIsHonoured: a zero the caller typed is never replaced by a
// default; where zero means nothing it is an error.
func TestZeroIsHonoured(t *testing.T) {
	ps := []*layers.Param{param("w", true, 1), param("b", false, 1)}
	o, err := New(ps, Config{Method: Momentum, LR: 1, Momentum: 0})
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Config().Momentum; got != 0 {
		t.Errorf("momentum 0 became %v", got)
	}
	// With μ = 0, two steps of gradient 1 move w by exactly 2·η.
	for range 2 {
		ps[0].Grad.Data[0] = 1
		ps[1].Grad.Data[0] = 0
		o.Step()
	}
	if w := ps[0].Value.Data[0]; w != -1 {
		t.Errorf("w = %v after two plain steps, want -1 (momentum 0 honoured)", w)
	}
	if _, err := New(ps, Config{Method: Adam, LR: 1e-3}); err == nil || !strings.Contains(err.Error(), "epsilon 0") {
		t.Errorf("Adam with epsilon 0: %v", err)
	}
	c := DefaultConfig(Adam, 1e-3)
	c.Beta1 = 0
	o, err = New(ps, c)
	if err != nil || o.Config().Beta1 != 0 || o.Config().Beta2 != 0.999 || o.Config().Epsilon != 1e-8 {
		t.Errorf("DefaultConfig with Beta1 0: %+v, %v", o.Config(), err)
	}
}
