// Package sgd updates a network's parameters from their gradients: plain
// SGD, momentum, Nesterov momentum and Adam, with decoupled weight decay,
// learning-rate schedules and optional gradient-norm clipping.
//
// An Optimizer is bound to a list of parameters when it is made and
// allocates its state then, so Step allocates nothing. Its state (momentum
// buffers, Adam's moments) is exposed as named tensors and its step count
// as an integer, so that a checkpoint can resume training exactly.
package sgd

import (
	"fmt"
	"math"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
)

// Method names an update rule.
type Method string

// The update rules, with g the gradient, w the parameter, η the rate:
const (
	SGD      Method = "sgd"      // w -= η·g
	Momentum Method = "momentum" // v = μ·v + g; w -= η·v  (PyTorch's form)
	Nesterov Method = "nesterov" // v = μ·v + g; w -= η·(g + μ·v)
	Adam     Method = "adam"     // Kingma & Ba, with bias correction (PyTorch's form)
)

// Config chooses an update rule and its hyperparameters. Every number is
// used as given: a zero is honoured where it means something (Momentum 0,
// Beta1 0, WeightDecay 0, ClipNorm 0 for no clipping) and is an error where
// it does not (LR 0; Epsilon 0 for Adam). Only Method "" and a nil Schedule,
// which are not legal values, stand for SGD and Constant. DefaultConfig
// fills in the usual values.
type Config struct {
	Method   Method   // "" means SGD
	LR       float64  // base learning rate, required (> 0)
	Schedule Schedule // nil means Constant

	Momentum float64 // μ for Momentum and Nesterov, in [0, 1) (usually 0.9)

	Beta1, Beta2 float64 // Adam's decay rates, in [0, 1) (usually 0.9 and 0.999)
	Epsilon      float64 // Adam's ε, > 0 (usually 1e-8)

	// WeightDecay λ shrinks every parameter marked Regularize (the weights,
	// not the biases) by w -= η·λ·w before each update, decoupled from the
	// gradient (AdamW's form; for plain SGD it equals an L2 penalty λ).
	WeightDecay float64

	// ClipNorm, if positive, rescales the gradients before each step so
	// that their global L2 norm (over all parameters) is at most ClipNorm.
	ClipNorm float64
}

// DefaultConfig returns the usual configuration of method with base
// learning rate lr: Momentum 0.9, Beta1 0.9, Beta2 0.999, Epsilon 1e-8, a
// constant schedule, no weight decay and no clipping. Change fields of the
// result as needed.
func DefaultConfig(method Method, lr float64) Config {
	return Config{Method: method, LR: lr, Schedule: Constant(), Momentum: 0.9, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8}
}

// withUnset fills in the two fields whose zero value is not legal.
func (c Config) withUnset() Config {
	if c.Method == "" {
		c.Method = SGD
	}
	if c.Schedule == nil {
		c.Schedule = Constant()
	}
	return c
}

func (c Config) validate() error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case c.Method != SGD && c.Method != Momentum && c.Method != Nesterov && c.Method != Adam:
		return fmt.Errorf("sgd: unknown method %q (want sgd, momentum, nesterov or adam)", c.Method)
	case !(c.LR > 0) || !finite(c.LR):
		return fmt.Errorf("sgd: learning rate %v must be a positive number", c.LR)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("sgd: momentum %v must be in [0, 1)", c.Momentum)
	case !(c.Beta1 >= 0 && c.Beta1 < 1) || !(c.Beta2 >= 0 && c.Beta2 < 1):
		return fmt.Errorf("sgd: Adam betas %v, %v must be in [0, 1)", c.Beta1, c.Beta2)
	case c.Method == Adam && (!(c.Epsilon > 0) || !finite(c.Epsilon)):
		return fmt.Errorf("sgd: Adam epsilon %v must be a positive number (DefaultConfig sets 1e-8)", c.Epsilon)
	case !(c.Epsilon >= 0) || !finite(c.Epsilon):
		return fmt.Errorf("sgd: epsilon %v must be a non-negative number", c.Epsilon)
	case !(c.WeightDecay >= 0) || !finite(c.WeightDecay):
		return fmt.Errorf("sgd: weight decay %v must be a non-negative number", c.WeightDecay)
	case !(c.ClipNorm >= 0) || !finite(c.ClipNorm):
		return fmt.Errorf("sgd: clip norm %v must be a non-negative number", c.ClipNorm)
	}
	return validSchedule(c.Schedule)
}

// Optimizer updates a fixed list of parameters. It is not safe for
// concurrent use.
type Optimizer struct {
	cfg    Config
	params []*layers.Param
	state  [][]layers.Tensor // per parameter: momentum, or Adam's m and v
	steps  int

	// fused: the velocity of Momentum lives in the parameters' Grad, which
	// the backward pass decays (Param.GradDecay), so a step is one Axpy.
	fused bool
}

// New returns an optimizer for params (typically Network.Params()) after
// checking cfg.
//
// New sets each parameter's GradDecay. For Momentum without ClipNorm the
// velocity is kept in the parameters' Grad (zeroed here): the backward pass
// computes v = μ·v + g itself, for free, and Step is a single w -= η·v.
// So after New, Grad holds the velocity rather than the last gradient, and
// only the newest optimizer made for a set of parameters may be used.
func New(params []*layers.Param, cfg Config) (*Optimizer, error) {
	cfg = cfg.withUnset()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	o := &Optimizer{
		cfg:    cfg,
		params: append([]*layers.Param(nil), params...),
		state:  make([][]layers.Tensor, len(params)),
		fused:  cfg.Method == Momentum && cfg.ClipNorm == 0,
	}
	var suffixes []string
	switch cfg.Method {
	case Momentum, Nesterov:
		suffixes = []string{"momentum"}
	case Adam:
		suffixes = []string{"adam_m", "adam_v"}
	}
	for _, p := range params {
		if p.Value.Stride != p.Value.Cols || p.Grad.Stride != p.Grad.Cols {
			return nil, fmt.Errorf("sgd: parameter %q is not a compact matrix", p.Name)
		}
	}
	for i, p := range params {
		p.GradDecay = 0
		if o.fused {
			p.GradDecay = float32(cfg.Momentum)
			clear(p.Grad.Data)
			o.state[i] = []layers.Tensor{{Name: p.Name + "/momentum", Shape: p.Shape, Data: p.Grad.Data}}
			continue
		}
		for _, s := range suffixes {
			o.state[i] = append(o.state[i], layers.Tensor{
				Name:  p.Name + "/" + s,
				Shape: p.Shape,
				Data:  make([]float32, len(p.Value.Data)),
			})
		}
	}
	return o, nil
}

// Params returns the parameters the optimizer updates, in order.
func (o *Optimizer) Params() []*layers.Param { return append([]*layers.Param(nil), o.params...) }

// Config returns the configuration in use, defaults filled in.
func (o *Optimizer) Config() Config { return o.cfg }

// LR returns the learning rate the next Step will use.
func (o *Optimizer) LR() float64 { return o.cfg.Schedule.Rate(o.cfg.LR, o.steps) }

// Steps returns the number of steps taken (Adam's t, the schedule's clock).
func (o *Optimizer) Steps() int { return o.steps }

// SetSteps sets the step count, when resuming from a checkpoint.
func (o *Optimizer) SetSteps(n int) { o.steps = n }

// State returns the optimizer's per-parameter state as named tensors that
// alias its memory: "<param>/momentum" for Momentum and Nesterov,
// "<param>/adam_m" and "<param>/adam_v" for Adam, none for SGD; in the order
// of the parameters. Copy into Data to restore them (with SetSteps). (For
// fused Momentum, see New, the momentum tensors are the parameters' Grad.)
func (o *Optimizer) State() []layers.Tensor {
	var ts []layers.Tensor
	for _, s := range o.state {
		ts = append(ts, s...)
	}
	return ts
}

// Reset zeroes the state and the step count.
func (o *Optimizer) Reset() {
	for _, s := range o.state {
		for _, t := range s {
			clear(t.Data)
		}
	}
	o.steps = 0
}

// Step applies one update to every parameter from its Grad and advances
// the step count. It allocates nothing.
func (o *Optimizer) Step() {
	lr := o.LR()
	if o.cfg.ClipNorm > 0 {
		o.clip()
	}
	mu := float32(o.cfg.Momentum)
	for i, p := range o.params {
		w, g := p.Value.Data, p.Grad.Data
		if o.cfg.WeightDecay > 0 && p.Regularize {
			mat.Scale(float32(1-lr*o.cfg.WeightDecay), w)
		}
		switch o.cfg.Method {
		case SGD:
			mat.Axpy(float32(-lr), g, w)
		case Momentum:
			v := o.state[i][0].Data
			if !o.fused { // else the backward pass has already set v = μ·v + g in Grad
				mat.Scale(mu, v)
				mat.Add(v, g)
			}
			mat.Axpy(float32(-lr), v, w)
		case Nesterov:
			v := o.state[i][0].Data
			mat.Scale(mu, v)
			mat.Add(v, g)
			mat.Axpy(float32(-lr), g, w)
			mat.Axpy(float32(-lr)*mu, v, w)
		case Adam:
			o.adam(lr, w, g, o.state[i][0].Data, o.state[i][1].Data)
		}
	}
	o.steps++
}

// adam applies one Adam update (PyTorch's arrangement of the bias corrections).
func (o *Optimizer) adam(lr float64, w, g, m, v []float32) {
	t := float64(o.steps + 1)
	b1, b2 := o.cfg.Beta1, o.cfg.Beta2
	stepSize := float32(lr / (1 - math.Pow(b1, t)))
	invSqrtBC2 := float32(1 / math.Sqrt(1-math.Pow(b2, t)))
	eps := float32(o.cfg.Epsilon)
	fb1, fb2 := float32(b1), float32(b2)
	cb1, cb2 := float32(1-b1), float32(1-b2)
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for j, gj := range g {
		mj := fb1*m[j] + cb1*gj
		vj := fb2*v[j] + cb2*gj*gj
		m[j], v[j] = mj, vj
		denom := float32(math.Sqrt(float64(vj)))*invSqrtBC2 + eps
		w[j] -= stepSize * mj / denom
	}
}

// clip rescales all gradients so that their global norm is at most ClipNorm.
func (o *Optimizer) clip() {
	var ss float64
	for _, p := range o.params {
		ss += sumSquares(p.Grad.Data)
	}
	norm := math.Sqrt(ss)
	if norm <= o.cfg.ClipNorm || math.IsNaN(norm) {
		return // a NaN gradient is left alone, so the loss shows the divergence
	}
	s := float32(o.cfg.ClipNorm / norm)
	for _, p := range o.params {
		mat.Scale(s, p.Grad.Data)
	}
}

func sumSquares(x []float32) float64 {
	// Four partial sums: a shorter dependency chain than one.
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		q := x[i : i+4 : i+4]
		s0 += float64(q[0]) * float64(q[0])
		s1 += float64(q[1]) * float64(q[1])
		s2 += float64(q[2]) * float64(q[2])
		s3 += float64(q[3]) * float64(q[3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i]) * float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}
