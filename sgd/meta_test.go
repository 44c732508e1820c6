package sgd

import (
	"strings"
	"testing"
)

func TestConfigMetaRoundTrip(t *testing.T) {
	for _, c := range []Config{
		{Method: Momentum, LR: 0.05, Schedule: Cosine(8600, 0.01), Momentum: 0.95, WeightDecay: 5e-4},
		{Method: Adam, LR: 1e-3, Schedule: StepDecay(100, 0.5), Beta1: 0.8, Beta2: 0.99, Epsilon: 1e-7, ClipNorm: 5},
		{LR: 0.1},
	} {
		got, err := ConfigFromMeta(c.Meta())
		if err != nil {
			t.Fatal(err)
		}
		want := c.withDefaults()
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
