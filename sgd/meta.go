package sgd

import (
	"fmt"
	"strconv"

	"github.com/gomlp/gomlp/internal/meta"
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

// Meta describes c (Method and Schedule filled in if unset) as string pairs for a
// checkpoint's metadata, so that a resumed run can rebuild the same optimizer.
func (c Config) Meta() map[string]string {
	c = c.withUnset()
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
func ConfigFromMeta(m map[string]string) (Config, error) {
	var c Config
	method, ok := m[MetaMethod]
	if !ok {
		return Config{}, fmt.Errorf("sgd: metadata has no %q key: it holds no optimizer", MetaMethod)
	}
	c.Method = Method(method)
	for key, dst := range map[string]*float64{
		MetaLR: &c.LR, MetaMomentum: &c.Momentum, MetaBeta1: &c.Beta1, MetaBeta2: &c.Beta2,
		MetaEpsilon: &c.Epsilon, MetaWeightDecay: &c.WeightDecay, MetaClipNorm: &c.ClipNorm,
	} {
		var err error
		if *dst, err = meta.Float(m, "sgd", key); err != nil {
			return Config{}, err
		}
	}
	sched, err := meta.Get(m, "sgd", MetaSchedule)
	if err != nil {
		return Config{}, err
	}
	if c.Schedule, err = ParseSchedule(sched); err != nil {
		return Config{}, err
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}
