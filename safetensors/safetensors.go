// Package safetensors reads and writes the safetensors format: an 8-byte
// little-endian header length, a JSON header that gives each tensor's
// dtype, shape and byte range, an optional "__metadata__" map of strings,
// then the tensors' bytes, packed with no gaps or overlaps.
//
// Reading accepts F32, F16, BF16 and F64 tensors and returns them as
// float32 (F16 and BF16 widen exactly; F64 is rounded to nearest); any
// other dtype is refused by name. Writing produces F32. A hostile file is
// an error, never a panic: the header length, every shape and every offset
// are checked against the documented limits and the real file size before
// anything is allocated, so memory stays bounded by the file.
//
//	tensors, meta, err := safetensors.Load("model.safetensors")
//	err = safetensors.Save("out.safetensors", tensors, map[string]string{"format": "pt"})
//
// The package knows nothing of networks; see package interop for that.
package safetensors

import (
	"errors"
	"fmt"
)

// Limits on what a file may declare, checked before allocation.
const (
	MaxHeaderBytes = 100 << 20 // the JSON header (the reference reader's limit)
	MaxTensors     = 1 << 20
	MaxRank        = 8
	MaxNameBytes   = 1024
)

// Tensor is a named, row-major float32 array. DType says how it was (or
// will be) stored: "F32", "F16", "BF16" or "F64" when read; Save writes F32
// whatever it says.
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

// ErrNotSafetensors says the bytes do not start like a safetensors file.
var ErrNotSafetensors = errors.New("not a safetensors file")

// FormatError describes what is wrong with a file.
type FormatError struct {
	Path string // may be empty
	Msg  string
}

func (e *FormatError) Error() string {
	if e.Path == "" {
		return "safetensors: " + e.Msg
	}
	return fmt.Sprintf("safetensors: %s: %s", e.Path, e.Msg)
}

func errorf(format string, args ...any) error {
	return &FormatError{Msg: fmt.Sprintf(format, args...)}
}
