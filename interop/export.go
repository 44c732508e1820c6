package interop

import (
	"fmt"
	"maps"
	"strconv"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
)

// ToTensors lists a network's weights in the layout of PyTorch's
// nn.Sequential(Linear, ReLU, Linear, …, Linear): the k-th Dense layer
// becomes "<2k>.weight" [out, in] (transposed) and "<2k>.bias". Dropout
// layers, inert at inference, are left out; the softmax head is implied
// (the module outputs logits).
func ToTensors(net *layers.Network) ([]Tensor, error) {
	var out []Tensor
	ls := net.Layers()
	k := 0
	for i, l := range ls {
		switch l := l.(type) {
		case *layers.Dense:
			if k > 0 && !followsReLU(ls[:i]) {
				return nil, fmt.Errorf("interop: Dense layer %d does not follow a ReLU; only Linear/ReLU chains are exported", k)
			}
			w := l.Weights().Value // [in, out]
			t := make([]float32, w.Rows*w.Cols)
			transpose(t, w.Data[:w.Rows*w.Cols], w.Rows, w.Cols) // parameters are compact
			b := l.Biases().Value
			idx := strconv.Itoa(2 * k)
			out = append(out,
				Tensor{Name: idx + ".weight", DType: "F32", Shape: []int{w.Cols, w.Rows}, Data: t},
				Tensor{Name: idx + ".bias", DType: "F32", Shape: []int{b.Cols}, Data: append([]float32(nil), b.Data[:b.Cols]...)})
			k++
		case *layers.ReLU, *layers.Dropout, layers.LossLayer:
		default:
			return nil, fmt.Errorf("interop: a %T layer has no nn.Sequential equivalent here", l)
		}
	}
	if k == 0 {
		return nil, fmt.Errorf("interop: the network has no Dense layer")
	}
	return out, nil
}

// followsReLU reports whether the last non-Dropout layer of ls is a ReLU.
func followsReLU(ls []layers.Layer) bool {
	for i := len(ls) - 1; i >= 0; i-- {
		switch ls[i].(type) {
		case *layers.Dropout:
			continue
		case *layers.ReLU:
			return true
		}
		return false
	}
	return false
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
// "format": "pt" (PyTorch layout) and the architecture.
func ExportMeta(net *layers.Network) map[string]string {
	meta := map[string]string{"format": "pt"}
	if spec, ok := net.Spec(); ok {
		meta["gomlp.architecture"] = spec.String()
	}
	return meta
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

// Logits runs the network on x up to, not including, its softmax head and
// returns the result: what a PyTorch nn.Sequential of the same layers
// outputs. It only reads the network.
func Logits(net *layers.Network, x *mat.Matrix) *mat.Matrix {
	in := x
	for _, l := range net.Layers() {
		if _, ok := l.(layers.LossLayer); ok {
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
