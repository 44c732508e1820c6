package train

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gomlp/gomlp/sgd"
)

// EpochSchedule reads a learning-rate schedule whose periods are counted in
// epochs and returns it in optimizer steps (what sgd.Config.Schedule takes)
// for a run of epochs epochs of stepsPerEpoch steps (see Steps):
//
//	constant
//	cosine[:FLOOR]          anneal over the whole run down to FLOOR·LR (default 0)
//	step:EPOCHS:FACTOR      multiply by FACTOR every EPOCHS epochs (EPOCHS may be fractional)
//	exp:EPOCHS:FACTOR       decay smoothly by FACTOR per EPOCHS epochs
func EpochSchedule(s string, epochs, stepsPerEpoch int) (sgd.Schedule, error) {
	if epochs <= 0 || stepsPerEpoch <= 0 {
		return nil, fmt.Errorf("train: schedule %q: %d epochs of %d steps; both must be positive", s, epochs, stepsPerEpoch)
	}
	f := strings.Split(strings.TrimSpace(s), ":")
	bad := fmt.Errorf("train: schedule %q: want constant, cosine[:FLOOR], step:EPOCHS:FACTOR or exp:EPOCHS:FACTOR", s)
	switch f[0] {
	case "constant":
		if len(f) != 1 {
			return nil, bad
		}
		return sgd.Constant(), nil
	case "cosine":
		if len(f) > 2 {
			return nil, bad
		}
		f[0] = "cosine:" + strconv.Itoa(epochs*stepsPerEpoch)
	case "step", "exp":
		if len(f) != 3 {
			return nil, bad
		}
		e, err := strconv.ParseFloat(f[1], 64)
		if err != nil || !(e > 0) || math.IsInf(e, 0) {
			return nil, fmt.Errorf("train: schedule %q: the period must be a positive number of epochs", s)
		}
		f[1] = strconv.Itoa(max(1, int(math.Round(e*float64(stepsPerEpoch)))))
	default:
		return nil, bad
	}
	sched, err := sgd.ParseSchedule(strings.Join(f, ":"))
	if err != nil {
		return nil, fmt.Errorf("train: schedule %q: %v", s, strings.TrimPrefix(err.Error(), "sgd: "))
	}
	return sched, nil
}
