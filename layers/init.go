package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Init chooses how a Dense layer's weights are drawn (biases start at 0).
// The zero value is He. Use the constructors He, Glorot, Normal and
// TruncatedNormal, or ParseInit for a flag or metadata string.
type Init struct {
	kind   initKind
	stddev float64
}

type initKind uint8

const (
	initHe initKind = iota
	initGlorot
	initNormal
	initTruncated
)

// He draws from a normal distribution with standard deviation sqrt(2/in),
// the Kaiming He initialisation that suits ReLU networks. It is the default.
func He() Init { return Init{kind: initHe} }

// Glorot draws uniformly from [-a, a] with a = sqrt(6/(in+out)) (Xavier
// Glorot's initialisation).
func Glorot() Init { return Init{kind: initGlorot} }

// Normal draws from a normal distribution with mean 0 and the given
// standard deviation, like TensorFlow's random_normal.
func Normal(stddev float64) Init { return Init{kind: initNormal, stddev: stddev} }

// TruncatedNormal draws like Normal but redraws any value more than two
// standard deviations from 0, like TensorFlow's truncated_normal.
func TruncatedNormal(stddev float64) Init { return Init{kind: initTruncated, stddev: stddev} }

// String formats the initialiser in the form ParseInit reads:
// "he", "glorot", "normal:0.1" or "truncated_normal:0.1".
func (i Init) String() string {
	switch i.kind {
	case initGlorot:
		return "glorot"
	case initNormal:
		return "normal:" + strconv.FormatFloat(i.stddev, 'g', -1, 64)
	case initTruncated:
		return "truncated_normal:" + strconv.FormatFloat(i.stddev, 'g', -1, 64)
	}
	return "he"
}

// ParseInit reads the form String writes. A missing standard deviation for
// normal or truncated_normal means 0.1.
func ParseInit(s string) (Init, error) {
	name, arg, hasArg := strings.Cut(strings.TrimSpace(s), ":")
	stddev := 0.1
	if hasArg {
		v, err := strconv.ParseFloat(arg, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return Init{}, fmt.Errorf("layers: initialiser %q: the standard deviation must be a positive number", s)
		}
		stddev = v
	}
	switch strings.ToLower(name) {
	case "he", "kaiming":
		if hasArg {
			break
		}
		return He(), nil
	case "glorot", "xavier":
		if hasArg {
			break
		}
		return Glorot(), nil
	case "normal", "random_normal":
		return Normal(stddev), nil
	case "truncated_normal":
		return TruncatedNormal(stddev), nil
	}
	return Init{}, fmt.Errorf("layers: unknown initialiser %q (want he, glorot, normal:STDDEV or truncated_normal:STDDEV)", s)
}

// fill draws the weights of a fanIn×fanOut matrix into w.
func (i Init) fill(w []float32, fanIn, fanOut int, rng *rand.Rand) {
	switch i.kind {
	case initHe:
		std := math.Sqrt(2 / float64(fanIn))
		for k := range w {
			w[k] = float32(rng.NormFloat64() * std)
		}
	case initGlorot:
		a := math.Sqrt(6 / float64(fanIn+fanOut))
		for k := range w {
			w[k] = float32((2*rng.Float64() - 1) * a)
		}
	case initNormal:
		for k := range w {
			w[k] = float32(rng.NormFloat64() * i.stddev)
		}
	case initTruncated:
		for k := range w {
			v := rng.NormFloat64()
			for math.Abs(v) > 2 {
				v = rng.NormFloat64()
			}
			w[k] = float32(v * i.stddev)
		}
	}
}
