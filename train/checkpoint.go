package train

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/internal/meta"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/sgd"
)

// Metadata keys for the training configuration, beside State's, the
// network Spec's and the optimizer Config's keys.
const (
	MetaEpochs    = "train.epochs"
	MetaSeed      = "train.seed"
	MetaBatchSize = "train.batch_size"
	MetaL1        = "train.l1"
	MetaL2        = "train.l2"
	MetaPatience  = "train.patience"
	MetaWriter    = "writer"
)

// bestPrefix names the copy of the best weights in a checkpoint taken after
// an epoch that was not the best.
const bestPrefix = "best/"

// Checkpoint captures everything needed to resume training exactly: the
// parameters, the optimizer's state, the best weights (when they differ
// from the current ones), and in the metadata the network's architecture,
// the optimizer's and the loop's configuration and the progress, plus the
// pairs in extra. Its tensors alias live memory, so save it before training
// continues (OnEpoch is the place).
//
// The network must have been built from a layers.Spec.
func (t *Trainer) Checkpoint(extra map[string]string) (*ckpt.Checkpoint, error) {
	spec, ok := t.net.Spec()
	if !ok {
		return nil, fmt.Errorf("train: the network was not built from a layers.Spec, so a checkpoint could not rebuild it")
	}
	meta := map[string]string{MetaWriter: "gomlp"}
	maps.Copy(meta, extra)
	maps.Copy(meta, spec.Meta())
	maps.Copy(meta, t.opt.Config().Meta())
	maps.Copy(meta, t.state.Meta())
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	maps.Copy(meta, map[string]string{
		MetaEpochs:    strconv.Itoa(t.cfg.Epochs),
		MetaSeed:      strconv.FormatUint(t.cfg.Seed, 10),
		MetaBatchSize: strconv.Itoa(t.cfg.BatchSize),
		MetaL1:        f(t.cfg.L1),
		MetaL2:        f(t.cfg.L2),
		MetaPatience:  strconv.Itoa(t.cfg.Patience),
	})
	tensors := toCkpt(t.Tensors(), "")
	if t.state.BestEpoch != t.state.Epoch {
		tensors = append(tensors, toCkpt(t.best, bestPrefix)...)
	}
	return &ckpt.Checkpoint{Metadata: meta, Tensors: tensors}, nil
}

// Resume restores into t a checkpoint written from a Trainer of the same
// architecture and optimizer (see Checkpoint): parameters, optimizer state,
// best weights and progress. Every tensor must match; on error t is unchanged.
func (t *Trainer) Resume(c *ckpt.Checkpoint) error {
	state, err := StateFromMeta(c.Metadata)
	if err != nil {
		return err
	}
	if state.Epoch >= t.cfg.Epochs {
		return fmt.Errorf("train: the checkpoint has already done %d epochs of the %d configured", state.Epoch, t.cfg.Epochs)
	}
	into := toCkpt(t.Tensors(), "")
	hasBest := state.BestEpoch != state.Epoch
	scratch := make([]layers.Tensor, len(t.best))
	if hasBest {
		for i, b := range t.best {
			scratch[i] = layers.Tensor{Name: b.Name, Shape: b.Shape, Data: make([]float32, len(b.Data))}
		}
		into = append(into, toCkpt(scratch, bestPrefix)...)
	}
	if _, err := c.Restore(into); err != nil {
		return err
	}
	if err := t.SetState(state); err != nil {
		return err
	}
	if hasBest {
		for i := range t.best {
			copy(t.best[i].Data, scratch[i].Data)
		}
	}
	return nil
}

// ResumeFrom rebuilds a network, its optimizer and a Trainer from a
// checkpoint written by Trainer.Checkpoint alone, restored to where it
// stopped. cfg supplies the callbacks and, if not 0, a new total of Epochs
// (the learning-rate schedule stays as it was saved); its Seed, BatchSize,
// L1, L2 and Patience are taken from the checkpoint so that training
// continues exactly.
func ResumeFrom(c *ckpt.Checkpoint, cfg Config) (*Trainer, error) {
	spec, err := checkedSpec(c)
	if err != nil {
		return nil, err
	}
	optCfg, err := sgd.ConfigFromMeta(c.Metadata)
	if err != nil {
		return nil, err
	}
	if cfg, err = loopConfigFromMeta(c.Metadata, cfg); err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if _, err := StateFromMeta(c.Metadata); err != nil {
		return nil, err
	}
	net, err := spec.Build(0)
	if err != nil {
		return nil, err
	}
	opt, err := sgd.New(net.Params(), optCfg)
	if err != nil {
		return nil, err
	}
	t, err := New(net, opt, cfg)
	if err != nil {
		return nil, err
	}
	return t, t.Resume(c)
}

func loopConfigFromMeta(m map[string]string, cfg Config) (Config, error) {
	var err error
	set := func(dst *int, key string, lo, hi int) {
		if err == nil {
			*dst, err = meta.Int(m, "train", key, lo, hi)
		}
	}
	setFloat := func(dst *float64, key string) {
		if err == nil {
			*dst, err = meta.Float(m, "train", key)
		}
	}
	if cfg.Epochs == 0 {
		set(&cfg.Epochs, MetaEpochs, 1, MaxEpochs)
	}
	if err == nil {
		cfg.Seed, err = meta.Uint64(m, "train", MetaSeed)
	}
	set(&cfg.BatchSize, MetaBatchSize, 1, MaxBatchSize)
	set(&cfg.Patience, MetaPatience, 0, MaxEpochs)
	setFloat(&cfg.L1, MetaL1)
	setFloat(&cfg.L2, MetaL2)
	if err != nil {
		return cfg, fmt.Errorf("%w: the checkpoint cannot resume training", err)
	}
	return cfg, nil
}

// checkedSpec reads the architecture from c's metadata and checks that c
// holds every parameter it implies, with the right shape, before anything
// is built: a small file cannot make the reader allocate a huge network.
func checkedSpec(c *ckpt.Checkpoint, opts ...ckpt.RestoreOption) (layers.Spec, error) {
	spec, err := layers.SpecFromMeta(c.Metadata)
	if err != nil {
		return spec, err
	}
	shapes, err := spec.TensorShapes()
	if err != nil {
		return spec, err
	}
	if _, err := paramsOnly(c).Check(toCkpt(shapes, ""), opts...); err != nil {
		return spec, err
	}
	return spec, nil
}

// LoadNetwork rebuilds the network a checkpoint describes (its
// architecture metadata, see layers.Spec.Meta) and restores its
// parameters and fixed tensors (a Normalizer's mean and scale), checking
// the checkpoint's tensors before the network is allocated. Tensors beside
// them that training writes (optimizer state, best weights) are ignored; a
// missing or misshapen parameter is an error. Options are passed to the
// restore: ckpt.AllowUnexpected() accepts other tensors a program stored
// beside the model.
func LoadNetwork(c *ckpt.Checkpoint, opts ...ckpt.RestoreOption) (*layers.Network, error) {
	spec, err := checkedSpec(c, opts...)
	if err != nil {
		return nil, err
	}
	net, err := spec.Build(0)
	if err != nil {
		return nil, err
	}
	if _, err := paramsOnly(c).Restore(toCkpt(net.Tensors(), ""), opts...); err != nil {
		return nil, err
	}
	return net, nil
}

// InitReport says what InitFrom did, by parameter name.
type InitReport struct {
	Restored []string // copied from the checkpoint
	New      []string // kept their fresh initial values: not in the checkpoint, or (with their shapes) of another shape there
	Unused   []string // in the checkpoint but not in the network
	Reshaped []string // "name: checkpoint [a b], network [c d]" for each shape mismatch, also listed in New
}

// InitFrom initialises net for finetuning from a checkpoint's parameters,
// matching them by name. Optimizer state and best-weight copies in the
// checkpoint are ignored. Strict requires every parameter to match in name
// and shape both ways; otherwise those that match are copied and the rest
// of the network keeps its initial values, as reported. On error net is
// unchanged.
func InitFrom(net *layers.Network, c *ckpt.Checkpoint, strict bool) (InitReport, error) {
	c = paramsOnly(c)
	into := toCkpt(net.Tensors(), "")
	var rep InitReport
	var opts []ckpt.RestoreOption
	if !strict {
		opts = append(opts, ckpt.AllowMissing(), ckpt.AllowUnexpected())
		var skip []string
		for _, t := range into {
			if have := c.Tensor(t.Name); have != nil && !slices.Equal(have.Shape, t.Shape) {
				skip = append(skip, escapeGlob(t.Name))
				rep.New = append(rep.New, t.Name)
				rep.Reshaped = append(rep.Reshaped, fmt.Sprintf("%s: checkpoint %v, network %v", t.Name, have.Shape, t.Shape))
			}
		}
		if len(skip) > 0 {
			opts = append(opts, ckpt.Skip(skip...))
		}
	}
	r, err := c.Restore(into, opts...)
	if err != nil {
		return InitReport{}, err
	}
	rep.Restored = r.Restored
	rep.New = append(rep.New, r.Missing...)
	slices.Sort(rep.New)
	rep.Unused = r.Unexpected
	return rep, nil
}

// paramsOnly returns c without the tensors that are not parameters: those
// under "best/" and those whose name extends another tensor's name with a
// "/" (optimizer state such as "dense_0/weights/momentum").
func paramsOnly(c *ckpt.Checkpoint) *ckpt.Checkpoint {
	names := map[string]bool{}
	for _, t := range c.Tensors {
		names[t.Name] = true
	}
	aux := func(name string) bool {
		if strings.HasPrefix(name, bestPrefix) {
			return true
		}
		for i := strings.LastIndexByte(name, '/'); i > 0; i = strings.LastIndexByte(name[:i], '/') {
			if names[name[:i]] {
				return true
			}
		}
		return false
	}
	out := *c
	out.Tensors = slices.DeleteFunc(slices.Clone(c.Tensors), func(t ckpt.Tensor) bool { return aux(t.Name) })
	return &out
}

func toCkpt(ts []layers.Tensor, prefix string) []ckpt.Tensor {
	out := make([]ckpt.Tensor, len(ts))
	for i, t := range ts {
		out[i] = ckpt.Tensor{Name: prefix + t.Name, Shape: t.Shape, DType: ckpt.Float32, Data: t.Data}
	}
	return out
}

// escapeGlob quotes the path.Match metacharacters of a literal name.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
