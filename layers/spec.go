package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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

	// Keep is the dropout keep probability after each hidden ReLU; 1 means
	// no dropout layers. 0 is read as 1.
	Keep float64

	// InputKeep is the dropout keep probability applied to the inputs (the
	// dropout paper used 0.8 on MNIST pixels); 1 or 0 means none.
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

// Validate reports the first problem with s, or nil.
func (s Spec) Validate() error {
	if s.Inputs <= 0 {
		return fmt.Errorf("layers: spec: %d inputs; need at least 1", s.Inputs)
	}
	if err := s.validateHeadAndActivations(); err != nil {
		return err
	}
	for i, h := range s.Hidden {
		if h <= 0 {
			return fmt.Errorf("layers: spec: hidden layer %d has %d units; need at least 1", i, h)
		}
	}
	if k := s.keep(); !(k > 0 && k <= 1) {
		return fmt.Errorf("layers: spec: keep probability %v is not in (0, 1]", s.Keep)
	}
	if k := s.inputKeep(); !(k > 0 && k <= 1) {
		return fmt.Errorf("layers: spec: input keep probability %v is not in (0, 1]", s.InputKeep)
	}
	if (s.Init.kind == initNormal || s.Init.kind == initTruncated) && !(s.Init.stddev > 0 && !math.IsInf(s.Init.stddev, 0)) {
		return fmt.Errorf("layers: spec: initialiser %v needs a positive standard deviation", s.Init)
	}
	return nil
}

func (s Spec) keep() float64 { return orOne(s.Keep) }

func (s Spec) inputKeep() float64 { return orOne(s.InputKeep) }

// orOne reads an unset (zero) keep probability as 1, no dropout.
func orOne(k float64) float64 {
	if k == 0 {
		return 1
	}
	return k
}

// String formats the sizes as "784-256-10", with " keep=0.5" and
// " input_keep=0.8" if there is dropout.
func (s Spec) String() string {
	parts := []string{strconv.Itoa(s.Inputs)}
	for _, h := range s.Hidden {
		parts = append(parts, strconv.Itoa(h))
	}
	parts = append(parts, strconv.Itoa(s.Outputs))
	str := strings.Join(parts, "-")
	if k := s.keep(); k != 1 {
		str += " keep=" + strconv.FormatFloat(k, 'g', -1, 64)
	}
	if k := s.inputKeep(); k != 1 {
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
	if k := s.inputKeep(); k != 1 {
		ls = append(ls, NewDropout(k, 0))
	}
	in := s.Inputs
	for i, h := range s.Hidden {
		ls = append(ls, NewDense(in, h, s.Init, rng), s.activation(i).NewLayer())
		if k := s.keep(); k != 1 {
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
		MetaKeep:      strconv.FormatFloat(s.keep(), 'g', -1, 64),
		MetaInputKeep: strconv.FormatFloat(s.inputKeep(), 'g', -1, 64),
		MetaInit:      s.Init.String(),
	}
	s.extraMeta(m)
	return m
}

// SpecFromMeta reads the keys Meta writes (other keys are ignored) and
// validates the result. A missing arch.keep means 1 and a missing
// arch.init means He; the other keys are required.
func SpecFromMeta(meta map[string]string) (Spec, error) {
	if a, ok := meta[MetaArch]; !ok || a != "mlp" {
		if !ok {
			return Spec{}, fmt.Errorf("layers: metadata has no %q key: it does not describe a network", MetaArch)
		}
		return Spec{}, fmt.Errorf("layers: metadata %s=%q: only \"mlp\" is known", MetaArch, a)
	}
	var s Spec
	var err error
	if s.Inputs, err = metaInt(meta, MetaInputs); err != nil {
		return Spec{}, err
	}
	if s.Outputs, err = metaInt(meta, MetaOutputs); err != nil {
		return Spec{}, err
	}
	hidden, ok := meta[MetaHidden]
	if !ok {
		return Spec{}, fmt.Errorf("layers: metadata has no %q key", MetaHidden)
	}
	if s.Hidden, err = ParseSizes(hidden); err != nil {
		return Spec{}, fmt.Errorf("layers: metadata %s=%q: %v", MetaHidden, hidden, err)
	}
	for key, dst := range map[string]*float64{MetaKeep: &s.Keep, MetaInputKeep: &s.InputKeep} {
		*dst = 1
		if v, ok := meta[key]; ok {
			if *dst, err = strconv.ParseFloat(v, 64); err != nil {
				return Spec{}, fmt.Errorf("layers: metadata %s=%q is not a number", key, v)
			}
		}
	}
	if v, ok := meta[MetaInit]; ok {
		if s.Init, err = ParseInit(v); err != nil {
			return Spec{}, err
		}
	}
	if err := s.readExtraMeta(meta); err != nil {
		return Spec{}, err
	}
	if err := s.Validate(); err != nil {
		return Spec{}, err
	}
	return s, nil
}

func metaInt(meta map[string]string, key string) (int, error) {
	v, ok := meta[key]
	if !ok {
		return 0, fmt.Errorf("layers: metadata has no %q key", key)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("layers: metadata %s=%q is not an integer", key, v)
	}
	return n, nil
}

// ParseSizes reads a comma-separated list of positive layer sizes such as
// "512,512" (spaces allowed; "" is the empty list), the form of the
// -hidden flag and of arch.hidden.
func ParseSizes(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("layer size %q is not a positive integer", strings.TrimSpace(f))
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}
