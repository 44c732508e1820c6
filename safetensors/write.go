package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"

	"github.com/gomlp/gomlp/internal/regular"
)

// Encode writes tensors, in the order given, as F32 with the metadata (which
// may be nil) to w. Names must be unique and non-empty, and each Data must
// hold exactly the elements of its Shape.
func Encode(w io.Writer, tensors []Tensor, meta map[string]string) error {
	if len(tensors) > MaxTensors {
		return fmt.Errorf("safetensors: %d tensors, over the limit of %d", len(tensors), MaxTensors)
	}
	// The header is built by hand so that tensors keep their order.
	var h []byte
	h = append(h, '{')
	if len(meta) > 0 {
		m, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		h = append(h, `"__metadata__":`...)
		h = append(h, m...)
	}
	seen := make(map[string]bool, len(tensors))
	var off int64
	for i := range tensors {
		t := &tensors[i]
		switch {
		case t.Name == "" || len(t.Name) > MaxNameBytes:
			return fmt.Errorf("safetensors: tensor name of %d bytes (want 1..%d)", len(t.Name), MaxNameBytes)
		case t.Name == "__metadata__":
			return fmt.Errorf("safetensors: a tensor may not be called __metadata__")
		case seen[t.Name]:
			return fmt.Errorf("safetensors: two tensors named %q", t.Name)
		case len(t.Shape) > MaxRank:
			return fmt.Errorf("safetensors: tensor %q has rank %d, over the limit of %d", t.Name, len(t.Shape), MaxRank)
		}
		for _, d := range t.Shape {
			if d < 0 {
				return fmt.Errorf("safetensors: tensor %q has shape %v", t.Name, t.Shape)
			}
		}
		if t.Len() != len(t.Data) {
			return fmt.Errorf("safetensors: tensor %q of shape %v has %d values", t.Name, t.Shape, len(t.Data))
		}
		seen[t.Name] = true
		name, _ := json.Marshal(t.Name)
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		s, _ := json.Marshal(shape)
		if len(h) > 1 {
			h = append(h, ',')
		}
		end := off + 4*int64(len(t.Data))
		h = fmt.Appendf(h, `%s:{"dtype":"F32","shape":%s,"data_offsets":[%d,%d]}`, name, s, off, end)
		off = end
	}
	h = append(h, '}')
	// Pad with spaces so the data starts 8-byte aligned, as the reference
	// writer does.
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	if len(h) > MaxHeaderBytes {
		return fmt.Errorf("safetensors: header of %d bytes, over the limit of %d", len(h), MaxHeaderBytes)
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(h)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return err
	}
	for i := range tensors {
		if _, err := w.Write(f32Bytes(tensors[i].Data)); err != nil {
			return err
		}
	}
	return nil
}

// Save writes a safetensors file atomically: to a temporary file in the
// same directory, synced, then renamed over path. A path that exists and is
// not a regular file (a directory, a device such as /dev/null, a named
// pipe) is refused before anything is written.
func Save(path string, tensors []Tensor, meta map[string]string) error {
	if err := regular.WriteFile(path, func(w io.Writer) error { return Encode(w, tensors, meta) }); err != nil {
		return fmt.Errorf("safetensors: save: %w", err)
	}
	return nil
}
