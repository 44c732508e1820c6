package sgd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Schedule gives the learning rate for each optimizer step (counted from 0)
// as a function of the base rate. Schedules count steps (mini-batches), not
// epochs: multiply by the number of batches per epoch to think in epochs.
type Schedule interface {
	Rate(base float64, step int) float64
	// String returns the form ParseSchedule reads.
	String() string
}

// Constant keeps the base rate.
func Constant() Schedule { return constant{} }

// StepDecay multiplies the rate by factor every `every` steps:
// base·factor^⌊step/every⌋.
func StepDecay(every int, factor float64) Schedule { return stepDecay{every, factor} }

// ExponentialDecay decays the rate smoothly by factor per `every` steps:
// base·factor^(step/every), TensorFlow's exponential_decay.
func ExponentialDecay(every int, factor float64) Schedule { return expDecay{every, factor} }

// Cosine anneals the rate from base down to floor·base over total steps
// along half a cosine, then stays there:
// base·(floor + (1-floor)·(1+cos(π·min(step, total)/total))/2).
func Cosine(total int, floor float64) Schedule { return cosine{total, floor} }

type constant struct{}

func (constant) Rate(base float64, _ int) float64 { return base }
func (constant) String() string                   { return "constant" }

type stepDecay struct {
	every  int
	factor float64
}

func (s stepDecay) Rate(base float64, step int) float64 {
	return base * math.Pow(s.factor, float64(step/s.every))
}
func (s stepDecay) String() string { return fmt.Sprintf("step:%d:%s", s.every, fmtFloat(s.factor)) }

type expDecay struct {
	every  int
	factor float64
}

func (s expDecay) Rate(base float64, step int) float64 {
	return base * math.Pow(s.factor, float64(step)/float64(s.every))
}
func (s expDecay) String() string { return fmt.Sprintf("exp:%d:%s", s.every, fmtFloat(s.factor)) }

type cosine struct {
	total int
	floor float64
}

func (s cosine) Rate(base float64, step int) float64 {
	t := float64(min(max(step, 0), s.total)) / float64(s.total)
	return base * (s.floor + (1-s.floor)*(1+math.Cos(math.Pi*t))/2)
}
func (s cosine) String() string { return fmt.Sprintf("cosine:%d:%s", s.total, fmtFloat(s.floor)) }

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// ParseSchedule reads a schedule in the form of a flag:
//
//	constant
//	step:EVERY:FACTOR     StepDecay, e.g. step:1000:0.5
//	exp:EVERY:FACTOR      ExponentialDecay, e.g. exp:430:0.9
//	cosine:TOTAL[:FLOOR]  Cosine, FLOOR defaulting to 0
func ParseSchedule(s string) (Schedule, error) {
	f := strings.Split(strings.TrimSpace(s), ":")
	bad := func(why string) (Schedule, error) {
		return nil, fmt.Errorf("sgd: schedule %q: %s (want constant, step:EVERY:FACTOR, exp:EVERY:FACTOR or cosine:TOTAL[:FLOOR])", s, why)
	}
	steps := func(v string) (int, bool) {
		n, err := strconv.Atoi(v)
		return n, err == nil && n > 0
	}
	switch f[0] {
	case "constant", "":
		if len(f) != 1 {
			return bad("constant takes no arguments")
		}
		return Constant(), nil
	case "step", "exp", "exponential":
		if len(f) != 3 {
			return bad("needs a step count and a factor")
		}
		every, ok := steps(f[1])
		if !ok {
			return bad("the step count must be a positive integer")
		}
		factor, err := strconv.ParseFloat(f[2], 64)
		if err != nil || !(factor > 0 && factor <= 1) {
			return bad("the factor must be in (0, 1]")
		}
		if f[0] == "step" {
			return StepDecay(every, factor), nil
		}
		return ExponentialDecay(every, factor), nil
	case "cosine":
		if len(f) != 2 && len(f) != 3 {
			return bad("needs a total step count and optionally a floor")
		}
		total, ok := steps(f[1])
		if !ok {
			return bad("the total step count must be a positive integer")
		}
		floor := 0.0
		if len(f) == 3 {
			var err error
			floor, err = strconv.ParseFloat(f[2], 64)
			if err != nil || !(floor >= 0 && floor <= 1) {
				return bad("the floor must be in [0, 1]")
			}
		}
		return Cosine(total, floor), nil
	}
	return bad("unknown kind")
}

// validSchedule checks the parameters of the schedules built here (a
// hand-built StepDecay(0, …) would divide by zero).
func validSchedule(s Schedule) error {
	switch s := s.(type) {
	case stepDecay:
		if s.every <= 0 || !(s.factor > 0) {
			return fmt.Errorf("sgd: StepDecay(%d, %v): need a positive period and factor", s.every, s.factor)
		}
	case expDecay:
		if s.every <= 0 || !(s.factor > 0) {
			return fmt.Errorf("sgd: ExponentialDecay(%d, %v): need a positive period and factor", s.every, s.factor)
		}
	case cosine:
		if s.total <= 0 || !(s.floor >= 0 && s.floor <= 1) {
			return fmt.Errorf("sgd: Cosine(%d, %v): need a positive step count and a floor in [0, 1]", s.total, s.floor)
		}
	}
	return nil
}
