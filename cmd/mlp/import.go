package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gomlp/gomlp/interop"
	"github.com/gomlp/gomlp/layers"
)

const importSynopsis = `mlp import SRC -out DST.gmlp [-force] [-layers NAMES] [-activation A] [-head H] [-mean M -std S [-fold]]

Converts a network saved by another tool into a gomlp checkpoint. The format
is told from SRC's content: a PyTorch state_dict saved with torch.save (.pt,
.pth), a safetensors file, or an ONNX model (whose graph gives the layers,
activations and head; the flags below are for state_dicts). For a state_dict
the layers are the longest chain of 2-D [out, in]
weights whose sizes link, in numeric name order (layers.2 before layers.10),
each with its bias ("fc1.bias" beside "fc1.weight") or zero; -activation
(default relu; tanh, sigmoid, leaky_relu, gelu, or one per hidden layer)
between them, and -head softmax (logits) or mse/huber (a regression
network's raw outputs); a safetensors file written by mlp export records
both, and they are the defaults for it. The mapping chosen is printed, one line per layer.
-mean and -std give the input normalisation the network was trained with;
the model keeps it as its own normalizer (or, with -fold, folds it into the
first layer), so that it takes raw inputs such as MNIST's [0, 1] pixels.`

// importFlags are the options mlp import shares with the commands that
// read foreign files.
type importFlags struct {
	layers, activation, head, mean, std string
	fold                                bool
}

func (f *importFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.layers, "layers", "", "comma-separated weight names (or prefixes before .weight), input to output, instead of finding the chain")
	fs.StringVar(&f.activation, "activation", "", "the activation after each hidden layer: relu, tanh, sigmoid, leaky_relu (slope 0.01) or gelu (tanh form); or one per hidden layer, comma-separated (default: what a safetensors file from mlp export records, else relu)")
	fs.StringVar(&f.head, "head", "", "the output head: softmax (a classifier), mse or huber (a regression network) (default: what a safetensors file from mlp export records, else softmax)")
	fs.BoolVar(&f.fold, "fold", false, "fold -mean/-std into the first layer instead of keeping them as the model's normalizer")
	fs.StringVar(&f.mean, "mean", "", "input normalisation mean, kept as the model's normalizer: one value, or one per input, comma-separated")
	fs.StringVar(&f.std, "std", "", "input normalisation standard deviation (with -mean)")
}

func (f *importFlags) options() (interop.Options, error) {
	opt := interop.Options{Activation: f.activation, Head: f.head, Fold: f.fold}
	if f.layers != "" {
		opt.Layers = strings.Split(f.layers, ",")
	}
	var err error
	if opt.Mean, err = floats("-mean", f.mean); err != nil {
		return opt, err
	}
	if opt.Std, err = floats("-std", f.std); err != nil {
		return opt, err
	}
	return opt, nil
}

func floats(flagName, s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a number", flagName, p)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseWithSource parses flags that may come before or after one
// positional argument, as in `mlp import SRC -out DST`.
func parseWithSource(fs *flag.FlagSet, args []string, stdout io.Writer, synopsis string) (string, error) {
	var src string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		src, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args, stdout, synopsis); err != nil {
		return "", err
	}
	rest := fs.Args()
	if src == "" && len(rest) > 0 {
		src = rest[0]
		if err := parseFlags(fs, rest[1:], stdout, synopsis); err != nil {
			return "", err
		}
		rest = fs.Args()
	}
	if len(rest) > 0 {
		return "", fmt.Errorf("%s: unexpected argument %q", fs.Name(), rest[0])
	}
	if src == "" {
		return "", fmt.Errorf("usage: %s", strings.SplitN(synopsis, "\n", 2)[0])
	}
	return src, nil
}

func runImport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	out := fs.String("out", "", "the gomlp checkpoint to write (.gmlp); an existing file is replaced only with -force")
	force := fs.Bool("force", false, "replace an existing -out file")
	var f importFlags
	f.register(fs)
	src, err := parseWithSource(fs, args, stdout, importSynopsis)
	if err != nil {
		return helpOK(err)
	}
	if *out == "" {
		return fmt.Errorf("import: -out DST.gmlp is required")
	}
	if format, _ := interop.FormatFromExt(*out); format != interop.GMLP {
		return fmt.Errorf("import: -out %s: the output is a gomlp checkpoint and should end in .gmlp", *out)
	}
	opt, err := f.options()
	if err != nil {
		return fmt.Errorf("import: %v", err)
	}
	if err := checkNewOut("import", *out, *force); err != nil {
		return err
	}
	meta := map[string]string{"imported.from": filepath.Base(src)}
	net, err := importNetwork(src, opt, stdout, meta)
	if err != nil {
		return err
	}
	if err := interop.SaveNetwork(*out, net, meta); err != nil {
		return fmt.Errorf("import: %v", trimPkg(err))
	}
	spec, _ := net.Spec()
	fmt.Fprintf(stdout, "wrote %s: %s\n", *out, spec)
	return nil
}

// importNetwork reads a foreign file, whatever its format, and maps it to
// a network, printing the mapping when w is not nil and adding what the
// checkpoint should remember about the mapping to meta, when not nil.
func importNetwork(src string, opt interop.Options, w io.Writer, meta map[string]string) (*layers.Network, error) {
	if isONNX(src) {
		if opt.Layers != nil || opt.Mean != nil || opt.Std != nil || opt.Activation != "" || opt.Head != "" || opt.Fold {
			return nil, fmt.Errorf("import: %s is an ONNX model: its graph gives the layers, activations and normalisation (-layers, -activation, -head, -mean, -std and -fold are for state_dicts)", src)
		}
		if w == nil {
			w = io.Discard
		}
		net, rep, err := importONNX(src, w)
		if err != nil {
			return nil, fmt.Errorf("import: %v", err)
		}
		if rep.InputTransposed && meta != nil {
			meta["imported.input_transposed"] = "the ONNX graph takes [features, batch]; this network takes rows [batch, features]"
		}
		return net, nil
	}
	format, err := interop.DetectFile(src)
	if err != nil {
		return nil, fmt.Errorf("import: %v", err)
	}
	var f *interop.File
	switch format {
	case interop.Safetensors:
		f, err = importSafetensors(src)
	case interop.Torch, interop.TorchLegacy:
		f, err = importTorch(src)
	case interop.GMLP:
		return nil, fmt.Errorf("import: %s is already a gomlp checkpoint", src)
	default:
		return nil, fmt.Errorf("import: %s is not a PyTorch (torch.save), safetensors or ONNX file", src)
	}
	if err != nil {
		return nil, err
	}
	ts := f.Tensors
	recorded := interop.MetaOptions(f.Metadata)
	if opt.Activation == "" {
		opt.Activation = recorded.Activation
	}
	if opt.Head == "" {
		opt.Head = recorded.Head
	}
	net, m, err := interop.FromTensors(ts, opt)
	if err != nil {
		return nil, fmt.Errorf("import: %s: %v", src, strings.TrimPrefix(err.Error(), "interop: "))
	}
	if w != nil {
		fmt.Fprintf(w, "%s: %s, %d tensors\n", src, format, len(ts))
		for _, l := range m.Lines() {
			fmt.Fprintln(w, l)
		}
	}
	return net, nil
}

func importSafetensors(src string) (*interop.File, error) {
	f, err := interop.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("import: %v", strings.TrimPrefix(err.Error(), "safetensors: "))
	}
	return f, nil
}

func importTorch(src string) (*interop.File, error) {
	f, err := interop.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("import: %v", strings.TrimPrefix(err.Error(), "torchpt: "))
	}
	return f, nil
}

// checkNewOut checks, before the source is read, that cmd may write its
// -out file: a regular file or a new one in a writable directory, and an
// existing file only with -force.
func checkNewOut(cmd, out string, force bool) error {
	exists, err := checkOutPath(cmd, "-out", out)
	if err != nil {
		return err
	}
	if exists && !force {
		return fmt.Errorf("%s: -out %s exists: not replacing it (pass -force to replace it, or choose another -out)", cmd, out)
	}
	return nil
}
