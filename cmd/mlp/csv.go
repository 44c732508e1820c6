package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/dataset"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/table"
	"github.com/gomlp/gomlp/train"
)

// csvFlags are the flags of `mlp train` for a table of one's own.
type csvFlags struct {
	csv, label, task, activation, loss, ignore string
	test                                       float64
}

// csvTaskHelp states the rule that picks the task, for -h.
const csvTaskHelp = "with -csv: classify or regress (default: classify if the label column has any non-numeric value, or holds integers with at most 100 distinct values; otherwise regress)"

func (c *csvFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.csv, "csv", "", "train on this CSV table instead of MNIST (a header row, numeric features, and the -label column)")
	fs.StringVar(&c.label, "label", "", "with -csv: the name of the column holding the class or the target")
	fs.StringVar(&c.task, "task", "", csvTaskHelp)
	fs.StringVar(&c.ignore, "ignore", "", "with -csv: columns to leave out, comma-separated (text columns, identifiers, other targets)")
	fs.Float64Var(&c.test, "test", 0.2, "with -csv: the fraction of rows held out (after a seeded shuffle) for the final test; 0: none")
	fs.StringVar(&c.activation, "activation", "relu", "activation after each hidden layer: relu, tanh, sigmoid, leaky_relu or gelu (or one per layer, comma-separated)")
	fs.StringVar(&c.loss, "loss", "mse", "with -csv, for regression: mse or huber")
}

// apply sets the activations of s from -activation.
func (c *csvFlags) apply(s *layers.Spec) error {
	acts, err := layers.ParseActivations(c.activation)
	if err != nil {
		return fmt.Errorf("train: -activation: %v", trimPkg(err))
	}
	switch {
	case len(acts) == 0:
		return fmt.Errorf("train: -activation: give an activation name")
	case len(acts) == 1:
		s.Activation = acts[0]
	case len(acts) == len(s.Hidden):
		s.Activations = acts
	default:
		return fmt.Errorf("train: -activation: %d activations for %d hidden layers; give one, or one per layer", len(acts), len(s.Hidden))
	}
	return nil
}

// checkCSV validates the table flags before anything is read.
func (f *trainFlags) checkCSV() error {
	c := &f.csvFlags
	if c.csv == "" {
		for _, name := range []string{"label", "task", "test", "loss", "ignore"} {
			if f.set[name] {
				return fmt.Errorf("train: -%s applies to -csv, which is not set", name)
			}
		}
		return nil
	}
	if f.resume != "" {
		for _, name := range []string{"label", "task", "test", "loss", "ignore", "activation", "val"} {
			if f.set[name] {
				return fmt.Errorf("train: -%s cannot change a resumed run (it comes from the checkpoint)", name)
			}
		}
	}
	switch {
	case c.label == "" && f.resume == "":
		return fmt.Errorf("train: -csv needs -label COLUMN, the column that holds the class or the target")
	case !(c.test >= 0 && c.test < 1):
		return fmt.Errorf("train: -test %v: must be a fraction in [0, 1)", c.test)
	case f.init != "":
		return fmt.Errorf("train: -init is not available with -csv")
	case f.set["data"]:
		return fmt.Errorf("train: -data names the MNIST directory; with -csv it does not apply")
	}
	if c.task != "" && c.task != "classify" && c.task != "regress" {
		return fmt.Errorf("train: -task %q: want classify or regress", c.task)
	}
	if c.loss != "mse" && c.loss != "huber" {
		return fmt.Errorf("train: -loss %q: want mse or huber", c.loss)
	}
	if c.loss != "mse" && c.task == "classify" {
		return fmt.Errorf("train: -loss applies to regression; a classifier uses cross-entropy")
	}
	return nil
}

// Metadata keys that describe the table a model was trained on, so that
// eval and predict read tables the same way.
const (
	metaCSVLabel    = "csv.label"    // the label column's name
	metaCSVFeatures = "csv.features" // JSON list of the feature columns, in input order
	metaCSVClasses  = "csv.classes"  // JSON list of class names by index (classifiers)
	metaCSVTask     = "csv.task"     // "classify" or "regress"
	metaCSVSeed     = "csv.seed"     // the seed of the shuffle before the split
	metaCSVTest     = "csv.test"     // the fraction of rows held out for the test
	metaCSVVal      = "csv.val"      // the rows held out for validation
)

// splitFromMeta reads how a saved run split its table.
func splitFromMeta(m map[string]string) (seed uint64, test float64, val int, err error) {
	bad := func(key string) error {
		return fmt.Errorf("metadata %s=%q is missing or out of range: the checkpoint was not written by mlp train -csv", key, m[key])
	}
	if seed, err = strconv.ParseUint(m[metaCSVSeed], 10, 64); err != nil {
		return 0, 0, 0, bad(metaCSVSeed)
	}
	if test, err = strconv.ParseFloat(m[metaCSVTest], 64); err != nil || !(test >= 0 && test < 1) {
		return 0, 0, 0, bad(metaCSVTest)
	}
	if val, err = strconv.Atoi(m[metaCSVVal]); err != nil || val < 0 {
		return 0, 0, 0, bad(metaCSVVal)
	}
	return seed, test, val, nil
}

func csvMeta(t *table.Table) map[string]string {
	feats, _ := json.Marshal(t.Features)
	m := map[string]string{
		"data":          "csv",
		metaCSVLabel:    t.Label,
		metaCSVFeatures: string(feats),
		metaCSVTask:     t.Task.String(),
	}
	if t.Task == table.Classify {
		classes, _ := json.Marshal(t.Classes)
		m[metaCSVClasses] = string(classes)
	}
	return m
}

// csvModel is a network trained on a table, with the table's description.
type csvModel struct {
	net      *layers.Network
	label    string
	features []string
	classes  []string // nil for regression
}

// loadCSVModel reads a checkpoint written by `mlp train -csv`.
func loadCSVModel(path string) (*csvModel, error) {
	_, m, err := loadCSVCheckpoint(path)
	return m, err
}

// loadCSVCheckpoint reads a checkpoint written by `mlp train -csv` and
// rebuilds its network.
func loadCSVCheckpoint(path string) (*ckpt.Checkpoint, *csvModel, error) {
	c, err := ckpt.Load(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%v", trimPkg(err))
	}
	m, err := csvModelOf(c, path)
	return c, m, err
}

func csvModelOf(c *ckpt.Checkpoint, path string) (*csvModel, error) {
	var err error
	m := &csvModel{label: c.Metadata[metaCSVLabel]}
	feats, ok := c.Metadata[metaCSVFeatures]
	if !ok {
		return nil, fmt.Errorf("%s was not trained on a table (it has no %s metadata); for an MNIST model leave out -csv", path, metaCSVFeatures)
	}
	if err := json.Unmarshal([]byte(feats), &m.features); err != nil {
		return nil, fmt.Errorf("%s: metadata %s is not a JSON list of names: %v", path, metaCSVFeatures, err)
	}
	if cl, ok := c.Metadata[metaCSVClasses]; ok {
		if err := json.Unmarshal([]byte(cl), &m.classes); err != nil {
			return nil, fmt.Errorf("%s: metadata %s is not a JSON list of names: %v", path, metaCSVClasses, err)
		}
	}
	if m.net, err = train.LoadNetwork(c); err != nil {
		return nil, fmt.Errorf("%s: %v", path, trimPkg(err))
	}
	switch {
	case m.net.Inputs() != len(m.features):
		return nil, fmt.Errorf("%s: the network takes %d inputs but the metadata names %d feature columns", path, m.net.Inputs(), len(m.features))
	case m.net.IsRegression() == (m.classes != nil):
		return nil, fmt.Errorf("%s: the metadata's classes do not match the network's head", path)
	case m.classes != nil && len(m.classes) != m.net.Outputs():
		return nil, fmt.Errorf("%s: %d class names for %d outputs", path, len(m.classes), m.net.Outputs())
	}
	return m, nil
}

// readTable reads a table for an existing model: its feature columns by
// name and, with labels, its label column (for eval); without, any label
// column is ignored (for predict).
func (m *csvModel) readTable(path string, labels bool) (*table.Table, error) {
	if !labels {
		return table.ReadFile(path, table.Options{LabelOptional: true, Features: m.features})
	}
	return table.ReadFile(path, m.tableOptions())
}

// tableOptions reads a table the way the model was trained on one.
func (m *csvModel) tableOptions() table.Options {
	opt := table.Options{Label: m.label, Features: m.features, Classes: m.classes, Task: table.Regress}
	if m.classes != nil {
		opt.Task = table.Classify
	}
	return opt
}

// smallTableDefaults are the settings for a table of n training rows when
// the flags do not say otherwise: Adam, batches of about n/10 (8 to 128),
// and enough epochs for about 1000 steps (30 to 1000 epochs): on
// scikit-learn's small tables more steps overfit (measured in README.md).
func smallTableDefaults(n int) (batch, epochs int, lr float64) {
	batch = min(max(n/10, 8), 128)
	steps := (n + batch - 1) / batch
	epochs = min(max(1000/steps, 30), 1000)
	return batch, epochs, 0.003
}

func runTrainCSV(f *trainFlags, stdout io.Writer) error {
	p := newProgress(stdout, 0, f.quiet)
	var resume *ckpt.Checkpoint
	var prev *csvModel
	opt := table.Options{Label: f.label, Ignore: splitNames(f.ignore)}
	switch f.task {
	case "classify":
		opt.Task = table.Classify
	case "regress":
		opt.Task = table.Regress
	}
	if f.resume != "" { // the table is read as the run saved it
		var err error
		if resume, prev, err = loadCSVCheckpoint(f.resume); err != nil {
			return fmt.Errorf("train: -resume: %v", err)
		}
		opt = prev.tableOptions()
	}
	tb, err := table.ReadFile(f.csv, opt)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "table: ")
		if strings.Contains(msg, "feature columns must be numeric") {
			msg += "; -ignore COLUMN leaves a column out"
		}
		return fmt.Errorf("train: %s", msg)
	}
	if resume != nil {
		p.printf("task: %s (column %q, as in %s)", tb.Task, tb.Label, f.resume)
	} else {
		other := map[table.Task]string{table.Classify: "regress", table.Regress: "classify"}[tb.Task]
		p.printf("task: %s (column %q: %s; -task %s to change)", tb.Task, tb.Label, tb.Why, other)
	}
	if tb.Task == table.Classify && f.loss != "mse" {
		return fmt.Errorf("train: -loss applies to regression; a classifier uses cross-entropy")
	}

	// The split: a seeded shuffle, then the test rows, then the validation
	// rows (from 500 training rows on, unless -val says). A resumed run
	// repeats the saved one.
	seed, testFrac, valRows := f.seed, f.test, -1
	if f.set["val"] {
		valRows = f.val
	}
	if resume != nil {
		if seed, testFrac, valRows, err = splitFromMeta(resume.Metadata); err != nil {
			return fmt.Errorf("train: -resume %s: %v", f.resume, err)
		}
	}
	data := tb.Data
	data.Shuffle(seed)
	rest, test, err := data.SplitFraction(testFrac)
	if err != nil {
		return fmt.Errorf("train: %v", err)
	}
	if valRows < 0 {
		valRows = 0
		if rest.Len() >= 500 {
			valRows = rest.Len() / 10
		}
	}
	if valRows >= rest.Len() {
		return fmt.Errorf("train: -val %d leaves no training rows of %d", valRows, rest.Len())
	}
	trainSet, val, _ := rest.Split(valRows)
	if valRows == 0 {
		if f.set["patience"] && f.patience > 0 {
			return fmt.Errorf("train: -patience needs a validation split (-val ROWS)")
		}
		f.patience = 0
	}
	what := fmt.Sprintf("target %q", tb.Label)
	if tb.Task == table.Classify {
		what = fmt.Sprintf("%d classes (%s)", len(tb.Classes), strings.Join(firstN(tb.Classes, 10), ", "))
	}
	p.printf("read %s: %d rows, %d features, %s", f.csv, data.Len(), len(tb.Features), what)
	p.printf("split with seed %d: %d training, %d validation, %d test rows; the normaliser is fitted on the training rows", seed, trainSet.Len(), val.Len(), test.Len())
	if trainSet.Len() == 0 {
		return fmt.Errorf("train: no training rows left (%d rows in all); lower -test", data.Len())
	}
	if f.plot != "" && tb.Task == table.Regress {
		return fmt.Errorf("train: -plot draws accuracy curves, which a regression model does not have")
	}

	out := f.out
	switch {
	case f.set["out"]:
	case resume != nil:
		out = f.resume
	default:
		out = strings.TrimSuffix(filepath.Base(f.csv), filepath.Ext(f.csv)) + ".gmlp"
	}
	exists, err := checkOutPath("train", "-out", out)
	if err != nil {
		return err
	}
	if exists && !f.force && !sameFile(out, f.resume) {
		return fmt.Errorf("train: -out %s exists and this run did not start from it: not replacing it (pass -force to replace it, or choose another -out)", out)
	}
	meta := csvMeta(tb)
	meta[metaCSVSeed] = strconv.FormatUint(seed, 10)
	meta[metaCSVTest] = strconv.FormatFloat(testFrac, 'g', -1, 64)
	meta[metaCSVVal] = strconv.Itoa(valRows)

	// Saving: with validation, each new best epoch from OnEpoch (where the
	// network holds that epoch's weights, so the file resumes exactly);
	// without, the last epoch. Small tables run hundreds of short epochs,
	// so not every epoch is written.
	var tr *train.Trainer
	var history []train.EpochStats
	var regression bool
	saved := 0
	save := func(epoch int) error {
		c, err := tr.Checkpoint(meta)
		if err == nil {
			err = ckpt.Save(out, c)
		}
		if err != nil {
			return fmt.Errorf("saving the network: %v", trimPkg(err))
		}
		saved = epoch
		return nil
	}
	every := 1
	loopCfg := train.Config{
		Patience: f.patience, L1: f.l1, L2: f.l2,
		OnEpoch: func(s train.EpochStats) error {
			history = append(history, s)
			last := s.Epoch == tr.Config().Epochs
			if s.Improved && (s.Validated || last) {
				if err := save(s.Epoch); err != nil {
					return err
				}
			}
			if s.Epoch%every == 0 || last {
				p.printf("%s", csvEpochLine(s, tr.Config().Epochs, regression))
			}
			return nil
		},
	}
	if resume != nil {
		if f.set["epochs"] {
			loopCfg.Epochs = f.epochs
		}
		if tr, err = train.ResumeFrom(resume, loopCfg); err != nil {
			return fmt.Errorf("train: -resume %s: %v", f.resume, trimPkg(err))
		}
		st := tr.State()
		p.printf("resuming %s after epoch %d of %d", f.resume, st.Epoch, tr.Config().Epochs)
	} else if tr, err = newTableTrainer(f, tb, trainSet, loopCfg, p); err != nil {
		return err
	}
	regression = tr.Network().IsRegression()
	every = max(1, tr.Config().Epochs/20)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	res, fitErr := tr.Fit(ctx, trainSet, val)
	interrupted := ctx.Err() != nil && errors.Is(fitErr, ctx.Err())
	switch {
	case interrupted:
		p.printf("interrupted at a batch boundary")
	case fitErr != nil:
		return fmt.Errorf("train: %v", trimPkg(fitErr))
	case res.EarlyStopped:
		p.printf("early stop: no better validation loss for %d epochs", f.patience)
	}
	if f.plot != "" && len(history) > 0 {
		if err := writePlot(f.plot, history); err != nil {
			return fmt.Errorf("train: -plot: %v", err)
		}
	}
	if len(res.Epochs) == 0 {
		if interrupted {
			return fmt.Errorf("interrupted before the first epoch ended: nothing saved")
		}
		return fmt.Errorf("train: no epoch was run: nothing saved")
	}
	if last := res.Epochs[len(res.Epochs)-1]; !last.Validated && saved != last.Epoch {
		// Interrupted without validation: the network holds the last
		// finished epoch, which resumes exactly.
		if err := save(last.Epoch); err != nil {
			return fmt.Errorf("train: %v", err)
		}
	}
	p.printf("saved epoch %d's network to %s (training took %v)", saved, out, time.Since(start).Round(10*time.Millisecond))
	net := tr.Network()
	if test.Len() == 0 {
		fmt.Fprintln(stdout, "no test rows (-test 0): evaluate with mlp eval -model "+out+" -csv TABLE")
	} else if err := reportTable(stdout, net, test, p.quiet, nil); err != nil {
		return fmt.Errorf("train: %v", err)
	}
	if interrupted {
		return errInterrupted
	}
	return nil
}

// newTableTrainer builds a network and its trainer for a table: the
// settings from the flags where given, otherwise chosen from the table's
// size, with the normaliser (and a regression model's target scaler)
// fitted on the training rows.
func newTableTrainer(f *trainFlags, tb *table.Table, trainSet dataset.Dataset, loopCfg train.Config, p *progress) (*train.Trainer, error) {
	batch, epochs, lr := smallTableDefaults(trainSet.Len())
	if f.set["batch"] {
		batch = f.batch
	}
	if f.set["epochs"] {
		epochs = f.epochs
	}
	if f.set["lr"] {
		lr = f.lr
	}
	method := sgd.Adam
	if f.set["optimizer"] {
		method = sgd.Method(f.optimizer)
		if !f.set["lr"] {
			lr = 0.05
			if method == sgd.Adam {
				lr = 0.003
			}
		}
	}
	hidden := []int{100}
	if f.set["hidden"] {
		var err error
		if hidden, err = layers.ParseSizes(f.hidden); err != nil {
			return nil, fmt.Errorf("train: -hidden: %v", err)
		}
	}
	spec := layers.Spec{Inputs: len(tb.Features), Hidden: hidden, Keep: f.keep, InputKeep: f.keepInput, Normalize: true}
	if err := f.csvFlags.apply(&spec); err != nil {
		return nil, err
	}
	if f.set["weights"] {
		var err error
		if spec.Init, err = layers.ParseInit(f.weights); err != nil {
			return nil, fmt.Errorf("train: -weights: %v", trimPkg(err))
		}
	} else if a := spec.Activation; len(spec.Activations) == 0 && (a == layers.ActTanh || a == layers.ActSigmoid) {
		spec.Init = layers.Glorot()
	}
	if tb.Task == table.Classify {
		spec.Outputs = len(tb.Classes)
	} else {
		spec.Outputs, spec.Head, spec.ScaleTargets = 1, layers.HeadMSE, true
		if f.loss == "huber" {
			spec.Head = layers.HeadHuber
		}
	}
	net, err := spec.Build(f.seed)
	if err != nil {
		return nil, fmt.Errorf("train: %v", trimPkg(err))
	}
	if err := net.FitNormalizer(trainSet.X); err != nil {
		return nil, fmt.Errorf("train: %v", trimPkg(err))
	}
	if spec.ScaleTargets {
		if err := net.FitTargets(trainSet.Targets); err != nil {
			return nil, fmt.Errorf("train: %v", trimPkg(err))
		}
	}
	sched, err := train.EpochSchedule(f.schedule, epochs, train.Steps(trainSet.Len(), batch, 1))
	if err != nil {
		return nil, fmt.Errorf("train: -schedule: %v", trimPkg(err))
	}
	weightDecay := 1e-4
	if f.set["weight-decay"] {
		weightDecay = f.weightDecay
	}
	optCfg := sgd.DefaultConfig(method, lr)
	optCfg.Momentum, optCfg.WeightDecay, optCfg.Schedule = f.momentum, weightDecay, sched
	opt, err := sgd.New(net.Params(), optCfg)
	if err != nil {
		return nil, fmt.Errorf("train: %v", trimPkg(err))
	}
	loopCfg.Epochs, loopCfg.BatchSize, loopCfg.Seed = epochs, batch, f.seed
	tr, err := train.New(net, opt, loopCfg)
	if err != nil {
		return nil, fmt.Errorf("train: %v", trimPkg(err))
	}
	p.printf("training %s (%d parameters): %d epochs of batch %d, %s lr %g, %s schedule",
		spec, countParams(net), epochs, batch, method, lr, f.schedule)
	return tr, nil
}

func splitNames(s string) []string {
	var names []string
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func csvEpochLine(s train.EpochStats, epochs int, regression bool) string {
	line := fmt.Sprintf("epoch %*d/%d  loss %.4f", digits(epochs), s.Epoch, epochs, s.Loss)
	if !regression {
		line += fmt.Sprintf("  train %.2f%%", 100*s.TrainAccuracy)
	}
	if s.Validated {
		line += fmt.Sprintf("  val loss %.4f", s.ValLoss)
		if regression {
			line += fmt.Sprintf("  val r2 %.4f", s.ValR2)
		} else {
			line += fmt.Sprintf("  val %.2f%%", 100*s.ValAccuracy)
		}
	}
	return line
}

// reportTable prints the test metrics of net on d, ending with the line
// `test accuracy: NN.NN%` for a classifier or `test r2: 0.NNNN` for a
// regression network (after its MSE and MAE lines). With classes and not
// quiet, a classifier's confusion matrix comes first.
func reportTable(w io.Writer, net *layers.Network, d dataset.Dataset, quiet bool, classes []string) error {
	if net.IsRegression() {
		s, err := train.Regression(net, d)
		if err != nil {
			return errors.New(trimPkg(err))
		}
		fmt.Fprintf(w, "test mse: %.6g\n", s.MSE())
		fmt.Fprintf(w, "test mae: %.6g\n", s.MAE())
		fmt.Fprintf(w, "test r2: %.4f\n", s.R2())
		return nil
	}
	conf, err := train.Confusion(net, d)
	if err != nil {
		return errors.New(trimPkg(err))
	}
	if !quiet && classes != nil {
		fmt.Fprintln(w, "confusion matrix (rows: true class, columns: predicted; classes in the order "+strings.Join(firstN(classes, 20), ", ")+"):")
		fmt.Fprint(w, conf.String())
	}
	fmt.Fprintf(w, "test accuracy: %.2f%%\n", 100*conf.Accuracy())
	return nil
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("… %d more", len(s)-n))
}

// runEvalCSV is `mlp eval -model FILE -csv TABLE`.
func runEvalCSV(model, path string, quiet bool, stdout io.Writer) error {
	m, err := loadCSVModel(model)
	if err != nil {
		return fmt.Errorf("eval: %v", err)
	}
	tb, err := m.readTable(path, true)
	if err != nil {
		return fmt.Errorf("eval: %v", strings.TrimPrefix(err.Error(), "table: "))
	}
	if !quiet {
		spec, _ := m.net.Spec()
		fmt.Fprintf(stdout, "%s: %s, %d rows of %s\n", model, spec, tb.Data.Len(), path)
	}
	if err := reportTable(stdout, m.net, tb.Data, quiet, m.classes); err != nil {
		return fmt.Errorf("eval: %v", err)
	}
	return nil
}

// runPredictCSV is `mlp predict -model FILE -csv TABLE`: one output row per
// input row, in order, as CSV: the predicted class (or value) under the
// label column's name, then for a classifier each class's probability.
func runPredictCSV(model, path string, stdout io.Writer) error {
	m, err := loadCSVModel(model)
	if err != nil {
		return fmt.Errorf("predict: %v", err)
	}
	tb, err := m.readTable(path, false)
	if err != nil {
		return fmt.Errorf("predict: %v", strings.TrimPrefix(err.Error(), "table: "))
	}
	x := tb.Data.X
	out := mat.New(x.Rows, m.net.Outputs())
	m.net.Predict(out, x)
	w := csv.NewWriter(stdout)
	header := []string{m.label}
	for _, c := range m.classes {
		header = append(header, "p("+c+")")
	}
	w.Write(header)
	row := make([]string, len(header))
	for i := 0; i < out.Rows; i++ {
		r := out.Row(i)
		if m.classes == nil {
			row[0] = strconv.FormatFloat(float64(r[0]), 'g', 7, 32)
		} else {
			best := 0
			for k, v := range r {
				if v > r[best] {
					best = k
				}
				row[1+k] = strconv.FormatFloat(math.Round(float64(v)*1e6)/1e6, 'f', -1, 64)
			}
			row[0] = m.classes[best]
		}
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}
