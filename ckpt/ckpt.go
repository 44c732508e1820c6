// Package ckpt reads and writes gomlp checkpoints: named tensors with shapes
// and a dtype, plus a map of string metadata, in a binary format specified in
// ckpt/FORMAT.md.
//
// The format is built so that a damaged or hostile file is always detected
// and never harms the reader: fixed-width little-endian fields, a magic
// number and version at both ends, CRC32C over every part, one canonical
// layout (sorted names, 64-byte aligned data, zero padding, exact length), and
// limits that are checked before anything is allocated. Values are stored bit
// for bit (NaN payloads, -0 and subnormals survive).
//
// Writing:
//
//	c := &ckpt.Checkpoint{
//		Metadata: map[string]string{"arch": "mlp", "arch.inputs": "784", "train.step": "1200"},
//		Tensors:  []ckpt.Tensor{{Name: "dense_0/weights", Shape: []int{784, 128}, Data: w}},
//	}
//	err := ckpt.Save("model.gmlp", c) // atomic and durable; refuses NaN/Inf
//
// Reading and restoring into a model, in two phases (the model is changed only
// if every tensor matches):
//
//	c, err := ckpt.Load("model.gmlp")
//	report, err := c.Restore(params)                          // strict
//	report, err = c.Restore(params, ckpt.Skip("dense_2/*"))  // finetuning a new head
//
// Check does the first phase alone, from names and shapes, so a program can
// check a file against a model before allocating the model. Save takes
// SaveOptions and Restore RestoreOptions, distinct types, so a restore-only
// option given to Save does not compile.
//
// The package never interprets metadata. gomlp's own packages write "arch"
// and "arch.*" (layers.Spec.Meta: enough to rebuild the network), "optim.*"
// (sgd.Config.Meta), "train.*" (training settings and progress, from
// package train) and "writer"; FORMAT.md lists every key.
//
// Large files: Load reads in one pass, with memory equal to the tensors'
// size. A file that holds fewer bytes on disk than it declares (a sparse
// file) has each large tensor's checksum verified before its memory is
// allocated, so it cannot make Load allocate what is not there. Decoding is
// linear in the file's size and tensor count; Tensors come back sorted, so
// Checkpoint.Tensor finds a name by binary search. For listings, quote names
// with DisplayName (or QuoteName): names that differ only by invisible
// characters then print differently.
//
// Temporary files: Save writes ".<base>.tmp-<16 hex digits>" beside the
// destination and renames it. A save killed midway leaves that file behind;
// the next Save of the same path removes such files once no process holds
// their lock (on Unix) and they are a minute old. Elsewhere, or to clean up
// at once, remove them by hand: they are never complete checkpoints.
package ckpt

import (
	"fmt"
	"path"
	"sort"
)

// Checkpoint is a set of named tensors and string metadata.
type Checkpoint struct {
	Metadata map[string]string
	// Tensors in any order for Save; Load and Read return them sorted by name.
	Tensors []Tensor

	file string // where Load read it from, for error messages
}

// Tensor is a named, shaped array of elements, stored row-major.
//
// Float32 elements live in Data. Elements of any other DType live in Raw as
// little-endian bytes (len(Raw) == product(Shape) * DType.Size()), so that
// files with other dtypes can be inspected and carried through unchanged.
// A tensor with an empty Shape is a scalar with one element.
type Tensor struct {
	Name  string
	Shape []int
	DType DType
	Data  []float32
	Raw   []byte
}

// Len returns the number of elements the shape holds, or -1 if a dimension is
// negative or the product overflows an int.
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return -1
		}
		if d != 0 && n > int(^uint(0)>>1)/d {
			return -1
		}
		n *= d
	}
	return n
}

// Tensor returns the tensor with the given name, or nil.
func (c *Checkpoint) Tensor(name string) *Tensor {
	if i := sort.Search(len(c.Tensors), func(i int) bool { return c.Tensors[i].Name >= name }); i < len(c.Tensors) && c.Tensors[i].Name == name {
		return &c.Tensors[i]
	}
	for i := range c.Tensors { // not sorted: built by hand
		if c.Tensors[i].Name == name {
			return &c.Tensors[i]
		}
	}
	return nil
}

// A SaveOption changes how Save and Encode behave, a RestoreOption how
// Restore and Check behave. They are separate types, so the compiler
// refuses a restore-only option given to Save. AllowNonFinite is both.
type (
	SaveOption    interface{ applySave(*options) }
	RestoreOption interface{ applyRestore(*options) }
)

// Option is an option for both saving and restoring (AllowNonFinite).
type Option interface {
	SaveOption
	RestoreOption
}

type options struct {
	allowNonFinite  bool
	allowMissing    bool
	allowUnexpected bool
	skip            []string
	renames         []rename
}

type rename struct{ from, to string }

// restoreOption is a RestoreOption; bothOption is an Option.
type (
	restoreOption func(*options)
	bothOption    func(*options)
)

func (f restoreOption) applyRestore(o *options) { f(o) }
func (f bothOption) applyRestore(o *options)    { f(o) }
func (f bothOption) applySave(o *options)       { f(o) }

// AllowNonFinite lets Save and Encode write NaN and infinite values, and lets
// Restore copy them into the model. Without it both refuse, so that a
// diverged training run cannot overwrite the last good checkpoint.
func AllowNonFinite() Option {
	return bothOption(func(o *options) { o.allowNonFinite = true })
}

// AllowMissing lets Restore succeed when model tensors are absent from the
// checkpoint; they keep their current values and are listed in Report.Missing.
func AllowMissing() RestoreOption {
	return restoreOption(func(o *options) { o.allowMissing = true })
}

// AllowUnexpected lets Restore succeed when the checkpoint holds tensors the
// model does not have; they are listed in Report.Unexpected.
func AllowUnexpected() RestoreOption {
	return restoreOption(func(o *options) { o.allowUnexpected = true })
}

// Skip makes Restore leave alone every tensor whose (model-side) name matches
// one of the patterns, in the syntax of path.Match: "dense_2/*" matches
// "dense_2/weights" and "dense_2/biases". Skipped tensors are neither copied
// nor checked, on both sides; use it to finetune a model whose layers changed.
func Skip(patterns ...string) RestoreOption {
	return restoreOption(func(o *options) { o.skip = append(o.skip, patterns...) })
}

// Rename makes Restore read a checkpoint tensor named from+rest into the
// model tensor named to+rest. With several renames the longest matching from
// wins. Skip patterns apply to the renamed names.
func Rename(from, to string) RestoreOption {
	return restoreOption(func(o *options) { o.renames = append(o.renames, rename{from, to}) })
}

func saveOptions(opts []SaveOption) *options {
	o := &options{}
	for _, opt := range opts {
		opt.applySave(o)
	}
	return o
}

func restoreOptions(opts []RestoreOption) *options {
	o := &options{}
	for _, opt := range opts {
		opt.applyRestore(o)
	}
	return o
}

func (o *options) checkPatterns() error {
	for _, p := range o.skip {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("ckpt: Skip(%q): %v", p, err)
		}
	}
	return nil
}
