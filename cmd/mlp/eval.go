package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

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
	logits := fs.String("logits", "", "also write the logits of every test image to this file, one row per line")
	if err := parseFlags(fs, args, stdout, "mlp eval [-model FILE] [-data DIR]\n\nRebuilds the network from the checkpoint alone, prints its confusion matrix on the\nMNIST test set and, as the last line, its test accuracy."); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("eval: unexpected argument %q (the model is given with -model)", fs.Arg(0))
	}
	net, err := loadModel(*model)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, test, err := loadMNIST(ctx, *data, stdout, *quiet)
	if err != nil {
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

// loadModel reads a checkpoint and rebuilds the network it holds; a
// PyTorch or safetensors file is mapped as mlp import would.
func loadModel(path string) (*layers.Network, error) {
	if foreign(path) {
		return loadForeign(path)
	}
	c, err := ckpt.Load(path)
	if err != nil {
		return nil, fmt.Errorf("%v", trimPkg(err))
	}
	net, err := train.LoadNetwork(c)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, trimPkg(err))
	}
	return checkMNIST(path, net)
}

func checkMNIST(path string, net *layers.Network) (*layers.Network, error) {
	if net.Inputs() != mnist.Pixels || net.Outputs() != mnist.NumClasses {
		return nil, fmt.Errorf("%s: the network takes %d inputs to %d classes; MNIST needs %d to %d", path, net.Inputs(), net.Outputs(), mnist.Pixels, mnist.NumClasses)
	}
	return net, nil
}
