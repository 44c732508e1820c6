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
	switch {
	case c.label == "":
		return fmt.Errorf("train: -csv needs -label COLUMN, the column that holds the class or the target")
	case !(c.test >= 0 && c.test < 1):
		return fmt.Errorf("train: -test %v: must be a fraction in [0, 1)", c.test)
	case f.resume != "":
		return fmt.Errorf("train: -resume is not available with -csv (tables train in seconds: run again with more -epochs)")
	case f.from != "":
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
)

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
	c, err := ckpt.Load(path)
	if err != nil {
		return nil, fmt.Errorf("%v", trimPkg(err))
	}
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
	opt := table.Options{Label: m.label, Features: m.features, Classes: m.classes, Task: table.Regress}
	if m.classes != nil {
		opt.Task = table.Classify
	}
	return table.ReadFile(path, opt)
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
	task := table.Auto
	switch f.task {
	case "classify":
		task = table.Classify
	case "regress":
		task = table.Regress
	}
	var ignore []string
	for _, name := range strings.Split(f.ignore, ",") {
		if name = strings.TrimSpace(name); name != "" {
			ignore = append(ignore, name)
		}
	}
	tb, err := table.ReadFile(f.csv, table.Options{Label: f.label, Task: task, Ignore: ignore})
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "table: ")
		if strings.Contains(msg, "feature columns must be numeric") {
			msg += "; -ignore COLUMN leaves a column out"
		}
		return fmt.Errorf("train: %s", msg)
	}
	other := map[table.Task]string{table.Classify: "regress", table.Regress: "classify"}[tb.Task]
	p.printf("task: %s (column %q: %s; -task %s to change)", tb.Task, tb.Label, tb.Why, other)
	if tb.Task == table.Classify && f.loss != "mse" {
		return fmt.Errorf("train: -loss applies to regression; a classifier uses cross-entropy")
	}
	data := tb.Data
	data.Shuffle(f.seed)
	rest, test, err := data.SplitFraction(f.test)
	if err != nil {
		return fmt.Errorf("train: %v", err)
	}
	valRows := 0
	switch {
	case f.set["val"]:
		valRows = f.val
	case rest.Len() >= 500:
		valRows = rest.Len() / 10
	}
	if valRows >= rest.Len() {
		return fmt.Errorf("train: -val %d leaves no training rows of %d", valRows, rest.Len())
	}
	trainSet, val, _ := rest.Split(valRows)
	if f.val == 0 || valRows == 0 {
		f.patience = 0
	}
	if f.set["patience"] && f.patience > 0 && valRows == 0 {
		return fmt.Errorf("train: -patience needs a validation split (-val ROWS)")
	}
	what := fmt.Sprintf("target %q", tb.Label)
	if tb.Task == table.Classify {
		what = fmt.Sprintf("%d classes (%s)", len(tb.Classes), strings.Join(firstN(tb.Classes, 10), ", "))
	}
	p.printf("read %s: %d rows, %d features, %s", f.csv, data.Len(), len(tb.Features), what)
	p.printf("split with seed %d: %d training, %d validation, %d test rows; the normaliser is fitted on the training rows", f.seed, trainSet.Len(), val.Len(), test.Len())
	if trainSet.Len() == 0 {
		return fmt.Errorf("train: no training rows left (%d rows in all); lower -test", data.Len())
	}

	// The settings: flags where given, otherwise chosen from the table's size.
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
		if hidden, err = layers.ParseSizes(f.hidden); err != nil {
			return fmt.Errorf("train: -hidden: %v", err)
		}
	}
	spec := layers.Spec{Inputs: len(tb.Features), Hidden: hidden, Keep: f.keep, InputKeep: f.inputKeep, Normalize: true}
	if err := f.csvFlags.apply(&spec); err != nil {
		return err
	}
	if f.set["weights"] {
		if spec.Init, err = layers.ParseInit(f.init); err != nil {
			return fmt.Errorf("train: -weights: %v", trimPkg(err))
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
		return fmt.Errorf("train: %v", trimPkg(err))
	}
	if err := net.FitNormalizer(trainSet.X); err != nil {
		return fmt.Errorf("train: %v", trimPkg(err))
	}
	if spec.ScaleTargets {
		if err := net.FitTargets(trainSet.Targets); err != nil {
			return fmt.Errorf("train: %v", trimPkg(err))
		}
	}
	sched, err := train.EpochSchedule(f.schedule, epochs, train.Steps(trainSet.Len(), batch, 1))
	if err != nil {
		return fmt.Errorf("train: -schedule: %v", trimPkg(err))
	}
	weightDecay := 1e-4
	if f.set["weight-decay"] {
		weightDecay = f.weightDecay
	}
	optCfg := sgd.DefaultConfig(method, lr)
	optCfg.Momentum, optCfg.WeightDecay, optCfg.Schedule = f.momentum, weightDecay, sched
	opt, err := sgd.New(net.Params(), optCfg)
	if err != nil {
		return fmt.Errorf("train: %v", trimPkg(err))
	}
	out := f.out
	if !f.set["out"] {
		out = strings.TrimSuffix(filepath.Base(f.csv), filepath.Ext(f.csv)) + ".gmlp"
	}
	meta := csvMeta(tb)
	// Small tables run hundreds of short epochs: the network is saved once,
	// after training, with the best epoch's weights (see Fit).
	if f.plot != "" && tb.Task == table.Regress {
		return fmt.Errorf("train: -plot draws accuracy curves, which a regression model does not have")
	}
	var tr *train.Trainer
	var history []train.EpochStats
	every := max(1, epochs/20)
	loopCfg := train.Config{
		Epochs: epochs, BatchSize: batch, Seed: f.seed, Patience: f.patience, L1: f.l1, L2: f.l2,
		OnEpoch: func(s train.EpochStats) error {
			history = append(history, s)
			if s.Epoch%every == 0 || s.Epoch == epochs {
				p.printf("%s", csvEpochLine(s, epochs, spec.Head.Regression()))
			}
			return nil
		},
	}
	if tr, err = train.New(net, opt, loopCfg); err != nil {
		return fmt.Errorf("train: %v", trimPkg(err))
	}
	p.printf("training %s (%d parameters): %d epochs of batch %d, %s lr %g, %s schedule",
		spec, countParams(net), epochs, batch, method, lr, f.schedule)

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
	c, err := tr.Checkpoint(meta)
	if err == nil {
		err = ckpt.Save(out, c)
	}
	if err != nil {
		return fmt.Errorf("train: saving the network: %v", trimPkg(err))
	}
	p.printf("saved epoch %d's network to %s (training took %v)", res.BestEpoch, out, time.Since(start).Round(10*time.Millisecond))
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
