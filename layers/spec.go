package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlp/gomlp/internal/meta"
)

// Spec describes a multilayer perceptron: Inputs features (optionally
// through a Normalizer and dropout), one Dense+activation(+Dropout) block
// per entry of Hidden, then a Dense layer to Outputs and a head: SoftmaxCE
// over Outputs classes, or a regression head with Outputs float outputs.
// It is all a checkpoint needs to rebuild the network (see Meta and
// SpecFromMeta).
type Spec struct {
	Inputs  int   // input features, e.g. 784
	Hidden  []int // hidden layer sizes, e.g. {256} or {512, 512}; may be empty
	Outputs int   // classes, e.g. 10

	// Keep is the dropout keep probability after each hidden ReLU, in
	// (0, 1]; 1 means no dropout layers. It is used as given: 0 is an
	// error, not a default (NewSpec sets 1).
	Keep float64

	// InputKeep is the dropout keep probability applied to the inputs (the
	// dropout paper used 0.8 on MNIST pixels), in (0, 1]; 1 means none.
	// As with Keep, 0 is an error (NewSpec sets 1).
	InputKeep float64

	// Init draws the weights; the zero value is He.
	Init Init

	// Activation follows every hidden Dense layer; the zero value is ReLU.
	// Activations, if not empty, gives one per hidden layer instead.
	Activation  Activation
	Activations []Activation

	// Head is the output head; the zero value is HeadSoftmax (a
	// classifier). HeadMSE and HeadHuber make a regression network.
	Head Head

	// Normalize puts a Normalizer before the first layer, so that the
	// model standardises its own inputs; fit it with
	// Network.FitNormalizer before training.
	Normalize bool

	// ScaleTargets (regression only) puts a TargetScaler after the last
	// Dense layer, so that the network learns standardised targets but
	// predicts in their units; fit it with Network.FitTargets.
	ScaleTargets bool
}

// Limits on a Spec, checked by Validate (and so by Build and SpecFromMeta)
// before anything is allocated, so that a hostile or mistaken architecture
// is an error rather than an out-of-memory crash.
const (
	MaxUnits        = 1 << 24 // inputs, outputs or units of one hidden layer
	MaxHiddenLayers = 1024    // entries of Hidden
	MaxParams       = 1 << 30 // weights and biases in all (4 GiB of float32)
)

// NewSpec returns the Spec of an inputs→hidden…→outputs classifier without
// dropout (Keep and InputKeep 1) and with He initialisation. Set the other
// fields on the result.
func NewSpec(inputs int, hidden []int, outputs int) Spec {
	return Spec{Inputs: inputs, Hidden: slices.Clone(hidden), Outputs: outputs, Keep: 1, InputKeep: 1}
}

// Validate reports the first problem with s, or nil. Besides the ranges of
// each field it enforces MaxUnits, MaxHiddenLayers and MaxParams.
func (s Spec) Validate() error {
	if s.Inputs <= 0 || s.Inputs > MaxUnits {
		return fmt.Errorf("layers: spec: %d inputs; need 1 to %d", s.Inputs, MaxUnits)
	}
	if err := s.validateHeadAndActivations(); err != nil {
		return err
	}
	if len(s.Hidden) > MaxHiddenLayers {
		return fmt.Errorf("layers: spec: %d hidden layers; at most %d", len(s.Hidden), MaxHiddenLayers)
	}
	for i, h := range s.Hidden {
		if h <= 0 || h > MaxUnits {
			return fmt.Errorf("layers: spec: hidden layer %d has %d units; need 1 to %d", i, h, MaxUnits)
		}
	}
	if n := s.paramCount(); n > MaxParams {
		return fmt.Errorf("layers: spec: %s has %d parameters; at most %d", s.sizes(), n, MaxParams)
	}
	if k := s.Keep; !(k > 0 && k <= 1) {
		return fmt.Errorf("layers: spec: keep probability %v is not in (0, 1] (1 means no dropout)", s.Keep)
	}
	if k := s.InputKeep; !(k > 0 && k <= 1) {
		return fmt.Errorf("layers: spec: input keep probability %v is not in (0, 1] (1 means no input dropout)", s.InputKeep)
	}
	if (s.Init.kind == initNormal || s.Init.kind == initTruncated) && !(s.Init.stddev > 0 && !math.IsInf(s.Init.stddev, 0)) {
		return fmt.Errorf("layers: spec: initialiser %v needs a positive standard deviation", s.Init)
	}
	return nil
}

// paramCount returns the number of weights and biases, saturating at
// MaxParams+1 so that no sum or product can overflow. Sizes must be in
// [1, MaxUnits] (so each product fits in an int64).
func (s Spec) paramCount() int64 {
	var n int64
	in := int64(s.Inputs)
	for _, out := range append(slices.Clip(s.Hidden), s.Outputs) {
		n += in*int64(out) + int64(out)
		if n > MaxParams {
			return MaxParams + 1
		}
		in = int64(out)
	}
	return n
}

// ParamShapes lists the parameters Build would make, by name and shape
// (Data nil), in the order of Network.Params, without allocating them: a
// checkpoint's tensors can be checked against it before building. It
// returns Validate's error if s is not valid.
func (s Spec) ParamShapes() ([]Tensor, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var ts []Tensor
	in := s.Inputs
	for i, out := range append(slices.Clip(s.Hidden), s.Outputs) {
		name := "dense_" + strconv.Itoa(i)
		ts = append(ts, Tensor{Name: name + "/weights", Shape: []int{in, out}}, Tensor{Name: name + "/biases", Shape: []int{out}})
		in = out
	}
	return ts, nil
}

// sizes formats the sizes as "784-256-10".
func (s Spec) sizes() string {
	parts := []string{strconv.Itoa(s.Inputs)}
	for _, h := range s.Hidden {
		parts = append(parts, strconv.Itoa(h))
	}
	parts = append(parts, strconv.Itoa(s.Outputs))
	return strings.Join(parts, "-")
}

// String formats the sizes as "784-256-10", with " keep=0.5" and
// " input_keep=0.8" if there is dropout.
func (s Spec) String() string {
	str := s.sizes()
	if k := s.Keep; k != 1 {
		str += " keep=" + strconv.FormatFloat(k, 'g', -1, 64)
	}
	if k := s.InputKeep; k != 1 {
		str += " input_keep=" + strconv.FormatFloat(k, 'g', -1, 64)
	}
	return str + s.extraString()
}

// Build returns a network as s describes, its weights drawn from a
// generator seeded with seed (the same seed gives the same weights) and its
// dropout masks seeded from seed too. The layers are
//
//	[Dropout] Dense(dense_0) ReLU [Dropout] … Dense(dense_k) SoftmaxCE
//
// It returns an error if s is not valid.
func (s Spec) Build(seed uint64) (*Network, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x6d6c702d696e6974))
	var ls []Layer
	if s.Normalize {
		ls = append(ls, NewNormalizer(s.Inputs))
	}
	if k := s.InputKeep; k != 1 {
		ls = append(ls, NewDropout(k, 0))
	}
	in := s.Inputs
	for i, h := range s.Hidden {
		ls = append(ls, NewDense(in, h, s.Init, rng), s.activation(i).NewLayer())
		if k := s.Keep; k != 1 {
			ls = append(ls, NewDropout(k, 0)) // seeded below
		}
		in = h
	}
	ls = append(ls, NewDense(in, s.Outputs, s.Init, rng))
	if s.ScaleTargets {
		ls = append(ls, NewTargetScaler(s.Outputs))
	}
	ls = append(ls, s.headLayer())
	n := New(ls...)
	c := s.clone()
	n.spec = &c
	n.SeedDropout(seed)
	return n, nil
}

func (s Spec) clone() Spec {
	s.Hidden = slices.Clone(s.Hidden)
	s.Activations = slices.Clone(s.Activations)
	return s
}

// Metadata keys written by Meta.
const (
	MetaArch      = "arch"            // always "mlp"
	MetaInputs    = "arch.inputs"     // "784"
	MetaHidden    = "arch.hidden"     // "256" or "512,512" or "" for none
	MetaOutputs   = "arch.outputs"    // "10"
	MetaKeep      = "arch.keep"       // "1" or "0.5"
	MetaInputKeep = "arch.input_keep" // "1" or "0.8"
	MetaInit      = "arch.init"       // "he", "glorot", "normal:0.1", …
)

// Meta describes s as string pairs for a checkpoint's metadata.
func (s Spec) Meta() map[string]string {
	hidden := make([]string, len(s.Hidden))
	for i, h := range s.Hidden {
		hidden[i] = strconv.Itoa(h)
	}
	m := map[string]string{
		MetaArch:      "mlp",
		MetaInputs:    strconv.Itoa(s.Inputs),
		MetaHidden:    strings.Join(hidden, ","),
		MetaOutputs:   strconv.Itoa(s.Outputs),
		MetaKeep:      strconv.FormatFloat(s.Keep, 'g', -1, 64),
		MetaInputKeep: strconv.FormatFloat(s.InputKeep, 'g', -1, 64),
		MetaInit:      s.Init.String(),
	}
	s.extraMeta(m)
	return m
}

// SpecFromMeta reads the keys Meta writes (other keys are ignored) and
// validates the result. A missing arch.keep means 1 and a missing
// arch.init means He; the other keys are required.
func SpecFromMeta(m map[string]string) (Spec, error) {
	if a, ok := m[MetaArch]; !ok || a != "mlp" {
		if !ok {
			return Spec{}, fmt.Errorf("layers: metadata has no %q key: it does not describe a network", MetaArch)
		}
		return Spec{}, fmt.Errorf("layers: metadata %s=%q: only \"mlp\" is known", MetaArch, a)
	}
	var s Spec
	var err error
	if s.Inputs, err = meta.Int(m, "layers", MetaInputs, 1, MaxUnits); err != nil {
		return Spec{}, err
	}
	minOutputs := 2 // a classifier's; a regression head needs 1
	if h, err := ParseHead(m[MetaHead]); err == nil && h.Regression() {
		minOutputs = 1
	}
	if s.Outputs, err = meta.Int(m, "layers", MetaOutputs, minOutputs, MaxUnits); err != nil {
		return Spec{}, err
	}
	hidden, ok := m[MetaHidden]
	if !ok {
		return Spec{}, fmt.Errorf("layers: metadata has no %q key", MetaHidden)
	}
	if s.Hidden, err = ParseSizes(hidden); err != nil {
		return Spec{}, fmt.Errorf("layers: metadata %s=%q: %v", MetaHidden, hidden, err)
	}
	for key, dst := range map[string]*float64{MetaKeep: &s.Keep, MetaInputKeep: &s.InputKeep} {
		*dst = 1
		if v, ok := m[key]; ok {
			if *dst, err = meta.ParseFloat(v, "layers", key); err != nil {
				return Spec{}, err
			}
		}
	}
	if v, ok := m[MetaInit]; ok {
		if s.Init, err = ParseInit(v); err != nil {
			return Spec{}, err
		}
	}
	if err := s.readExtraMeta(m); err != nil {
		return Spec{}, err
	}
	if err := s.Validate(); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// ParseSizes reads a comma-separated list of at most MaxHiddenLayers layer
// sizes, each from 1 to MaxUnits, such as
// "512,512" (spaces allowed; "" is the empty list), the form of the
// -hidden flag and of arch.hidden.
func ParseSizes(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if n := strings.Count(s, ",") + 1; n > MaxHiddenLayers {
		return nil, fmt.Errorf("%d layer sizes; at most %d", n, MaxHiddenLayers)
	}
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 || n > MaxUnits {
			return nil, fmt.Errorf("layer size %q is not an integer from 1 to %d", strings.TrimSpace(f), MaxUnits)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}
