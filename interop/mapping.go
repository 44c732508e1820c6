package interop

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlp/gomlp/layers"
)

// Options steer FromTensors.
type Options struct {
	// Layers names the weights of the layers from input to output, each a
	// tensor name ("fc1.weight") or the prefix before ".weight" ("fc1").
	// Empty means: find the chain.
	Layers []string

	// Activation between the layers, as layers.ParseActivations reads it:
	// one name for every hidden layer ("tanh"), or one per hidden layer
	// ("relu,tanh"). "" means ReLU.
	Activation string

	// Head is the output head, as layers.ParseHead reads it: "" or
	// "softmax" (a classifier: the module outputs logits), "mse" or
	// "huber" (a regression network: the module outputs the predictions).
	Head string

	// Mean and Std, when set, describe the input normalisation the network
	// was trained with, x' = (x − Mean)/Std, with one value for every input
	// or a single value for all. The network keeps it as its own
	// Normalizer (layers.Spec.Normalize), so that it takes raw inputs.
	Mean, Std []float64

	// Fold folds Mean and Std into the first layer instead of keeping a
	// Normalizer: W' = W/Std, b' = b − (Mean/Std)·W.
	Fold bool
}

// LayerMap says where one Dense layer's parameters came from.
type LayerMap struct {
	Weight string // the file's tensor, [Out, In]
	Bias   string // the file's tensor, or "" when zero
	In     int
	Out    int
}

// Mapping says how FromTensors built a network from a file's tensors.
type Mapping struct {
	Layers []LayerMap
	Unused []string // tensors of the file that are not in the network
	// Ambiguous, when not empty, says why another reading of the file was
	// possible (another chain of the same length, or 2-D weights left out).
	Ambiguous string
	Folded    string              // the input normalisation, folded or kept, if any
	Acts      []layers.Activation // after each hidden layer
	Head      layers.Head
}

// Lines describes the mapping, one line per layer, then the rest.
func (m *Mapping) Lines() []string {
	var out []string
	for i, l := range m.Layers {
		bias := "dense_" + strconv.Itoa(i) + "/biases ← " + l.Bias
		if l.Bias == "" {
			bias = "biases zero (the file has no bias for " + l.Weight + ")"
		}
		act := ", softmax"
		if m.Head != layers.HeadSoftmax {
			act = ", " + m.Head.String() + " head (raw outputs)"
		}
		if i < len(m.Acts) {
			act = ", " + torchNames[m.Acts[i]]
		}
		out = append(out, fmt.Sprintf("layer %d: dense_%d/weights [%d %d] ← %s [%d %d] transposed; %s%s",
			i, i, l.In, l.Out, l.Weight, l.Out, l.In, bias, act))
	}
	if m.Folded != "" {
		out = append(out, m.Folded)
	}
	if len(m.Unused) > 0 {
		out = append(out, "not used: "+strings.Join(m.Unused, ", "))
	}
	if m.Ambiguous != "" {
		out = append(out, "ambiguous: "+m.Ambiguous)
	}
	return out
}

// torchNames are the activations' PyTorch module names.
var torchNames = map[layers.Activation]string{
	layers.ActReLU: "ReLU", layers.ActTanh: "Tanh", layers.ActSigmoid: "Sigmoid",
	layers.ActLeakyReLU: "LeakyReLU(0.01)", layers.ActGELU: "GELU(approximate='tanh')",
}

// FromTensors builds a network from a state_dict's tensors (see the
// package documentation for how the layers are found).
func FromTensors(ts []Tensor, opt Options) (*layers.Network, *Mapping, error) {
	var acts []layers.Activation
	if opt.Activation != "" {
		var err error
		if acts, err = layers.ParseActivations(opt.Activation); err != nil {
			return nil, nil, fmt.Errorf("interop: %v", strings.TrimPrefix(err.Error(), "layers: "))
		}
	}
	head := layers.HeadSoftmax
	if opt.Head != "" {
		var err error
		if head, err = layers.ParseHead(opt.Head); err != nil {
			return nil, nil, fmt.Errorf("interop: %v", strings.TrimPrefix(err.Error(), "layers: "))
		}
	}
	byName := make(map[string]*Tensor, len(ts))
	for i := range ts {
		byName[ts[i].Name] = &ts[i]
	}
	m := &Mapping{}
	var weights []*Tensor
	if len(opt.Layers) > 0 {
		for _, name := range opt.Layers {
			t := byName[name]
			if t == nil {
				t = byName[name+".weight"]
			}
			if t == nil {
				return nil, nil, fmt.Errorf("interop: no tensor %q or %q in the file", name, name+".weight")
			}
			if err := usable(t); err != nil {
				return nil, nil, err
			}
			weights = append(weights, t)
		}
		for i := 1; i < len(weights); i++ {
			if weights[i].Shape[1] != weights[i-1].Shape[0] {
				return nil, nil, fmt.Errorf("interop: %s %v does not follow %s %v: a [out, in] weight needs in = %d", weights[i].Name, weights[i].Shape, weights[i-1].Name, weights[i-1].Shape, weights[i-1].Shape[0])
			}
		}
	} else {
		var err error
		if weights, m.Ambiguous, err = chain(ts); err != nil {
			return nil, nil, err
		}
	}
	var hidden []int
	for _, w := range weights[:len(weights)-1] {
		hidden = append(hidden, w.Shape[0])
	}
	spec := layers.NewSpec(weights[0].Shape[1], hidden, weights[len(weights)-1].Shape[0])
	spec.Head = head
	switch {
	case len(acts) == 1:
		spec.Activation = acts[0]
	case len(acts) == len(hidden):
		spec.Activations = acts
	case len(acts) > 1:
		return nil, nil, fmt.Errorf("interop: %d activations for %d hidden layers (give 1 or %d)", len(acts), len(hidden), len(hidden))
	}
	m.Acts = acts
	if len(acts) <= 1 {
		a := layers.ActReLU
		if len(acts) == 1 {
			a = acts[0]
		}
		m.Acts = slices.Repeat([]layers.Activation{a}, len(hidden))
	}
	m.Head = head
	normalize := len(opt.Mean) > 0 || len(opt.Std) > 0
	spec.Normalize = normalize && !opt.Fold
	net, err := spec.Build(0)
	if err != nil {
		return nil, nil, fmt.Errorf("interop: the weights %s make no network: %v", names(weights), err)
	}
	params := map[string]layers.Tensor{}
	for _, p := range net.Tensors() {
		params[p.Name] = p
	}
	used := map[string]bool{}
	for i, w := range weights {
		out, in := w.Shape[0], w.Shape[1]
		lm := LayerMap{Weight: w.Name, In: in, Out: out}
		transpose(params[fmt.Sprintf("dense_%d/weights", i)].Data, w.Data, out, in) // [out, in] → [in, out]
		used[w.Name] = true
		bias := params[fmt.Sprintf("dense_%d/biases", i)].Data
		if b := byName[biasName(w.Name)]; b != nil {
			if len(b.Shape) != 1 || b.Shape[0] != out || b.Data == nil {
				return nil, nil, fmt.Errorf("interop: %s is %s %v; the bias of %s %v must be a float vector of %d", b.Name, b.DType, b.Shape, w.Name, w.Shape, out)
			}
			copy(bias, b.Data)
			lm.Bias = b.Name
			used[b.Name] = true
		} else {
			clear(bias)
		}
		m.Layers = append(m.Layers, lm)
	}
	switch {
	case normalize && opt.Fold:
		w0, b0 := params["dense_0/weights"].Data, params["dense_0/biases"].Data
		if m.Folded, err = fold(w0, b0, spec.Inputs, weights[0].Shape[0], opt.Mean, opt.Std); err != nil {
			return nil, nil, err
		}
	case normalize:
		mean, scale := params[layers.NormalizerMean].Data, params[layers.NormalizerScale].Data
		if m.Folded, err = keep(mean, scale, opt.Mean, opt.Std); err != nil {
			return nil, nil, err
		}
	}
	for _, t := range ts {
		if !used[t.Name] {
			m.Unused = append(m.Unused, t.Name)
		}
	}
	return net, m, nil
}

// usable says whether a tensor can be a layer's weight.
func usable(t *Tensor) error {
	switch {
	case len(t.Shape) != 2:
		return fmt.Errorf("interop: %s has shape %v; a layer's weight is 2-D [out, in]", t.Name, t.Shape)
	case t.Data == nil:
		return fmt.Errorf("interop: %s is %s; a layer's weight must be floating point", t.Name, t.DType)
	case t.Shape[0] == 0 || t.Shape[1] == 0:
		return fmt.Errorf("interop: %s has shape %v", t.Name, t.Shape)
	}
	return nil
}

func names(ts []*Tensor) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = fmt.Sprintf("%s %v", t.Name, t.Shape)
	}
	return strings.Join(s, ", ")
}

// biasName is the conventional name of a weight's bias.
func biasName(weight string) string {
	if base, ok := strings.CutSuffix(weight, "weight"); ok {
		return base + "bias"
	}
	return weight + ".bias"
}

// chain finds the longest sequence of 2-D weights, in numeric-aware name
// order, in which each one's input size is the previous one's output size.
// Of several such sequences it takes the one whose names come first, and
// says so in ambiguous.
func chain(ts []Tensor) (weights []*Tensor, ambiguous string, err error) {
	var cand []*Tensor
	for i := range ts {
		if usable(&ts[i]) == nil {
			cand = append(cand, &ts[i])
		}
	}
	if len(cand) == 0 {
		return nil, "", fmt.Errorf("interop: the file has no 2-D floating-point tensor to use as a layer's weight")
	}
	slices.SortStableFunc(cand, func(a, b *Tensor) int { return NaturalCompare(a.Name, b.Name) })
	n := len(cand)
	length, prev := make([]int, n), make([]int, n)
	ways := make([]float64, n) // how many longest chains end here (float: no overflow)
	for i := range cand {
		length[i], prev[i], ways[i] = 1, -1, 1
		for j := 0; j < i; j++ {
			if cand[j].Shape[0] != cand[i].Shape[1] {
				continue
			}
			switch {
			case length[j]+1 > length[i]:
				length[i], prev[i], ways[i] = length[j]+1, j, ways[j]
			case length[j]+1 == length[i]:
				ways[i] += ways[j]
			}
		}
	}
	end := 0
	total := 0.0
	for i := range cand {
		if length[i] > length[end] {
			end = i
		}
	}
	for i := range cand {
		if length[i] == length[end] {
			total += ways[i]
		}
	}
	for i := end; i >= 0; i = prev[i] {
		weights = append(weights, cand[i])
	}
	slices.Reverse(weights)
	if total > 1 {
		ambiguous = fmt.Sprintf("%.0f chains of %d linked weights; took %s (give the layers to choose another)", total, len(weights), names(weights))
	} else if len(weights) < len(cand) {
		var left []string
		for _, c := range cand {
			if !slices.Contains(weights, c) {
				left = append(left, fmt.Sprintf("%s %v", c.Name, c.Shape))
			}
		}
		ambiguous = "2-D tensors left out of the chain: " + strings.Join(left, ", ")
	}
	return weights, ambiguous, nil
}

// NaturalCompare orders names with their runs of digits compared as
// numbers: "layers.2.weight" < "layers.10.weight".
func NaturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := len(na) - len(nb); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// fold rewrites the first layer (w [in, out], b [out]) to take raw inputs
// where it took (x − mean)/std, computing in float64.
func fold(w, b []float32, in, out int, mean, std []float64) (string, error) {
	m, s, err := meanStd(in, mean, std)
	if err != nil {
		return "", err
	}
	for o := range out {
		acc := float64(b[o])
		for k := range in {
			acc -= m[k] / s[k] * float64(w[k*out+o])
		}
		b[o] = float32(acc)
	}
	for k := range in {
		for o := range out {
			w[k*out+o] = float32(float64(w[k*out+o]) / s[k])
		}
	}
	return fmt.Sprintf("input normalisation (x − %s)/%s folded into dense_0", short(mean), short(std)), nil
}

// keep sets a Normalizer's mean and scale (1/std) to the normalisation.
func keep(dstMean, dstScale []float32, mean, std []float64) (string, error) {
	in := len(dstMean)
	m, s, err := meanStd(in, mean, std)
	if err != nil {
		return "", err
	}
	for k := range in {
		dstMean[k] = float32(m[k])
		dstScale[k] = float32(1 / s[k])
	}
	return fmt.Sprintf("input normalisation (x − %s)/%s kept as the model's normalizer (%s, %s)", short(mean), short(std), layers.NormalizerMean, layers.NormalizerScale), nil
}

// meanStd expands mean and std to one value per input and checks them.
func meanStd(in int, mean, std []float64) (m, s []float64, err error) {
	expand := func(v []float64, name string, def float64) ([]float64, error) {
		switch len(v) {
		case 0:
			v = []float64{def}
			fallthrough
		case 1:
			return slices.Repeat(v, in), nil
		case in:
			return v, nil
		}
		return nil, fmt.Errorf("interop: %d %s values for %d inputs (give 1 or %d)", len(v), name, in, in)
	}
	if m, err = expand(mean, "mean", 0); err != nil {
		return nil, nil, err
	}
	if s, err = expand(std, "std", 1); err != nil {
		return nil, nil, err
	}
	for k := range in {
		if !(s[k] > 0) || math.IsInf(s[k], 0) || math.IsNaN(m[k]) || math.IsInf(m[k], 0) {
			return nil, nil, fmt.Errorf("interop: input %d: mean %v, std %v: std must be positive and both finite", k, m[k], s[k])
		}
	}
	return m, s, nil
}

func short(v []float64) string {
	if len(v) == 1 {
		return strconv.FormatFloat(v[0], 'g', -1, 64)
	}
	return fmt.Sprintf("[%d values]", len(v))
}

// transpose writes the cols×rows transpose of the rows×cols matrix src
// into dst, in tiles so that both sides stay in cache.
func transpose(dst, src []float32, rows, cols int) {
	const tile = 32
	for r0 := 0; r0 < rows; r0 += tile {
		for c0 := 0; c0 < cols; c0 += tile {
			for r := r0; r < min(r0+tile, rows); r++ {
				for c := c0; c < min(c0+tile, cols); c++ {
					dst[c*rows+r] = src[r*cols+c]
				}
			}
		}
	}
}
