package interop

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
)

// ToTensors lists a network's weights in the layout of PyTorch's
// nn.Sequential: Dense layers become nn.Linear and activations their
// PyTorch modules, numbered in order, so the k-th module, when it is a
// Linear, owns "<k>.weight" [out, in] (transposed) and "<k>.bias".
// Dropout layers, inert at inference, are left out; the head is implied
// (the module outputs logits, or a regression network's raw outputs).
// A Normalizer or TargetScaler, which nn.Sequential has no module for, is
// folded exactly into the neighbouring Linear first (see
// layers.Network.Folded). Sequential gives the matching module list.
func ToTensors(net *layers.Network) ([]Tensor, error) {
	s, err := sequential(net)
	return s.tensors, err
}

// Sequential lists the PyTorch modules, in Python, whose nn.Sequential
// loads the state_dict ToTensors writes: "nn.Linear(784, 256)",
// "nn.Tanh()", …
func Sequential(net *layers.Network) ([]string, error) {
	s, err := sequential(net)
	return s.modules, err
}

// exported is a network as an nn.Sequential.
type exported struct {
	tensors []Tensor
	modules []string            // in Python
	acts    []layers.Activation // in order
}

func sequential(net *layers.Network) (exported, error) {
	var e exported
	folded := net
	if net.Normalizer() != nil || net.TargetScaler() != nil {
		var err error
		if folded, err = net.Folded(); err != nil {
			return e, fmt.Errorf("interop: %v", strings.TrimPrefix(err.Error(), "layers: "))
		}
	}
	dense := 0
	for _, l := range folded.Layers() {
		idx := strconv.Itoa(len(e.modules))
		switch l := l.(type) {
		case *layers.Dense:
			w := l.Weights().Value // [in, out]
			t := make([]float32, w.Rows*w.Cols)
			transpose(t, w.Data[:w.Rows*w.Cols], w.Rows, w.Cols) // parameters are compact
			b := l.Biases().Value
			e.tensors = append(e.tensors,
				Tensor{Name: idx + ".weight", DType: "F32", Shape: []int{w.Cols, w.Rows}, Data: t},
				Tensor{Name: idx + ".bias", DType: "F32", Shape: []int{b.Cols}, Data: append([]float32(nil), b.Data[:b.Cols]...)})
			e.modules = append(e.modules, fmt.Sprintf("nn.Linear(%d, %d)", w.Rows, w.Cols))
			dense++
		case *layers.Dropout, layers.LossLayer, layers.RegressionHead:
		default:
			a, ok := activationOf(l)
			if !ok {
				return e, fmt.Errorf("interop: a %T layer has no nn.Sequential equivalent here", l)
			}
			mod := "nn." + torchNames[a]
			if !strings.HasSuffix(mod, ")") {
				mod += "()"
			}
			e.modules = append(e.modules, mod)
			e.acts = append(e.acts, a)
		}
	}
	if dense == 0 {
		return e, fmt.Errorf("interop: the network has no Dense layer")
	}
	return e, nil
}

// activationOf tells which activation a layer is.
func activationOf(l layers.Layer) (layers.Activation, bool) {
	switch l.(type) {
	case *layers.ReLU:
		return layers.ActReLU, true
	case *layers.Tanh:
		return layers.ActTanh, true
	case *layers.Sigmoid:
		return layers.ActSigmoid, true
	case *layers.LeakyReLU:
		return layers.ActLeakyReLU, true
	case *layers.GELU:
		return layers.ActGELU, true
	}
	return 0, false
}

// WriteFile writes a network's weights (see ToTensors) in the format its
// extension names: .safetensors or .pt/.pth.
func WriteFile(path string, net *layers.Network) error {
	format, err := FormatFromExt(path)
	if err != nil {
		return err
	}
	if format == GMLP {
		return SaveNetwork(path, net, nil)
	}
	ts, err := ToTensors(net)
	if err != nil {
		return err
	}
	return WriteTensors(path, format, ts, ExportMeta(net))
}

// ExportMeta is the safetensors metadata written with a network:
// "format": "pt" (PyTorch layout); "gomlp.architecture", the architecture
// of the tensors written (with a Normalizer or TargetScaler folded away,
// so without them); "gomlp.folded", which such layers were folded into
// which Linear; "gomlp.sequential", the modules that load the tensors
// (see Sequential), activations included, since a state_dict has none;
// and "gomlp.activations" and "gomlp.head", which MetaOptions reads back.
func ExportMeta(net *layers.Network) map[string]string {
	meta := map[string]string{"format": "pt"}
	if spec, ok := net.Spec(); ok {
		var folded []string
		if spec.Normalize {
			folded = append(folded, "normalizer into 0.weight/0.bias")
			spec.Normalize = false
		}
		if spec.ScaleTargets {
			folded = append(folded, "target scaler into the last Linear")
			spec.ScaleTargets = false
		}
		meta["gomlp.architecture"] = spec.String()
		if len(folded) > 0 {
			meta["gomlp.folded"] = strings.Join(folded, "; ")
		}
	}
	if e, err := sequential(net); err == nil {
		meta["gomlp.sequential"] = strings.Join(e.modules, ", ")
		acts := make([]string, len(e.acts))
		for i, a := range e.acts {
			acts[i] = a.String()
		}
		meta["gomlp.activations"] = strings.Join(acts, ",")
		head := layers.HeadSoftmax
		for _, l := range net.Layers() {
			if h, ok := l.(layers.RegressionHead); ok {
				head = layers.HeadMSE
				if _, huber := h.(*layers.Huber); huber {
					head = layers.HeadHuber
				}
			}
		}
		meta["gomlp.head"] = head.String()
	}
	return meta
}

// MetaOptions gives the Options that read back a file written with
// ExportMeta's metadata: its activations and head. For other files it
// returns zero Options.
func MetaOptions(meta map[string]string) Options {
	return Options{Activation: meta["gomlp.activations"], Head: meta["gomlp.head"]}
}

// NetworkCheckpoint is a weights-only gomlp checkpoint of a network built
// from a layers.Spec: its architecture metadata, the pairs in extra and the
// parameters, with no optimizer state. train.LoadNetwork rebuilds the
// network from it. The tensors alias the network's memory.
func NetworkCheckpoint(net *layers.Network, extra map[string]string) (*ckpt.Checkpoint, error) {
	spec, ok := net.Spec()
	if !ok {
		return nil, fmt.Errorf("interop: the network was not built from a layers.Spec, so a checkpoint could not rebuild it")
	}
	meta := map[string]string{"writer": "gomlp"}
	maps.Copy(meta, extra)
	maps.Copy(meta, spec.Meta())
	var ts []ckpt.Tensor
	for _, t := range net.Tensors() {
		ts = append(ts, ckpt.Tensor{Name: t.Name, Shape: t.Shape, DType: ckpt.Float32, Data: t.Data})
	}
	return &ckpt.Checkpoint{Metadata: meta, Tensors: ts}, nil
}

// SaveNetwork writes a weights-only gomlp checkpoint (see
// NetworkCheckpoint) atomically.
func SaveNetwork(path string, net *layers.Network, extra map[string]string) error {
	c, err := NetworkCheckpoint(net, extra)
	if err != nil {
		return err
	}
	return ckpt.Save(path, c)
}

// isHead reports whether l is an output head (softmax or regression).
func isHead(l layers.Layer) bool {
	_, loss := l.(layers.LossLayer)
	_, reg := l.(layers.RegressionHead)
	return loss || reg
}

// Logits runs the network on x up to, not including, its softmax head and
// returns the result: what a PyTorch nn.Sequential of the same layers
// outputs (a regression network's predictions). It only reads the network.
func Logits(net *layers.Network, x *mat.Matrix) *mat.Matrix {
	in := x
	for _, l := range net.Layers() {
		if isHead(l) {
			break
		}
		out := mat.New(x.Rows, l.OutputCols(in.Cols))
		l.Forward(out, in, false)
		in = out
	}
	if in == x {
		in = x.Clone()
	}
	return in
}
