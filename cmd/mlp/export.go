package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/interop"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/train"
)

const exportSynopsis = `mlp export -model SRC.gmlp -out DST [-force] [-weights-only=false]

Writes a gomlp network for deployment or for other tools, in the format DST's
extension names: .gmlp (the slim gomlp checkpoint: architecture, weights,
normaliser and the data's metadata, without optimizer state), .safetensors,
.pt (PyTorch, loadable with torch.load(f, weights_only=True)) or .onnx (an
inference graph: Gemm, the activations, Softmax; dropout left out; a
symbolic batch dimension; for ONNX Runtime and the like). For .safetensors
and .pt the tensors are laid out as PyTorch's nn.Sequential(Linear,
activation, Linear, …): "0.weight" [out, in], "0.bias", "2.weight", …, so
that model.load_state_dict(torch.load(f, weights_only=True)) loads them. A
state_dict holds no activations: the Python that builds the model is
printed (and recorded in a safetensors file's metadata). ReLU, Tanh,
Sigmoid, LeakyReLU(0.01) and GELU(approximate='tanh') are exported; a
normalizer is folded into the first Linear and a regression network's
target scaler into the last, exactly up to float32 rounding. With
-weights-only=false the checkpoint's other tensors (optimizer state, best
weights) are written too, under "gomlp." and their names.`

func runExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	model := fs.String("model", "mnist.gmlp", "the gomlp checkpoint to export")
	out := fs.String("out", "", "the file to write: .gmlp, .safetensors, .pt, .pth or .onnx; an existing file is replaced only with -force")
	force := fs.Bool("force", false, "replace an existing -out file")
	weightsOnly := fs.Bool("weights-only", true, "write only the network's weights, no optimizer state")
	if err := parseFlags(fs, args, stdout, exportSynopsis); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected argument %q (the model is given with -model)", fs.Arg(0))
	}
	if *out == "" {
		return fmt.Errorf("export: -out is required (.gmlp, .safetensors, .pt, .pth or .onnx)")
	}
	if err := checkNewOut("export", *out, *force); err != nil {
		return err
	}
	if strings.EqualFold(filepath.Ext(*out), ".onnx") {
		if !*weightsOnly {
			return fmt.Errorf("export: -weights-only=false: an ONNX model holds the inference graph only")
		}
		return runExportONNX(*model, *out, stdout)
	}
	format, err := interop.FormatFromExt(*out)
	if err != nil {
		return fmt.Errorf("export: -out %s: the extension must be .gmlp, .safetensors, .pt, .pth or .onnx", *out)
	}
	c, err := ckpt.Load(*model)
	if err != nil {
		return fmt.Errorf("export: %v", trimPkg(err))
	}
	net, err := train.LoadNetwork(c)
	if err != nil {
		return fmt.Errorf("export: %s: %v", *model, trimPkg(err))
	}
	if format == interop.GMLP {
		return exportWeightsOnly(c, net, *out, *weightsOnly, stdout)
	}
	ts, err := interop.ToTensors(net)
	if err != nil {
		return fmt.Errorf("export: %v", strings.TrimPrefix(err.Error(), "interop: "))
	}
	if !*weightsOnly {
		ts = append(ts, otherTensors(c, net)...)
	}
	switch format {
	case interop.Safetensors:
		err = exportSafetensors(*out, ts, net)
	case interop.Torch:
		err = exportTorch(*out, ts)
	}
	if err != nil {
		return fmt.Errorf("export: %v", err)
	}
	spec, _ := net.Spec()
	fmt.Fprintf(stdout, "wrote %s: %s (%s), %d tensors: ", *out, spec, format, len(ts))
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = fmt.Sprintf("%s %v", t.Name, t.Shape)
	}
	fmt.Fprintln(stdout, strings.Join(names, ", "))
	if f := interop.ExportMeta(net)["gomlp.folded"]; f != "" {
		fmt.Fprintf(stdout, "folded (nn.Sequential has no such module): %s\n", f)
	}
	mods, _ := interop.Sequential(net)
	fmt.Fprintf(stdout, "load it in Python with:\n    import torch\n    from torch import nn\n    model = nn.Sequential(%s)\n", strings.Join(mods, ", "))
	if format == interop.Torch {
		fmt.Fprintf(stdout, "    model.load_state_dict(torch.load(%q, weights_only=True), strict=%s)\n", *out, pyBool(*weightsOnly))
	} else {
		fmt.Fprintf(stdout, "    from safetensors.torch import load_file\n    model.load_state_dict(load_file(%q), strict=%s)\n", *out, pyBool(*weightsOnly))
	}
	return nil
}

// otherTensors lists the float32 tensors of c that are not the network's
// parameters, renamed "gomlp.NAME".
func otherTensors(c *ckpt.Checkpoint, net *layers.Network) []interop.Tensor {
	params := map[string]bool{}
	for _, t := range net.Tensors() {
		params[t.Name] = true
	}
	var out []interop.Tensor
	for _, t := range c.Tensors {
		if !params[t.Name] && t.DType == ckpt.Float32 {
			out = append(out, interop.Tensor{Name: "gomlp." + t.Name, DType: "F32", Shape: t.Shape, Data: t.Data})
		}
	}
	return out
}

func exportSafetensors(out string, ts []interop.Tensor, net *layers.Network) error {
	return interop.WriteTensors(out, interop.Safetensors, ts, interop.ExportMeta(net))
}

func exportTorch(out string, ts []interop.Tensor) error {
	return interop.WriteTensors(out, interop.Torch, ts, nil)
}

// exportWeightsOnly writes the slim gomlp checkpoint a deployment needs: the
// architecture, the network's tensors (normaliser included) and the
// metadata that describes the data (such as a table's columns), without the
// optimizer state and training progress that only -resume uses.
func exportWeightsOnly(c *ckpt.Checkpoint, net *layers.Network, out string, weightsOnly bool, stdout io.Writer) error {
	if !weightsOnly {
		return fmt.Errorf("export: -weights-only=false with a .gmlp -out: that is the checkpoint itself; copy the file instead")
	}
	keep := map[string]string{}
	for k, v := range c.Metadata {
		if !strings.HasPrefix(k, "train.") && !strings.HasPrefix(k, "optim.") {
			keep[k] = v
		}
	}
	if err := interop.SaveNetwork(out, net, keep); err != nil {
		return fmt.Errorf("export: %v", trimPkg(err))
	}
	spec, _ := net.Spec()
	fmt.Fprintf(stdout, "wrote %s: %s, %d tensors, weights only (no optimizer state)\n", out, spec, len(net.Tensors()))
	return nil
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}
