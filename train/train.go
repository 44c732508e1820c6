// Package train runs the training loop: epochs of shuffled mini-batches,
// L1/L2 penalties, validation, early stopping that restores the best
// weights, progress callbacks, cancellation, and divergence detection.
//
// The package prints nothing; a program sees progress through the OnBatch
// and OnEpoch callbacks.
//
// Training is deterministic: the batch order and the dropout masks of
// epoch e come from Config.Seed and e alone, so the same seed on the same
// kernels gives bit-identical weights, and a run resumed at an epoch
// boundary (see State, Tensors and BestParams) continues exactly as if it
// had not stopped.
package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlp/gomlp/internal/meta"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/loss"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
)

// Limits on a Config, checked by New and ResumeFrom before anything is
// allocated (a checkpoint's settings are outside input).
const (
	MaxBatchSize = 1 << 20 // examples per step
	MaxEpochs    = 1 << 20 // epochs, and Patience
)

// Config sets up a Trainer.
type Config struct {
	Epochs    int    // epochs to train in total (counting any already done); required, at most MaxEpochs
	BatchSize int    // examples per step, at most MaxBatchSize; 0 means 128
	Seed      uint64 // seeds the batch order and the dropout masks

	// Patience stops training after this many epochs without a better
	// validation accuracy (for a regression network: a lower validation
	// loss; 0: never stop early). Needs a validation set.
	Patience int

	// L1 and L2 add λ·Σ|w| and λ·½Σw² over the parameters marked
	// Regularize (the weights) to the loss (see package loss).
	L1, L2 float64

	// OnBatch, if set, is called after every step (keep it cheap: it runs
	// in the hot loop).
	OnBatch func(BatchStats)

	// OnEpoch, if set, is called after every epoch; at that moment the
	// network holds that epoch's weights, so it is the place to save a
	// checkpoint (stats.Improved says whether they are the best so far).
	// A non-nil error stops training; Fit returns it, wrapped.
	OnEpoch func(EpochStats) error
}

// BatchStats describes one step, for progress reporting.
type BatchStats struct {
	Epoch   int // 1-based
	Batch   int // batches done in this epoch, 1..Batches
	Batches int // batches per epoch
	Step    int // optimizer steps done in total

	Samples      int // examples done in this epoch
	EpochSamples int // examples per epoch

	Loss     float64       // mean loss of this batch
	MeanLoss float64       // mean loss over the epoch so far
	Elapsed  time.Duration // since the epoch started
}

// EpochStats describes one finished epoch.
type EpochStats struct {
	Epoch int // 1-based

	Loss          float64 // mean data loss over the epoch's batches (training mode)
	Penalty       float64 // the L1/L2 penalty at the end of the epoch
	TrainAccuracy float64 // fraction of the epoch's examples classified correctly while training (0 for regression)

	Validated   bool    // whether there is a validation set
	ValLoss     float64 // validation loss (dropout off)
	ValAccuracy float64 // validation accuracy (dropout off; 0 for regression)
	ValR2       float64 // validation R² of a regression network (see loss.RegressionScore)

	LR            float64       // learning rate of the epoch's last step
	SamplesPerSec float64       // training throughput (validation excluded)
	Duration      time.Duration // the whole epoch, validation included

	Improved  bool // this epoch is the new best (always true without validation)
	BestEpoch int
}

// State is the progress of training, beside the tensors, that a
// checkpoint needs to resume.
type State struct {
	Epoch        int     // epochs completed
	Step         int     // optimizer steps taken
	BestEpoch    int     // epoch with the best validation accuracy (0: none yet)
	BestAccuracy float64 // its validation accuracy
	BestLoss     float64 // its validation loss
}

// Result summarises a Fit call.
type Result struct {
	Epochs       []EpochStats // the epochs this call ran
	BestEpoch    int          // the epoch whose weights the network holds (see Fit)
	BestAccuracy float64      // its validation accuracy
	EarlyStopped bool         // Patience ran out
}

// ErrDiverged is wrapped by the error Fit returns when the loss becomes
// NaN or infinite.
var ErrDiverged = errors.New("training diverged")

// Trainer trains one network with one optimizer. It is not safe for
// concurrent use, and nothing else may use the network while Fit runs.
type Trainer struct {
	net    *layers.Network
	opt    *sgd.Optimizer
	cfg    Config
	params []*layers.Param
	state  State

	live, best []layers.Tensor // the network's parameters, and the best copy
	classes    int             // outputs: classes, or target columns for regression
	regression bool            // the network ends in a RegressionHead

	// Reused per step: the batch, its labels and the permutation.
	xb      []float32
	batch   mat.Matrix
	labels  []int
	tb      []float32 // regression targets of the batch
	targets mat.Matrix
	perm    []int
	rng     *rand.Rand
	pcg     *rand.PCG
	eval    evaluator
}

// New returns a Trainer for net (which must end in a LossLayer such as
// SoftmaxCE, or a RegressionHead such as MSE) updated by opt (which must
// have been made for net.Params()).
func New(net *layers.Network, opt *sgd.Optimizer, cfg Config) (*Trainer, error) {
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 128
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	switch {
	case net.Outputs() < 1 || net.Inputs() < 1:
		return nil, fmt.Errorf("train: the network's input and output sizes must be known (have %d and %d)", net.Inputs(), net.Outputs())
	}
	if _, ok := net.Layers()[len(net.Layers())-1].(layers.LossLayer); !ok && !net.IsRegression() {
		return nil, fmt.Errorf("train: the network's last layer is not a loss head (such as layers.SoftmaxCE or layers.MSE)")
	}
	if !slices.Equal(opt.Params(), net.Params()) {
		return nil, fmt.Errorf("train: the optimizer was not made for this network's parameters (use sgd.New(net.Params(), …))")
	}
	pcg := rand.NewPCG(cfg.Seed, 0)
	t := &Trainer{
		net:        net,
		opt:        opt,
		cfg:        cfg,
		params:     net.Params(),
		live:       net.Tensors(),
		classes:    net.Outputs(),
		regression: net.IsRegression(),
		labels:     make([]int, cfg.BatchSize),
		pcg:        pcg,
		rng:        rand.New(pcg),
	}
	t.best = make([]layers.Tensor, len(t.live))
	for i, l := range t.live {
		t.best[i] = layers.Tensor{Name: l.Name, Shape: l.Shape, Data: append([]float32(nil), l.Data...)}
	}
	t.state.Step = opt.Steps()
	return t, nil
}

// validate checks the numbers of c against their ranges and limits.
func (c Config) validate() error {
	switch {
	case c.Epochs <= 0 || c.Epochs > MaxEpochs:
		return fmt.Errorf("train: %d epochs; need 1 to %d", c.Epochs, MaxEpochs)
	case c.BatchSize <= 0 || c.BatchSize > MaxBatchSize:
		return fmt.Errorf("train: batch size %d; need 1 to %d", c.BatchSize, MaxBatchSize)
	case c.Patience < 0 || c.Patience > MaxEpochs:
		return fmt.Errorf("train: patience %d; need 0 to %d", c.Patience, MaxEpochs)
	case !(c.L1 >= 0) || !(c.L2 >= 0) || math.IsInf(c.L1, 0) || math.IsInf(c.L2, 0):
		return fmt.Errorf("train: penalties L1=%v, L2=%v must be non-negative numbers", c.L1, c.L2)
	}
	return nil
}

// State returns the training progress.
func (t *Trainer) State() State { return t.state }

// Network returns the network being trained.
func (t *Trainer) Network() *layers.Network { return t.net }

// Config returns the trainer's configuration, defaults filled in.
func (t *Trainer) Config() Config { return t.cfg }

// SetState sets the training progress when resuming from a checkpoint,
// including the optimizer's step count. Restore the network's parameters
// and the optimizer state (Tensors) first: SetState takes the network's
// current weights as the best ones; if state.BestEpoch is not the last
// completed epoch, copy the best weights into BestParams afterwards.
func (t *Trainer) SetState(s State) error {
	if s.Epoch < 0 || s.Step < 0 || s.BestEpoch < 0 || s.BestEpoch > s.Epoch {
		return fmt.Errorf("train: invalid state %+v", s)
	}
	t.state = s
	t.opt.SetSteps(s.Step)
	t.saveBest()
	return nil
}

// Tensors returns the network's parameters followed by the optimizer's
// state, all aliasing live memory: what a checkpoint saves to resume
// training (copy into Data to restore).
func (t *Trainer) Tensors() []layers.Tensor {
	return append(t.net.Tensors(), t.opt.State()...)
}

// BestParams returns the copy of the best weights so far, under the
// parameters' names, aliasing the trainer's memory.
func (t *Trainer) BestParams() []layers.Tensor { return t.best }

// Meta keys written by State.Meta.
const (
	MetaEpoch        = "train.epoch"
	MetaStep         = "train.step"
	MetaBestEpoch    = "train.best_epoch"
	MetaBestAccuracy = "train.best_val_accuracy"
	MetaBestLoss     = "train.best_val_loss"
)

// Meta describes s as string pairs for a checkpoint's metadata.
func (s State) Meta() map[string]string {
	f := func(v float64) string { return fmt.Sprint(v) }
	return map[string]string{
		MetaEpoch:        fmt.Sprint(s.Epoch),
		MetaStep:         fmt.Sprint(s.Step),
		MetaBestEpoch:    fmt.Sprint(s.BestEpoch),
		MetaBestAccuracy: f(s.BestAccuracy),
		MetaBestLoss:     f(s.BestLoss),
	}
}

// StateFromMeta reads the keys State.Meta writes.
func StateFromMeta(m map[string]string) (State, error) {
	var s State
	var err error
	for _, f := range []struct {
		key string
		dst *int
		hi  int
	}{{MetaEpoch, &s.Epoch, MaxEpochs}, {MetaStep, &s.Step, math.MaxInt}, {MetaBestEpoch, &s.BestEpoch, MaxEpochs}} {
		if *f.dst, err = meta.Int(m, "train", f.key, 0, f.hi); err != nil {
			return State{}, err
		}
	}
	for _, f := range []struct {
		key string
		dst *float64
	}{{MetaBestAccuracy, &s.BestAccuracy}, {MetaBestLoss, &s.BestLoss}} {
		if *f.dst, err = meta.Float(m, "train", f.key); err != nil {
			return State{}, err
		}
	}
	if s.BestEpoch > s.Epoch {
		return State{}, fmt.Errorf("train: metadata: best epoch %d after the last epoch %d", s.BestEpoch, s.Epoch)
	}
	return s, nil
}

// TrainBatch runs one training step on x and its labels: forward, loss,
// backward, penalties and the optimizer's update. It returns the batch's
// mean data loss and how many rows it classified correctly (before the
// update). Labels must be classes of the network (Fit checks its data;
// TrainBatch does not). It allocates nothing once a batch of this size has
// been seen.
func (t *Trainer) TrainBatch(x *mat.Matrix, labels []int) (mean float64, correct int) {
	mean, correct = t.net.ForwardBackward(x, labels)
	t.update()
	return mean, correct
}

// TrainBatchTargets is TrainBatch for a regression network: one step on x
// against float targets (x.Rows × outputs). It returns the batch's mean
// data loss before the update.
func (t *Trainer) TrainBatchTargets(x, targets *mat.Matrix) (mean float64) {
	mean = t.net.ForwardBackwardTargets(x, targets)
	t.update()
	return mean
}

// update adds the penalties' gradients and takes the optimizer's step.
func (t *Trainer) update() {
	if t.cfg.L1 > 0 || t.cfg.L2 > 0 {
		l1, l2 := float32(t.cfg.L1), float32(t.cfg.L2)
		for _, p := range t.params {
			if !p.Regularize {
				continue
			}
			if l1 > 0 {
				loss.AddL1Grad(l1, p.Value.Data, p.Grad.Data)
			}
			if l2 > 0 {
				loss.AddL2Grad(l2, p.Value.Data, p.Grad.Data)
			}
		}
	}
	t.opt.Step()
	t.state.Step = t.opt.Steps()
}

// penalty returns the current value of the L1/L2 penalty.
func (t *Trainer) penalty() float64 {
	var s float64
	for _, p := range t.params {
		if !p.Regularize {
			continue
		}
		if t.cfg.L1 > 0 {
			s += t.cfg.L1 * loss.L1(p.Value.Data)
		}
		if t.cfg.L2 > 0 {
			s += t.cfg.L2 * loss.L2(p.Value.Data)
		}
	}
	return s
}

// Fit trains on train for the epochs left (Config.Epochs minus those done),
// validating on val after each epoch if val is not empty.
//
// With a validation set, the network ends with the weights of the epoch of
// best validation accuracy (ties go to the lower validation loss), whether
// training ran to the end, stopped early, was cancelled or diverged.
// Without one, it keeps the latest weights. After divergence it never keeps
// the broken weights: it falls back to the best (or, without validation,
// the last) finished epoch, or to the starting weights if none finished.
//
// Cancelling ctx stops at the next batch boundary; Fit then returns the
// epochs finished so far and an error wrapping ctx.Err(). A NaN or
// infinite loss stops with an error wrapping ErrDiverged that names the
// epoch and step. Bad data (shapes, labels out of range) is an error.
func (t *Trainer) Fit(ctx context.Context, trainSet, val Dataset) (Result, error) {
	var res Result
	if err := checkData(trainSet, "training", t.net.Inputs(), t.classes, t.regression); err != nil {
		return res, err
	}
	if err := checkData(val, "validation", t.net.Inputs(), t.classes, t.regression); err != nil {
		return res, err
	}
	n := trainSet.Len()
	if n == 0 {
		return res, errors.New("train: the training set is empty")
	}
	validate := val.Len() > 0
	if t.state.BestEpoch == 0 {
		t.saveBest() // the starting point is the best so far
	}
	bs := min(t.cfg.BatchSize, n)
	batches := (n + bs - 1) / bs
	features := trainSet.X.Cols
	if len(t.xb) < bs*features {
		t.xb = make([]float32, bs*features)
	}
	if t.regression && len(t.tb) < bs*t.classes {
		t.tb = make([]float32, bs*t.classes)
	}
	if len(t.perm) != n {
		t.perm = make([]int, n)
	}
	finish := func(err error) (Result, error) {
		if validate && t.state.BestEpoch > 0 || errors.Is(err, ErrDiverged) {
			t.restoreBest()
		}
		res.BestEpoch, res.BestAccuracy = t.state.BestEpoch, t.state.BestAccuracy
		return res, err
	}

	for epoch := t.state.Epoch + 1; epoch <= t.cfg.Epochs; epoch++ {
		start := time.Now()
		t.shuffle(epoch)
		t.net.SeedDropout(layers.Mix(t.cfg.Seed, uint64(epoch)))
		var lossSum float64
		var correct int
		var lr float64
		for b := 0; b < batches; b++ {
			if err := ctx.Err(); err != nil {
				return finish(fmt.Errorf("train: stopped in epoch %d after %d of %d batches: %w", epoch, b, batches, err))
			}
			idx := t.perm[b*bs : min(n, (b+1)*bs)]
			lr = t.opt.LR()
			mean, c := t.step(trainSet, idx)
			if math.IsNaN(mean) || math.IsInf(mean, 0) {
				return finish(fmt.Errorf("train: %w: the loss is %v at epoch %d, batch %d of %d (step %d); try a lower learning rate (it was %g) or normalise the inputs (layers.Spec.Normalize and Network.FitNormalizer)",
					ErrDiverged, mean, epoch, b+1, batches, t.state.Step, lr))
			}
			lossSum += mean * float64(len(idx))
			correct += c
			if t.cfg.OnBatch != nil {
				done := min(n, (b+1)*bs)
				t.cfg.OnBatch(BatchStats{
					Epoch: epoch, Batch: b + 1, Batches: batches, Step: t.state.Step,
					Samples: done, EpochSamples: n,
					Loss: mean, MeanLoss: lossSum / float64(done),
					Elapsed: time.Since(start),
				})
			}
		}
		trainTime := time.Since(start)
		st := EpochStats{
			Epoch:         epoch,
			Loss:          lossSum / float64(n),
			Penalty:       t.penalty(),
			TrainAccuracy: float64(correct) / float64(n),
			LR:            lr,
			SamplesPerSec: float64(n) / trainTime.Seconds(),
			Validated:     validate,
		}
		t.state.Epoch = epoch
		if validate && t.regression {
			st.ValLoss, st.ValR2 = t.eval.runTargets(t.net, val)
			st.Improved = t.state.BestEpoch == 0 || st.ValLoss < t.state.BestLoss
		} else if validate {
			st.ValLoss, st.ValAccuracy = t.eval.run(t.net, val)
			st.Improved = t.state.BestEpoch == 0 || st.ValAccuracy > t.state.BestAccuracy ||
				st.ValAccuracy == t.state.BestAccuracy && st.ValLoss < t.state.BestLoss
		} else {
			st.Improved = true
		}
		if st.Improved {
			t.state.BestEpoch, t.state.BestAccuracy, t.state.BestLoss = epoch, st.ValAccuracy, st.ValLoss
			t.saveBest()
		}
		st.BestEpoch = t.state.BestEpoch
		st.Duration = time.Since(start)
		res.Epochs = append(res.Epochs, st)
		if t.cfg.OnEpoch != nil {
			if err := t.cfg.OnEpoch(st); err != nil {
				return finish(fmt.Errorf("train: stopped after epoch %d: %w", epoch, err))
			}
		}
		if validate && t.cfg.Patience > 0 && epoch-t.state.BestEpoch >= t.cfg.Patience {
			res.EarlyStopped = true
			break
		}
	}
	return finish(nil)
}

// shuffle sets t.perm to the batch order of the given epoch, which depends
// only on the seed and the epoch.
func (t *Trainer) shuffle(epoch int) {
	for i := range t.perm {
		t.perm[i] = i
	}
	t.pcg.Seed(t.cfg.Seed, layers.Mix(t.cfg.Seed^0x5eed, uint64(epoch)))
	t.rng.Shuffle(len(t.perm), func(i, j int) { t.perm[i], t.perm[j] = t.perm[j], t.perm[i] })
}

// step gathers the examples idx of d into the batch buffer and trains on them.
func (t *Trainer) step(d Dataset, idx []int) (float64, int) {
	cols := d.X.Cols
	t.batch = mat.Matrix{Rows: len(idx), Cols: cols, Stride: cols, Data: t.xb[:len(idx)*cols]}
	mat.GatherRows(&t.batch, d.X, idx)
	if t.regression {
		k := d.Targets.Cols
		t.targets = mat.Matrix{Rows: len(idx), Cols: k, Stride: k, Data: t.tb[:len(idx)*k]}
		mat.GatherRows(&t.targets, d.Targets, idx)
		return t.TrainBatchTargets(&t.batch, &t.targets), 0
	}
	labels := t.labels[:len(idx)]
	for r, i := range idx {
		labels[r] = d.Y[i]
	}
	return t.TrainBatch(&t.batch, labels)
}

func (t *Trainer) saveBest() {
	for i, l := range t.live {
		copy(t.best[i].Data, l.Data)
	}
}

func (t *Trainer) restoreBest() {
	for i, l := range t.live {
		copy(l.Data, t.best[i].Data)
	}
}
