// Package interop moves networks between gomlp and the tensor files of
// other tools: PyTorch state_dicts saved with torch.save (.pt, .pth) and
// safetensors files. It reads and writes them through packages torchpt and
// safetensors, which know nothing of networks, and maps their named tensors
// to a layers.Network and back.
//
// A state_dict has no activations and its names are free ("0.weight",
// "fc1.weight", "layers.3.weight"), so FromTensors finds the network in it:
// the longest chain of 2-D weights whose shapes link up, taken in
// numeric-aware name order ("layers.2" before "layers.10"), each
// PyTorch-style [out, in] weight transposed to gomlp's [in, out], with the
// bias beside it ("fc1.bias" for "fc1.weight") or zero when there is none.
// The Mapping it returns says what was chosen, one line per layer.
// Options give the layer names explicitly, the activations (any of
// gomlp's) and the head, and an input normalisation (x−mean)/std, kept as
// the network's Normalizer or folded exactly into the first layer.
//
// ToTensors goes the other way, to the layout of PyTorch's
// nn.Sequential(Linear, activation, Linear, …): "0.weight" [out, in],
// "0.bias", "2.weight", …, with a Normalizer or TargetScaler folded into
// the neighbouring Linear; Sequential lists the modules to load it into.
//
//	f, err := interop.ReadFile("model.pt")                  // format from the content
//	net, mapping, err := interop.FromTensors(f.Tensors, interop.Options{})
//	err = interop.SaveNetwork("model.gmlp", net, nil)       // weights only
//	err = interop.WriteFile("model.safetensors", net)       // format from the extension
package interop

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlp/gomlp/safetensors"
	"github.com/gomlp/gomlp/torchpt"
)

// Tensor is a named, row-major float32 array. DType is how the file stored
// it ("F32", "float16", …); Data is nil for tensors of integer or bool
// dtypes, which a network cannot use.
type Tensor struct {
	Name  string
	DType string
	Shape []int
	Data  []float32
}

// Format is a kind of file.
type Format string

// The formats Detect knows.
const (
	Unknown     Format = ""
	GMLP        Format = "gomlp checkpoint"
	Safetensors Format = "safetensors"
	Torch       Format = "PyTorch (torch.save zip)"
	TorchLegacy Format = "PyTorch legacy (pre-1.6 pickle)"
)

// Detect tells a file's format from its first bytes (16 are enough).
func Detect(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte{0x89, 'G', 'M', 'L', '\r', '\n', 0x1a, '\n'}):
		return GMLP
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return Torch
	case len(head) >= 2 && head[0] == 0x80 && head[1] <= 5:
		return TorchLegacy
	case len(head) >= 9 && head[8] == '{' && binary.LittleEndian.Uint64(head) <= safetensors.MaxHeaderBytes:
		return Safetensors
	}
	return Unknown
}

// DetectFile reads the first bytes of a file and detects its format.
func DetectFile(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return Unknown, err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Unknown, err
	}
	return Detect(head[:n]), nil
}

// File is what ReadFile found in a file.
type File struct {
	Format   Format
	Tensors  []Tensor          // in the file's order
	Metadata map[string]string // a safetensors header's __metadata__, or nil
}

// ReadFile reads the tensors of a safetensors or PyTorch file, telling
// which from the content, not the name.
func ReadFile(path string) (*File, error) {
	format, err := DetectFile(path)
	if err != nil {
		return nil, err
	}
	f := &File{Format: format}
	switch format {
	case Safetensors:
		ts, meta, err := safetensors.Load(path)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			f.Tensors = append(f.Tensors, Tensor(t))
		}
		f.Metadata = meta
	case Torch, TorchLegacy:
		ts, err := torchpt.Load(path)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			f.Tensors = append(f.Tensors, Tensor(t))
		}
	case GMLP:
		return nil, fmt.Errorf("%s is a gomlp checkpoint, not a foreign file", path)
	default:
		return nil, fmt.Errorf("%s is neither a safetensors file nor a PyTorch (torch.save) file", path)
	}
	return f, nil
}

// FormatFromExt gives the format WriteFile uses for a file name.
func FormatFromExt(path string) (Format, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".safetensors":
		return Safetensors, nil
	case ".pt", ".pth":
		return Torch, nil
	case ".gmlp":
		return GMLP, nil
	default:
		return Unknown, fmt.Errorf("%s: cannot tell the format from the extension %q (want .safetensors, .pt or .pth)", path, ext)
	}
}

// WriteTensors writes tensors as float32 in the given format (Safetensors
// or Torch), atomically. meta goes into a safetensors header and is
// dropped for PyTorch files.
func WriteTensors(path string, format Format, ts []Tensor, meta map[string]string) error {
	switch format {
	case Safetensors:
		st := make([]safetensors.Tensor, len(ts))
		for i, t := range ts {
			st[i] = safetensors.Tensor(t)
		}
		return safetensors.Save(path, st, meta)
	case Torch:
		pt := make([]torchpt.Tensor, len(ts))
		for i, t := range ts {
			pt[i] = torchpt.Tensor(t)
		}
		return torchpt.Save(path, pt)
	}
	return fmt.Errorf("interop: cannot write the %q format", format)
}
