// Command mlp trains, evaluates and runs gomlp's multilayer perceptrons on
// MNIST, and inspects checkpoints.
//
//	mlp train [flags]                 train a network, save the best one, report test accuracy
//	mlp eval -model FILE              confusion matrix and test accuracy of a saved network
//	mlp predict -model FILE IMAGE...  classify PNG/JPEG digits (or -show N test digits)
//	mlp inspect FILE                  metadata and tensors of a checkpoint
//	mlp bench                         this machine's FLOP/s peak, Gemm and training speed
//	mlp import SRC -out DST.gmlp      convert a PyTorch state_dict, safetensors or ONNX file
//	mlp export -model FILE -out DST   write a network as .safetensors, .pt or .onnx
//	mlp serve -model FILE             HTTP predictions and a draw-a-digit page
//
// Run `mlp help` or `mlp COMMAND -h` for the flags. Every error is one line
// on stderr starting with "mlp: ", and the exit status is 1; Ctrl-C ends any
// command within a second with status 130. Every flag and path is checked
// before data is loaded, and only regular files are read or written.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

const usage = `mlp trains, evaluates and runs multilayer perceptrons on MNIST.

Usage:

  mlp train [flags]                 train a network, save the best one, report test accuracy
  mlp train -csv FILE -label COL    the same on a CSV table of your own (eval and predict take -csv too)
  mlp eval -model FILE              confusion matrix and test accuracy of a saved network
  mlp predict -model FILE IMAGE...  classify PNG or JPEG digits (or -show N test digits)
  mlp inspect FILE                  metadata and tensors of a checkpoint
  mlp bench                         FMA peak, Gemm and training speed of this machine
  mlp import SRC -out DST.gmlp      convert a PyTorch state_dict, safetensors or ONNX file
  mlp export -model FILE -out DST   write a network as .safetensors, .pt (PyTorch) or .onnx
  mlp serve -model FILE             serve predictions and a draw-a-digit page over HTTP

Run "mlp COMMAND -h" for a command's flags.

MNIST is found, in order, in the -data directory, $MNIST_DIR, the user cache
directory, or downloaded (with every file checked against its SHA-256); set
MLP_NO_DOWNLOAD=1 to use local copies only.

Errors are one line starting with "mlp: " and exit status 1; Ctrl-C exits
with status 130. Only regular files are read or written.
`

// errSilent ends the program with status 1 after a command has already said
// why; errInterrupted with status 130 after Ctrl-C (an error that wraps it
// is printed first).
var (
	errSilent      = errors.New("")
	errInterrupted = errors.New("interrupted")
)

// interruptGrace is how long the program may take to end after Ctrl-C.
var interruptGrace = time.Second

// interruptible returns a context that Ctrl-C or SIGTERM cancels, and a
// function to call when the work is done. The work stops at its next check
// of the context; if the program has not ended a second after the signal,
// or at a second signal, it exits with status 130 at once, whatever it was
// doing (saves are atomic, so nothing is left half written).
func interruptible(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	grace := interruptGrace
	go func() {
		select {
		case <-sig:
		case <-done:
			return
		}
		cancel()
		timer := time.NewTimer(grace)
		select {
		case <-sig:
		case <-timer.C:
		case <-done:
			return
		}
		fmt.Fprintln(stderr, "mlp: interrupted")
		os.Exit(130)
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sig)
			close(done)
			cancel()
		})
	}
}

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
		if err != errInterrupted {
			fmt.Fprintln(stderr, "mlp: "+err.Error())
		}
		return 130
	case errors.Is(err, errSilent):
		return 1
	}
	msg := strings.ReplaceAll(strings.ReplaceAll(err.Error(), ":\n", ": "), "\n", "; ")
	msg = strings.Join(strings.Fields(msg), " ")
	fmt.Fprintln(stderr, "mlp: "+capLine(msg, maxErrorLine))
	return 1
}

// maxErrorLine bounds an error line: whatever a file makes a message say
// (a list of its names, an architecture of ten thousand layers), the line
// stays readable.
const maxErrorLine = 2000

// capLine cuts s to at most n bytes, on a rune boundary, saying how much
// was left out.
func capLine(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
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
