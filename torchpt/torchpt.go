// Package torchpt reads and writes the files PyTorch's torch.save has
// written since version 1.6 (.pt, .pth): a zip archive holding data.pkl, a
// pickle of the saved object, and one file per tensor storage.
//
// Reading never executes anything. A small pickle interpreter understands
// only the opcodes such files use and only an allow-list of globals
// (collections.OrderedDict, torch._utils._rebuild_tensor_v2,
// torch._utils._rebuild_parameter and the torch.*Storage classes); any other
// global (a pickled nn.Module class, os.system, builtins.eval, …) makes the
// file an error that names it, with nothing run. The saved object must be a
// dict of tensors, possibly nested ({"model": state_dict, "epoch": 3}):
// nested names are joined with dots and non-tensor values are skipped.
// Views are honoured (storage offsets, strides, several tensors sharing one
// storage); float32, float16, bfloat16 and float64 tensors are read as
// float32, integer and bool tensors are listed with their dtype but no data.
// The memo, stack, pickle size, entry sizes and compression ratio are
// bounded, and a declared size that lies is an error.
//
// Writing produces a file that torch.load(f, weights_only=True) accepts:
// an OrderedDict of float32 tensors.
//
// The package knows nothing of networks; see package interop for that.
package torchpt

import (
	"errors"
	"fmt"
)

// Tensor is a named, row-major float32 array. DType is the dtype it had in
// the file ("float32", "float16", "bfloat16", "float64"; or an integer or
// bool dtype, whose Data is nil).
type Tensor struct {
	Name  string
	DType string
	Shape []int
	Data  []float32
}

// Len is the number of elements the shape holds (1 for a scalar).
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Limits on the archive, checked before allocation.
const (
	MaxRank     = 8
	MaxTensors  = 1 << 20
	MaxElements = 1 << 40
	// MaxRatio bounds how much a compressed entry may expand (torch.save
	// stores entries uncompressed; this only guards against zip bombs).
	MaxRatio = 200
	// MaxExpansion bounds the float32 elements of all tensors together, as
	// a multiple of the file's size in bytes: views may repeat elements.
	MaxExpansion = 16
)

var (
	// ErrNotTorch says the file is not a PyTorch zip archive.
	ErrNotTorch = errors.New("not a PyTorch file")
	// ErrLegacy says the file is in the pre-1.6 format (a bare pickle).
	ErrLegacy = errors.New("a legacy PyTorch file (the pre-1.6 format, a bare pickle), which is not read: re-save it with a current PyTorch, e.g. torch.save(torch.load(\"old.pt\"), \"new.pt\")")
	// ErrRefused says the pickle names a global that is not allowed.
	ErrRefused = errors.New("refused")
)

// FormatError says what is wrong with a file.
type FormatError struct {
	Path string
	Err  error
}

func (e *FormatError) Error() string {
	if e.Path == "" {
		return "torchpt: " + e.Err.Error()
	}
	return fmt.Sprintf("torchpt: %s: %v", e.Path, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }
