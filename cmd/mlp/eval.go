package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/train"
)

func runEval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	model := fs.String("model", "mnist.gmlp", "the checkpoint to evaluate (it holds the architecture)")
	data := fs.String("data", "", "directory holding the MNIST files (default: $MNIST_DIR, the user cache, or download)")
	quiet := fs.Bool("quiet", false, "print only the final test accuracy")
	csvPath := fs.String("csv", "", "evaluate a model trained with mlp train -csv on this table (same columns; last line: test accuracy, or test r2 for regression)")
	logits := fs.String("logits", "", "also write the logits of every test image to this file, one row per line")
	if err := parseFlags(fs, args, stdout, "mlp eval [-model FILE] [-data DIR]\n       mlp eval -model FILE -csv TABLE\n\nRebuilds the network from the checkpoint alone, prints its confusion matrix on the\nMNIST test set and, as the last line, its test accuracy."); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("eval: unexpected argument %q (the model is given with -model)", fs.Arg(0))
	}
	if *csvPath != "" {
		return runEvalCSV(*model, *csvPath, *quiet, stdout)
	}
	if err := checkDataDir("eval", *data); err != nil {
		return err
	}
	net, err := loadModel(*model)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(stderr)
	defer stop()
	_, test, err := loadData(ctx, *data, stdout, *quiet)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w while loading MNIST", errInterrupted)
		}
		return err
	}
	if *logits != "" {
		if err := writeLogits(*logits, net, test.X); err != nil {
			return fmt.Errorf("eval: %v", err)
		}
	}
	conf, err := train.Confusion(net, test)
	if err != nil {
		return fmt.Errorf("eval: %v", trimPkg(err))
	}
	if !*quiet {
		spec, _ := net.Spec()
		fmt.Fprintf(stdout, "%s: %s, %d test examples\n", *model, spec, test.Len())
		fmt.Fprintln(stdout, "confusion matrix (rows: true digit, columns: predicted):")
		fmt.Fprint(stdout, conf.String())
	}
	fmt.Fprintf(stdout, "test accuracy: %.2f%%\n", 100*conf.Accuracy())
	return nil
}

// checkDataDir checks a -data flag before anything is loaded.
func checkDataDir(cmd, dir string) error {
	if dir == "" {
		return nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: -data: %v", cmd, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s: -data %s: not a directory", cmd, dir)
	}
	return nil
}

// loadModel reads a checkpoint and rebuilds the network it holds; a
// PyTorch, safetensors or ONNX file is mapped as mlp import would.
func loadModel(path string) (*layers.Network, error) {
	if err := checkInputFile(path); err != nil {
		return nil, err
	}
	if isONNX(path) {
		net, err := importONNX(path, io.Discard)
		if err != nil {
			return nil, err
		}
		return checkMNIST(path, net)
	}
	if foreign(path) {
		return loadForeign(path)
	}
	if err := checkModelFile(path); err != nil {
		return nil, err
	}
	c, err := ckpt.Load(path)
	if err != nil {
		return nil, fmt.Errorf("%v", trimPkg(err))
	}
	net, err := train.LoadNetwork(c)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, trimPkg(err))
	}
	net, err = checkMNIST(path, net)
	if _, table := c.Metadata[metaCSVFeatures]; err != nil && table {
		err = fmt.Errorf("%v (it was trained on a table: give that table's columns with -csv TABLE)", err)
	}
	return net, err
}

func checkMNIST(path string, net *layers.Network) (*layers.Network, error) {
	if net.Inputs() != mnist.Pixels || net.Outputs() != mnist.NumClasses {
		return nil, fmt.Errorf("%s: the network takes %d inputs to %d classes; MNIST needs %d to %d", path, net.Inputs(), net.Outputs(), mnist.Pixels, mnist.NumClasses)
	}
	return net, nil
}
