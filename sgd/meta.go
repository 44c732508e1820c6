package sgd

import (
	"fmt"
	"strconv"
)

// Metadata keys written by Config.Meta.
const (
	MetaMethod      = "optim.method"
	MetaLR          = "optim.lr"
	MetaSchedule    = "optim.schedule"
	MetaMomentum    = "optim.momentum"
	MetaBeta1       = "optim.beta1"
	MetaBeta2       = "optim.beta2"
	MetaEpsilon     = "optim.epsilon"
	MetaWeightDecay = "optim.weight_decay"
	MetaClipNorm    = "optim.clip_norm"
)

// Meta describes c (with its defaults filled in) as string pairs for a
// checkpoint's metadata, so that a resumed run can rebuild the same optimizer.
func (c Config) Meta() map[string]string {
	c = c.withDefaults()
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return map[string]string{
		MetaMethod:      string(c.Method),
		MetaLR:          f(c.LR),
		MetaSchedule:    c.Schedule.String(),
		MetaMomentum:    f(c.Momentum),
		MetaBeta1:       f(c.Beta1),
		MetaBeta2:       f(c.Beta2),
		MetaEpsilon:     f(c.Epsilon),
		MetaWeightDecay: f(c.WeightDecay),
		MetaClipNorm:    f(c.ClipNorm),
	}
}

// ConfigFromMeta reads the keys Meta writes; every one must be present.
func ConfigFromMeta(meta map[string]string) (Config, error) {
	var c Config
	num := func(key string, dst *float64) error {
		v, ok := meta[key]
		if !ok {
			return fmt.Errorf("sgd: metadata has no %q key", key)
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("sgd: metadata %s=%q is not a number", key, v)
		}
		*dst = x
		return nil
	}
	method, ok := meta[MetaMethod]
	if !ok {
		return Config{}, fmt.Errorf("sgd: metadata has no %q key: it holds no optimizer", MetaMethod)
	}
	c.Method = Method(method)
	for key, dst := range map[string]*float64{
		MetaLR: &c.LR, MetaMomentum: &c.Momentum, MetaBeta1: &c.Beta1, MetaBeta2: &c.Beta2,
		MetaEpsilon: &c.Epsilon, MetaWeightDecay: &c.WeightDecay, MetaClipNorm: &c.ClipNorm,
	} {
		if err := num(key, dst); err != nil {
			return Config{}, err
		}
	}
	sched, ok := meta[MetaSchedule]
	if !ok {
		return Config{}, fmt.Errorf("sgd: metadata has no %q key", MetaSchedule)
	}
	var err error
	if c.Schedule, err = ParseSchedule(sched); err != nil {
		return Config{}, err
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}
