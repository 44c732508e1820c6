package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/internal/plot"
	"github.com/gomlp/gomlp/internal/regular"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// Limits on the flags of `mlp train`, checked before anything is loaded or
// allocated. The network limits keep a run within a few GB: parameters,
// gradients, optimizer state and the best weights are four copies.
const (
	maxEpochs      = 100_000
	maxHiddenUnits = 1 << 16 // units of one hidden layer
	maxHiddenDepth = 64      // hidden layers
	maxTrainParams = 1 << 26 // weights and biases in all (256 MB of float32 per copy)
	maxThreads     = 1024
)

// metaVal is the checkpoint metadata key under which mlp train keeps the
// size of its validation split (-val), so that -resume holds out the same
// examples.
const metaVal = "mlp.val"

// trainFlags are the settings of `mlp train`; the defaults are a good
// recipe for MNIST. Each field is named after its flag.
type trainFlags struct {
	data, hidden, weights, optimizer, schedule string
	keep, keepInput, l1, l2, weightDecay       float64
	lr, momentum                               float64
	batch, epochs, patience, val, threads      int
	seed                                       uint64
	init, out, plot                            string
	strict, quiet, force                       bool
	resume                                     string
	set                                        map[string]bool // the flags given
	csvFlags                                                   // -csv, -label, -task, … (csv.go)
}

// newTrainFlagSet returns the flag set of mlp train, writing into f.
func newTrainFlagSet(f *trainFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	f.register(fs)
	return fs
}

func (f *trainFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "", "directory holding the MNIST files (default: $MNIST_DIR, the user cache, or download)")
	fs.StringVar(&f.hidden, "hidden", "256", fmt.Sprintf("hidden layer sizes, comma-separated, e.g. 512,512 (empty: none; at most %d layers of %d units, %d parameters in all)", maxHiddenDepth, maxHiddenUnits, maxTrainParams))
	fs.Float64Var(&f.keep, "keep", 1, "dropout keep probability after each hidden layer, in (0, 1] (1: no dropout)")
	fs.Float64Var(&f.keepInput, "keep-input", 1, "dropout keep probability on the input pixels, in (0, 1] (1: none; the dropout paper used 0.8)")
	fs.StringVar(&f.weights, "weights", "he", "weight initialiser: he, glorot, normal:STDDEV or truncated_normal:STDDEV")
	fs.Float64Var(&f.l1, "l1", 0, "L1 penalty λ·Σ|w| on the weights")
	fs.Float64Var(&f.l2, "l2", 0, "L2 penalty λ·½Σw² on the weights")
	fs.Float64Var(&f.weightDecay, "weight-decay", 5e-4, "decoupled weight decay on the weights: w -= lr·λ·w each step")
	fs.StringVar(&f.optimizer, "optimizer", "momentum", "sgd, momentum, nesterov or adam")
	fs.Float64Var(&f.lr, "lr", 0, "learning rate, more than 0 (default 0.2, or 0.001 for adam)")
	fs.Float64Var(&f.momentum, "momentum", 0.9, "momentum for momentum and nesterov, in [0, 1) (0 is plain SGD)")
	fs.StringVar(&f.schedule, "schedule", "cosine", "learning-rate schedule, in epochs: constant, cosine[:FLOOR], step:EPOCHS:FACTOR or exp:EPOCHS:FACTOR")
	fs.IntVar(&f.batch, "batch", 128, fmt.Sprintf("mini-batch size, 1 to %d", mnist.TrainSize))
	fs.IntVar(&f.epochs, "epochs", 20, "epochs to train (with -resume: the new total, default the saved one; not past the end of a cosine schedule)")
	fs.IntVar(&f.patience, "patience", 5, "stop after this many epochs without a better validation accuracy (0: never)")
	fs.IntVar(&f.val, "val", mnist.DefaultValSize, "training examples held out for validation (the last ones); 0: none (with -resume: the saved run's)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the initial weights, batch order and dropout")
	fs.IntVar(&f.threads, "threads", 0, "threads for the matrix products (default: all cores)")
	fs.StringVar(&f.out, "out", "mnist.gmlp", "where to save the best network and the optimizer state (with -resume: the resumed file);\nan existing file is replaced only with -force, or when it is the -resume file")
	fs.BoolVar(&f.force, "force", false, "replace an existing -out file that this run did not start from")
	fs.StringVar(&f.init, "init", "", "finetune: start from this checkpoint's parameters, matched by name")
	fs.BoolVar(&f.strict, "strict", false, "with -init: refuse any parameter that is missing, extra or of another shape")
	fs.StringVar(&f.resume, "resume", "", "continue the run saved in this checkpoint: its architecture, optimizer, validation split and progress")
	fs.StringVar(&f.plot, "plot", "", "write learning curves (loss and accuracies per epoch) to this SVG file")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the final test accuracy")
	f.csvFlags.register(fs)
}

// finite reports whether v is a number other than NaN and ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// check validates the flag values before any file is opened; a value the
// user typed is never replaced by a default.
func (f *trainFlags) check(fs *flag.FlagSet) error {
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	set := f.set
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("train: unexpected argument %q (flags start with -; see mlp train -h)", fs.Arg(0))
	case f.epochs < 1 || f.epochs > maxEpochs:
		return fmt.Errorf("train: -epochs %d: must be in 1..%d", f.epochs, maxEpochs)
	case f.batch < 1 || f.batch > mnist.TrainSize:
		return fmt.Errorf("train: -batch %d: must be in 1..%d", f.batch, mnist.TrainSize)
	case f.val < 0 || f.val >= mnist.TrainSize:
		return fmt.Errorf("train: -val %d: must be in 0..%d", f.val, mnist.TrainSize-1)
	case f.patience < 0:
		return fmt.Errorf("train: -patience %d must not be negative", f.patience)
	case f.patience > 0 && f.val == 0 && set["patience"]:
		return fmt.Errorf("train: -patience needs a validation set (-val > 0)")
	case !(f.keep > 0 && f.keep <= 1):
		return fmt.Errorf("train: -keep %v: must be in (0, 1]; 1 means no dropout", f.keep)
	case !(f.keepInput > 0 && f.keepInput <= 1):
		return fmt.Errorf("train: -keep-input %v: must be in (0, 1]; 1 means no input dropout", f.keepInput)
	case set["lr"] && !(f.lr > 0 && finite(f.lr)):
		return fmt.Errorf("train: -lr %v: must be a number above 0", f.lr)
	case !(f.momentum >= 0 && f.momentum < 1):
		return fmt.Errorf("train: -momentum %v: must be in [0, 1)", f.momentum)
	case !(f.weightDecay >= 0 && finite(f.weightDecay)):
		return fmt.Errorf("train: -weight-decay %v: must be 0 or more", f.weightDecay)
	case !(f.l1 >= 0 && finite(f.l1)):
		return fmt.Errorf("train: -l1 %v: must be 0 or more", f.l1)
	case !(f.l2 >= 0 && finite(f.l2)):
		return fmt.Errorf("train: -l2 %v: must be 0 or more", f.l2)
	case f.threads < 0 || f.threads > maxThreads:
		return fmt.Errorf("train: -threads %d: must be in 0..%d (0: all cores)", f.threads, maxThreads)
	case f.strict && f.init == "":
		return fmt.Errorf("train: -strict applies to -init, which is not set")
	case f.resume != "" && f.init != "":
		return fmt.Errorf("train: -resume and -init exclude each other")
	case f.out == "":
		return fmt.Errorf("train: -out must name a file")
	case set["plot"] && f.plot == "":
		return fmt.Errorf("train: -plot must name a file")
	}
	if set["momentum"] && f.optimizer != string(sgd.Momentum) && f.optimizer != string(sgd.Nesterov) {
		return fmt.Errorf("train: -momentum applies to -optimizer momentum or nesterov, not %s", f.optimizer)
	}
	if f.resume != "" {
		for _, name := range []string{"hidden", "keep", "keep-input", "weights", "l1", "l2", "weight-decay", "optimizer", "lr", "momentum", "schedule", "batch", "seed", "patience"} {
			if set[name] {
				return fmt.Errorf("train: -%s cannot change a resumed run (it comes from the checkpoint)", name)
			}
		}
		if !set["out"] {
			f.out = f.resume
		}
		return nil
	}
	// A new run: every setting is known now, so all of it is checked now.
	if _, err := f.spec(); err != nil {
		return err
	}
	if _, err := f.optimizerConfig(f.stepsPerEpoch()); err != nil {
		return err
	}
	if f.val == 0 && !set["patience"] {
		f.patience = 0
	}
	return nil
}

// stepsPerEpoch is the number of batches in an epoch of a new run.
func (f *trainFlags) stepsPerEpoch() int {
	return (mnist.TrainSize - f.val + f.batch - 1) / f.batch
}

// spec builds the architecture from the flags, within the program's limits.
func (f *trainFlags) spec() (layers.Spec, error) {
	hidden, err := parseHidden(f.hidden)
	if err != nil {
		return layers.Spec{}, fmt.Errorf("train: -hidden %s: %v", f.hidden, err)
	}
	init, err := layers.ParseInit(f.weights)
	if err != nil {
		return layers.Spec{}, fmt.Errorf("train: -weights: %v", err)
	}
	s := layers.Spec{Inputs: mnist.Pixels, Hidden: hidden, Outputs: mnist.NumClasses, Keep: f.keep, InputKeep: f.keepInput, Init: init}
	if err := f.csvFlags.apply(&s); err != nil {
		return layers.Spec{}, err
	}
	if err := s.Validate(); err != nil {
		return layers.Spec{}, fmt.Errorf("train: %v", trimPkg(err))
	}
	return s, nil
}

// parseHidden reads the -hidden list and checks it against the limits
// before anything is allocated.
func parseHidden(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	fields := strings.Split(s, ",")
	if len(fields) > maxHiddenDepth {
		return nil, fmt.Errorf("%d hidden layers, more than the limit of %d", len(fields), maxHiddenDepth)
	}
	hidden := make([]int, len(fields))
	params, in := int64(0), int64(mnist.Pixels) // int64: 65536² overflows a 32-bit int
	for i, f := range fields {
		h, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || h < 1 || h > maxHiddenUnits {
			return nil, fmt.Errorf("layer size %q is not an integer from 1 to %d", strings.TrimSpace(f), maxHiddenUnits)
		}
		hidden[i] = h
		params += in*int64(h) + int64(h) // both at most 2^16: no overflow in int64
		in = int64(h)
	}
	params += in*mnist.NumClasses + mnist.NumClasses
	if params > maxTrainParams {
		return nil, fmt.Errorf("%d parameters, more than the limit of %d", params, maxTrainParams)
	}
	return hidden, nil
}

// optimizerConfig builds the optimizer's configuration; the schedule is given in
// epochs and converted to steps.
func (f *trainFlags) optimizerConfig(stepsPerEpoch int) (sgd.Config, error) {
	method := sgd.Method(f.optimizer)
	switch method {
	case sgd.SGD, sgd.Momentum, sgd.Nesterov, sgd.Adam:
	default:
		return sgd.Config{}, fmt.Errorf("train: -optimizer %q: want sgd, momentum, nesterov or adam", f.optimizer)
	}
	lr := f.lr
	if !f.set["lr"] {
		lr = 0.2
		if method == sgd.Adam {
			lr = 0.001
		}
	}
	c := sgd.DefaultConfig(method, lr)
	c.Momentum, c.WeightDecay = f.momentum, f.weightDecay
	sched, err := train.EpochSchedule(f.schedule, f.epochs, stepsPerEpoch)
	if err != nil {
		return sgd.Config{}, fmt.Errorf("train: -schedule: %s", strings.TrimPrefix(err.Error(), "train: schedule "))
	}
	c.Schedule = sched
	return c, nil
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	var f trainFlags
	fs := newTrainFlagSet(&f)
	if err := parseFlags(fs, args, stdout, "mlp train [flags]\n       mlp train -csv FILE -label COLUMN [-task classify|regress] [flags]\n\nTrains a network on MNIST, saves the one with the best validation accuracy to -out,\nand prints its test accuracy as the last line. Every flag and path is checked before\nthe data is loaded. An existing -out is not replaced unless -force is given or it is\nthe -resume file (whose best validation accuracy a new epoch must then beat).\n\nWith -csv it trains on a table of one's own (see -task for how classification or\nregression is chosen; the first line of output says which and why), normalising the\nfeatures inside the model. Settings not given are chosen from the table's size, and\n-out defaults to the table's name with .gmlp. The last line is \"test accuracy: NN.NN%\"\nor, for regression, \"test r2: 0.NNNN\" after the MSE and MAE lines."); err != nil {
		return helpOK(err)
	}
	if err := f.check(fs); err != nil {
		return err
	}
	if err := f.checkCSV(); err != nil {
		return err
	}
	if f.csv != "" {
		mat.SetThreads(f.threads)
		return runTrainCSV(&f, stdout)
	}
	if err := f.checkPaths(); err != nil {
		return err
	}
	p := newProgress(stdout, f.epochs, f.quiet)

	// Build the trainer (or read the run to resume) before the data: a bad
	// file or an impossible network fails fast.
	var tr *train.Trainer
	var history []train.EpochStats
	var resumeFrom *ckpt.Checkpoint
	savedEpoch := 0
	loopCfg := train.Config{
		Epochs: f.epochs, BatchSize: f.batch, Seed: f.seed, Patience: f.patience, L1: f.l1, L2: f.l2,
		OnBatch: p.batch,
		OnEpoch: func(s train.EpochStats) error {
			history = append(history, s)
			note := ""
			if s.Improved {
				if err := f.save(tr); err != nil {
					return err
				}
				savedEpoch = s.Epoch
				note = "  saved"
			}
			p.epoch(s, note)
			return nil
		},
	}
	var net *layers.Network
	if f.resume != "" {
		var err error
		if resumeFrom, err = ckpt.Load(f.resume); err != nil {
			return fmt.Errorf("train: -resume: %v", trimPkg(err))
		}
		if err := f.resumeSettings(resumeFrom, &loopCfg, p); err != nil {
			return err
		}
		if tr, err = train.ResumeFrom(resumeFrom, loopCfg); err != nil {
			return fmt.Errorf("train: -resume %s: %v", f.resume, trimPkg(err))
		}
		net = tr.Network()
		st := tr.State()
		if st.Epoch >= tr.Config().Epochs {
			return fmt.Errorf("train: -resume %s: the run has done all its %d epochs; to train longer, give -epochs above %d", f.resume, tr.Config().Epochs, st.Epoch)
		}
		p.printf("resuming %s after epoch %d (best so far: epoch %d, %.2f%% validation)", f.resume, st.Epoch, st.BestEpoch, 100*st.BestAccuracy)
	} else {
		spec, err := f.spec()
		if err != nil {
			return err
		}
		optCfg, err := f.optimizerConfig(f.stepsPerEpoch())
		if err != nil {
			return err
		}
		if net, err = spec.Build(f.seed); err != nil {
			return fmt.Errorf("train: %v", trimPkg(err))
		}
		if f.init != "" {
			if err := initFrom(net, f.init, f.strict, p); err != nil {
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
	mat.SetThreads(f.threads)

	ctx, stop := interruptible(stderr)
	defer stop()
	fullTrain, test, err := loadData(ctx, f.data, stdout, f.quiet)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w while loading MNIST: nothing trained", errInterrupted)
		}
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
		p.printf("early stop: no better validation accuracy for %d epochs", tr.Config().Patience)
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
		return fmt.Errorf("%w before the first epoch ended: nothing saved", errInterrupted)
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

// save writes the trainer's checkpoint to -out, with the program's own
// settings (metaVal) beside the library's.
func (f *trainFlags) save(tr *train.Trainer) error {
	c, err := tr.Checkpoint(map[string]string{"data": "mnist", metaVal: strconv.Itoa(f.val)})
	if err == nil {
		err = checkSaveTarget("-out", f.out)
	}
	if err == nil {
		err = ckpt.Save(f.out, c)
	}
	if err != nil && nonFinite(c) {
		return fmt.Errorf("training diverged: the weights hold NaN or infinite values, so %s was not written; train again with a smaller -lr (or -schedule with a lower start), or a larger -batch", f.out)
	}
	if err != nil {
		return fmt.Errorf("saving the best network: %v", trimPkg(err))
	}
	return nil
}

// nonFinite reports whether any float32 tensor of c holds NaN or ±Inf.
func nonFinite(c *ckpt.Checkpoint) bool {
	if c == nil {
		return false
	}
	for _, t := range c.Tensors {
		for _, v := range t.Data {
			if !finite(float64(v)) {
				return true
			}
		}
	}
	return false
}

// checkPaths checks every path flag before anything is loaded: the data
// directory exists, -out and -plot can be written and replace nothing they
// must not, -resume and -init are regular files.
func (f *trainFlags) checkPaths() error {
	if err := checkDataDir("train", f.data); err != nil {
		return err
	}
	for _, in := range []struct{ flag, path string }{{"-resume", f.resume}, {"-init", f.init}} {
		if in.path == "" {
			continue
		}
		if err := checkModelFile(in.path); err != nil {
			return fmt.Errorf("train: %s: %v", in.flag, err)
		}
	}
	exists, err := checkOutPath("train", "-out", f.out)
	if err != nil {
		return err
	}
	if exists && !f.force && !sameFile(f.out, f.resume) {
		how := "continue that run with -resume " + f.out
		if f.resume != "" {
			how = "resume into it with -out " + f.resume
		}
		return fmt.Errorf("train: -out %s exists and this run did not start from it: not replacing it (pass -force to replace it, choose another -out, or %s)", f.out, how)
	}
	if f.plot != "" {
		if sameFile(f.plot, f.out) || filepath.Clean(f.plot) == filepath.Clean(f.out) {
			return fmt.Errorf("train: -plot and -out are the same file %s", f.out)
		}
		if _, err := checkOutPath("train", "-plot", f.plot); err != nil {
			return err
		}
	}
	return nil
}

// resumeSettings takes the settings that shape the run from a checkpoint:
// the validation split (a contradicting -val is an error) and, when -epochs
// is given, the new total, which a cosine schedule cannot stretch to.
func (f *trainFlags) resumeSettings(c *ckpt.Checkpoint, cfg *train.Config, p *progress) error {
	if v, ok := c.Metadata[metaVal]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n >= mnist.TrainSize {
			return fmt.Errorf("train: -resume %s: metadata %s=%q is not a validation size in 0..%d", f.resume, metaVal, v, mnist.TrainSize-1)
		}
		if f.set["val"] && f.val != n {
			return fmt.Errorf("train: -val %d: the resumed run holds out %d examples; leave -val out to keep them (another split would validate on trained examples)", f.val, n)
		}
		f.val = n
	} else if !f.set["val"] {
		p.printf("%s does not say which validation split it used: holding out the default %d examples (set -val if it used another)", f.resume, f.val)
	}
	saved, err := strconv.Atoi(c.Metadata[train.MetaEpochs])
	if err != nil {
		return fmt.Errorf("train: -resume %s: metadata %s=%q: not an epoch count", f.resume, train.MetaEpochs, c.Metadata[train.MetaEpochs])
	}
	if !f.set["epochs"] || f.epochs == saved {
		cfg.Epochs = 0 // the checkpoint's
		return nil
	}
	if strings.HasPrefix(c.Metadata[sgd.MetaSchedule], "cosine") && f.epochs > saved {
		return fmt.Errorf("train: -epochs %d: the resumed run's cosine schedule ends with epoch %d (the learning rate is 0 after it); to train longer, start a new run from its weights: mlp train -init %s -epochs N -out NEW", f.epochs, saved, f.resume)
	}
	p.printf("training to %d epochs instead of the saved run's %d (-epochs)", f.epochs, saved)
	return nil
}

// checkInputFile checks that path is a regular file that can be opened,
// without waiting on a FIFO.
func checkInputFile(path string) error {
	fh, err := regular.Open(path)
	if err != nil {
		return err
	}
	return fh.Close()
}

// checkOutPath checks, before any work, that path can be written: it is a
// regular file (reported as existing) or absent in a directory that
// exists and takes new files. Messages start with cmd, the command's name.
func checkOutPath(cmd, flagName, path string) (exists bool, err error) {
	info, err := os.Stat(path)
	switch {
	case err == nil && !info.Mode().IsRegular():
		return false, fmt.Errorf("%s: %s %s is %s, not a regular file: refusing to replace it", cmd, flagName, path, regular.Kind(info.Mode()))
	case err == nil:
		return true, nil
	case !errors.Is(err, os.ErrNotExist):
		return false, fmt.Errorf("%s: %s: %v", cmd, flagName, err)
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return false, fmt.Errorf("%s: %s %s: the directory %s does not exist", cmd, flagName, path, dir)
	}
	probe, err := os.CreateTemp(dir, ".mlp-probe-*")
	if err != nil {
		return false, fmt.Errorf("%s: %s %s: cannot create files in %s: %v", cmd, flagName, path, dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return false, nil
}

// checkSaveTarget refuses, at the moment of saving, a destination that
// exists and is not a regular file (it may have been replaced while the
// run went on).
func checkSaveTarget(flagName, path string) error {
	if err := regular.CheckDestination(path); err != nil {
		return fmt.Errorf("%s %v", flagName, err)
	}
	return nil
}

// sameFile reports whether both paths name one existing file.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
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
	if err := checkSaveTarget("-plot", path); err != nil {
		return err
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
