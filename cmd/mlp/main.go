// Command mlp trains, evaluates and runs gomlp's multilayer perceptrons on
// MNIST, and inspects checkpoints.
//
//	mlp train [flags]                 train a network, save the best one, report test accuracy
//	mlp eval -model FILE              confusion matrix and test accuracy of a saved network
//	mlp predict -model FILE IMAGE...  classify PNG/JPEG digits (or -show N test digits)
//	mlp inspect FILE                  metadata and tensors of a checkpoint
//	mlp bench                         this machine's FLOP/s peak, Gemm and training speed
//	mlp import SRC -out DST.gmlp      convert a PyTorch state_dict or safetensors file
//	mlp export -model FILE -out DST   write a network as .safetensors or .pt
//	mlp serve -model FILE             HTTP predictions and a draw-a-digit page
//
// Run `mlp help` or `mlp COMMAND -h` for the flags. Every error is one line
// on stderr starting with "mlp: ", and the exit status is 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `mlp trains, evaluates and runs multilayer perceptrons on MNIST.

Usage:

  mlp train [flags]                 train a network, save the best one, report test accuracy
  mlp eval -model FILE              confusion matrix and test accuracy of a saved network
  mlp predict -model FILE IMAGE...  classify PNG or JPEG digits (or -show N test digits)
  mlp inspect FILE                  metadata and tensors of a checkpoint
  mlp bench                         FMA peak, Gemm and training speed of this machine
  mlp import SRC -out DST.gmlp      convert a PyTorch state_dict or safetensors file
  mlp export -model FILE -out DST   write a network as .safetensors or .pt (PyTorch)
  mlp serve -model FILE             serve predictions and a draw-a-digit page over HTTP

Run "mlp COMMAND -h" for a command's flags.

MNIST is found, in order, in the -data directory, $MNIST_DIR, the user cache
directory, or downloaded (with every file checked against its SHA-256).
`

// errSilent ends the program with status 1 after a command has already said
// why; errInterrupted with status 130 after Ctrl-C.
var (
	errSilent      = errors.New("")
	errInterrupted = errors.New("interrupted")
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "train":
		err = runTrain(rest, stdout, stderr)
	case "eval":
		err = runEval(rest, stdout, stderr)
	case "predict":
		err = runPredict(rest, stdout, stderr)
	case "inspect":
		err = runInspect(rest, stdout, stderr)
	case "bench":
		err = runBench(rest, stdout, stderr)
	case "import":
		err = runImport(rest, stdout, stderr)
	case "export":
		err = runExport(rest, stdout, stderr)
	case "serve":
		err = runServe(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			return run([]string{rest[0], "-h"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
	default:
		err = fmt.Errorf("unknown command %q (want train, eval, predict, inspect, bench, import, export or serve; see mlp help)", cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errInterrupted):
		return 130
	case errors.Is(err, errSilent):
		return 1
	}
	msg := strings.ReplaceAll(strings.ReplaceAll(err.Error(), ":\n", ": "), "\n", "; ")
	msg = strings.Join(strings.Fields(msg), " ")
	fmt.Fprintln(stderr, "mlp: "+msg)
	return 1
}

// parseFlags parses a command's flags. -h prints the usage to stdout and
// returns flag.ErrHelp, which the caller turns into a clean exit; a bad flag
// is an error of one line that points to -h.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, synopsis string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "usage: %s\n\n", synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return err
	}
	if err != nil {
		return fmt.Errorf("%s: %v (see mlp %s -h)", fs.Name(), err, fs.Name())
	}
	return nil
}

// helpOK turns the -h case of parseFlags into success.
func helpOK(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
