package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/internal/plot"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// trainFlags are the settings of `mlp train`; the defaults are a good
// recipe for MNIST.
type trainFlags struct {
	data, hidden, init, optimizer, schedule string
	keep, inputKeep, l1, l2, weightDecay    float64
	lr, momentum                            float64
	batch, epochs, patience, val, threads   int
	seed                                    uint64
	from, out, plot                         string
	strict, quiet                           bool
	resume                                  string
	set                                     map[string]bool // the flags given
}

func (f *trainFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "", "directory holding the MNIST files (default: $MNIST_DIR, the user cache, or download)")
	fs.StringVar(&f.hidden, "hidden", "256", "hidden layer sizes, comma-separated, e.g. 512,512 (empty: none)")
	fs.Float64Var(&f.keep, "keep", 1, "dropout keep probability after each hidden layer (1: no dropout)")
	fs.Float64Var(&f.inputKeep, "keep-input", 1, "dropout keep probability on the input pixels (1: none; the dropout paper used 0.8)")
	fs.StringVar(&f.init, "weights", "he", "weight initialiser: he, glorot, normal:STDDEV or truncated_normal:STDDEV")
	fs.Float64Var(&f.l1, "l1", 0, "L1 penalty λ·Σ|w| on the weights")
	fs.Float64Var(&f.l2, "l2", 0, "L2 penalty λ·½Σw² on the weights")
	fs.Float64Var(&f.weightDecay, "weight-decay", 5e-4, "decoupled weight decay on the weights: w -= lr·λ·w each step")
	fs.StringVar(&f.optimizer, "optimizer", "momentum", "sgd, momentum, nesterov or adam")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate (default 0.2, or 0.001 for adam)")
	fs.Float64Var(&f.momentum, "momentum", 0.9, "momentum for momentum and nesterov")
	fs.StringVar(&f.schedule, "schedule", "cosine", "learning-rate schedule, in epochs: constant, cosine[:FLOOR], step:EPOCHS:FACTOR or exp:EPOCHS:FACTOR")
	fs.IntVar(&f.batch, "batch", 128, "mini-batch size")
	fs.IntVar(&f.epochs, "epochs", 20, "epochs to train (with -resume: the new total, default the saved one)")
	fs.IntVar(&f.patience, "patience", 5, "stop after this many epochs without a better validation accuracy (0: never)")
	fs.IntVar(&f.val, "val", mnist.DefaultValSize, "training examples held out for validation (the last ones); 0: none")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the initial weights, batch order and dropout")
	fs.IntVar(&f.threads, "threads", 0, "threads for the matrix products (default: all cores)")
	fs.StringVar(&f.out, "out", "mnist.gmlp", "where to save the best network (and the optimizer state, for -resume)")
	fs.StringVar(&f.from, "init", "", "finetune: start from this checkpoint's parameters, matched by name")
	fs.BoolVar(&f.strict, "strict", false, "with -init: refuse any parameter that is missing, extra or of another shape")
	fs.StringVar(&f.resume, "resume", "", "continue the run saved in this checkpoint (its architecture, optimizer and progress)")
	fs.StringVar(&f.plot, "plot", "", "write learning curves (loss and accuracies per epoch) to this SVG file")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the final test accuracy")
}

// check validates the flags before any work is done.
func (f *trainFlags) check(fs *flag.FlagSet) error {
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	set := f.set
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("train: unexpected argument %q (flags start with -; see mlp train -h)", fs.Arg(0))
	case f.epochs < 1:
		return fmt.Errorf("train: -epochs %d: need at least 1", f.epochs)
	case f.batch < 1:
		return fmt.Errorf("train: -batch %d: need at least 1", f.batch)
	case f.val < 0 || f.val >= mnist.TrainSize:
		return fmt.Errorf("train: -val %d: must be in 0..%d", f.val, mnist.TrainSize-1)
	case f.patience < 0:
		return fmt.Errorf("train: -patience %d must not be negative", f.patience)
	case f.patience > 0 && f.val == 0 && set["patience"]:
		return fmt.Errorf("train: -patience needs a validation set (-val > 0)")
	case f.strict && f.from == "":
		return fmt.Errorf("train: -strict applies to -init, which is not set")
	case f.resume != "" && f.from != "":
		return fmt.Errorf("train: -resume and -init exclude each other")
	case f.threads < 0:
		return fmt.Errorf("train: -threads %d must not be negative", f.threads)
	case f.out == "":
		return fmt.Errorf("train: -out must name a file")
	}
	if f.resume != "" {
		for _, name := range []string{"hidden", "keep", "keep-input", "weights", "l1", "l2", "weight-decay", "optimizer", "lr", "momentum", "schedule", "batch", "seed", "patience"} {
			if set[name] {
				return fmt.Errorf("train: -%s cannot change a resumed run (it comes from the checkpoint)", name)
			}
		}
	}
	if f.val == 0 && !set["patience"] {
		f.patience = 0
	}
	return nil
}

// spec builds the architecture from the flags.
func (f *trainFlags) spec() (layers.Spec, error) {
	hidden, err := layers.ParseSizes(f.hidden)
	if err != nil {
		return layers.Spec{}, fmt.Errorf("train: -hidden: %v", err)
	}
	init, err := layers.ParseInit(f.init)
	if err != nil {
		return layers.Spec{}, fmt.Errorf("train: -weights: %v", err)
	}
	s := layers.Spec{Inputs: mnist.Pixels, Hidden: hidden, Outputs: mnist.NumClasses, Keep: f.keep, InputKeep: f.inputKeep, Init: init}
	if err := s.Validate(); err != nil {
		return layers.Spec{}, fmt.Errorf("train: %v", err)
	}
	return s, nil
}

// optimizerConfig builds the optimizer's configuration; the schedule is given in
// epochs and converted to steps.
func (f *trainFlags) optimizerConfig(stepsPerEpoch int) (sgd.Config, error) {
	c := sgd.DefaultConfig(sgd.Method(f.optimizer), f.lr)
	c.Momentum, c.WeightDecay = f.momentum, f.weightDecay
	if c.LR == 0 {
		c.LR = 0.2
		if c.Method == sgd.Adam {
			c.LR = 0.001
		}
	}
	sched, err := scheduleInSteps(f.schedule, f.epochs, stepsPerEpoch)
	if err != nil {
		return sgd.Config{}, fmt.Errorf("train: -schedule: %v", err)
	}
	c.Schedule = sched
	return c, nil
}

// scheduleInSteps reads a schedule whose periods are in epochs.
func scheduleInSteps(s string, epochs, stepsPerEpoch int) (sgd.Schedule, error) {
	f := strings.Split(s, ":")
	bad := fmt.Errorf("%q: want constant, cosine[:FLOOR], step:EPOCHS:FACTOR or exp:EPOCHS:FACTOR", s)
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
			return nil, fmt.Errorf("%q: the period must be a positive number of epochs", s)
		}
		f[1] = strconv.Itoa(max(1, int(math.Round(e*float64(stepsPerEpoch)))))
	default:
		return nil, bad
	}
	return sgd.ParseSchedule(strings.Join(f, ":"))
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	var f trainFlags
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	f.register(fs)
	if err := parseFlags(fs, args, stdout, "mlp train [flags]\n\nTrains a network on MNIST, saves the one with the best validation accuracy to -out,\nand prints its test accuracy as the last line."); err != nil {
		return helpOK(err)
	}
	if err := f.check(fs); err != nil {
		return err
	}
	mat.SetThreads(f.threads)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var resumeFrom *ckpt.Checkpoint
	if f.resume != "" { // read it before the data: a bad file fails fast
		var err error
		if resumeFrom, err = ckpt.Load(f.resume); err != nil {
			return fmt.Errorf("train: -resume: %v", trimPkg(err))
		}
	}
	fullTrain, test, err := loadMNIST(ctx, f.data, stdout, f.quiet)
	if err != nil {
		return err
	}
	trainSet, val := fullTrain, train.Dataset{}
	if f.val > 0 {
		a, b, err := mnist.Dataset(fullTrain).Split(f.val)
		if err != nil {
			return err
		}
		trainSet, val = train.Dataset(a), train.Dataset(b)
	}

	p := newProgress(stdout, f.epochs, f.quiet)
	var history []train.EpochStats
	var tr *train.Trainer
	savedEpoch := 0
	loopCfg := train.Config{
		Epochs: f.epochs, BatchSize: f.batch, Seed: f.seed, Patience: f.patience, L1: f.l1, L2: f.l2,
		OnBatch: p.batch,
		OnEpoch: func(s train.EpochStats) error {
			history = append(history, s)
			note := ""
			if s.Improved {
				c, err := tr.Checkpoint(map[string]string{"data": "mnist"})
				if err == nil {
					err = ckpt.Save(f.out, c)
				}
				if err != nil {
					return fmt.Errorf("saving the best network: %v", trimPkg(err))
				}
				savedEpoch = s.Epoch
				note = "  saved"
			}
			p.epoch(s, note)
			return nil
		},
	}

	var net *layers.Network
	if resumeFrom != nil {
		if !f.set["epochs"] {
			loopCfg.Epochs = 0 // the checkpoint's
		}
		if tr, err = train.ResumeFrom(resumeFrom, loopCfg); err != nil {
			return fmt.Errorf("train: -resume %s: %v", f.resume, trimPkg(err))
		}
		net = tr.Network()
		st := tr.State()
		p.printf("resuming %s after epoch %d (best so far: epoch %d, %.2f%% validation)", f.resume, st.Epoch, st.BestEpoch, 100*st.BestAccuracy)
	} else {
		spec, err := f.spec()
		if err != nil {
			return err
		}
		stepsPerEpoch := (trainSet.Len() + f.batch - 1) / f.batch
		optCfg, err := f.optimizerConfig(stepsPerEpoch)
		if err != nil {
			return err
		}
		if net, err = spec.Build(f.seed); err != nil {
			return fmt.Errorf("train: %v", err)
		}
		if f.from != "" {
			if err := initFrom(net, f.from, f.strict, p); err != nil {
				return err
			}
		}
		opt, err := sgd.New(net.Params(), optCfg)
		if err != nil {
			return fmt.Errorf("train: %v", trimPkg(err))
		}
		if tr, err = train.New(net, opt, loopCfg); err != nil {
			return fmt.Errorf("train: %v", trimPkg(err))
		}
	}
	p.epochs = tr.Config().Epochs
	spec, _ := net.Spec()
	p.printf("training %s (%d parameters) on %d examples, validating on %d; batch %d, kernels %s, %d threads",
		spec, countParams(net), trainSet.Len(), val.Len(), tr.Config().BatchSize, mat.Impl(), mat.Threads())

	start := time.Now()
	res, fitErr := tr.Fit(ctx, trainSet, val)
	took := time.Since(start).Round(100 * time.Millisecond)
	interrupted := ctx.Err() != nil && errors.Is(fitErr, ctx.Err())
	switch {
	case interrupted:
		p.printf("interrupted at a batch boundary")
	case fitErr != nil:
		return fmt.Errorf("train: %v", trimPkg(fitErr))
	case res.EarlyStopped:
		p.printf("early stop: no better validation accuracy for %d epochs", f.patience)
	}
	if f.plot != "" {
		if err := writePlot(f.plot, history); err != nil {
			return fmt.Errorf("train: -plot: %v", err)
		}
	}
	switch {
	case savedEpoch == 0 && resumeFrom != nil:
		p.printf("no epoch beat the checkpoint's best (epoch %d): %s not written", res.BestEpoch, f.out)
	case savedEpoch == 0 && interrupted:
		return fmt.Errorf("interrupted before the first epoch ended: nothing saved")
	case savedEpoch == 0:
		return fmt.Errorf("train: no epoch was run: nothing saved")
	case val.Len() > 0:
		p.printf("best: epoch %d, %.2f%% validation accuracy, saved to %s (training took %v)", res.BestEpoch, 100*res.BestAccuracy, f.out, took)
	default:
		p.printf("saved the last epoch's network to %s (training took %v)", f.out, took)
	}
	_, acc, err := train.Evaluate(net, test)
	if err != nil {
		return fmt.Errorf("train: evaluating on the test set: %v", err)
	}
	fmt.Fprintf(stdout, "test accuracy: %.2f%%\n", 100*acc)
	if interrupted {
		return errInterrupted
	}
	return nil
}

// initFrom finetunes: it restores the parameters of a saved network that
// match net by name (and shape), and says what it restored and what is new.
func initFrom(net *layers.Network, path string, strict bool, p *progress) error {
	c, err := ckpt.Load(path)
	if err != nil {
		return fmt.Errorf("train: -init: %v", trimPkg(err))
	}
	rep, err := train.InitFrom(net, c, strict)
	var mismatch *ckpt.RestoreError
	if errors.As(err, &mismatch) {
		return fmt.Errorf("train: -init %s does not fit this network: %s (without -strict, the parameters that match are restored and the rest reported)",
			path, strings.Join(mismatch.Problems, "; "))
	}
	if err != nil {
		return fmt.Errorf("train: -init: %v", trimPkg(err))
	}
	p.printf("initialised from %s: restored %s", path, listOrNone(rep.Restored))
	for _, r := range rep.Reshaped {
		p.printf("  shape differs, left new: %s", r)
	}
	p.printf("  new (initialised fresh): %s", listOrNone(rep.New))
	if len(rep.Unused) > 0 {
		p.printf("  in the checkpoint but not in this network: %s", listOrNone(rep.Unused))
	}
	return nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func countParams(net *layers.Network) int {
	n := 0
	for _, t := range net.Tensors() {
		n += len(t.Data)
	}
	return n
}

// trimPkg drops the "pkg: " prefix that library errors carry; the command
// says where it was instead.
func trimPkg(err error) string {
	msg := err.Error()
	for _, p := range []string{"ckpt: ", "train: ", "sgd: ", "layers: ", "mnist: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// writePlot draws the learning curves of the epochs run.
func writePlot(path string, history []train.EpochStats) error {
	series := func(get func(train.EpochStats) float64) []float64 {
		ys := make([]float64, len(history))
		for i, s := range history {
			ys[i] = get(s)
		}
		return ys
	}
	lossPanel := plot.Panel{Title: "Loss", YLabel: "cross-entropy", Series: []plot.Series{
		{Name: "training", Y: series(func(s train.EpochStats) float64 { return s.Loss })},
	}}
	accPanel := plot.Panel{Title: "Accuracy", YLabel: "% correct", Series: []plot.Series{
		{Name: "training", Y: series(func(s train.EpochStats) float64 { return 100 * s.TrainAccuracy })},
	}}
	if len(history) > 0 && history[0].Validated {
		lossPanel.Series = append(lossPanel.Series, plot.Series{Name: "validation", Y: series(func(s train.EpochStats) float64 { return s.ValLoss })})
		accPanel.Series = append(accPanel.Series, plot.Series{Name: "validation", Y: series(func(s train.EpochStats) float64 { return 100 * s.ValAccuracy })})
	}
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := plot.SVG(file, "epoch", lossPanel, accPanel); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}
