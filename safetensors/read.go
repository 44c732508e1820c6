package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"unicode/utf8"
)

// Load reads a safetensors file.
func Load(path string) ([]Tensor, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	ts, meta, err := Read(f, fi.Size())
	var fe *FormatError
	if errors.As(err, &fe) {
		fe.Path = path
	}
	return ts, meta, err
}

// elemSize gives the bytes per element of the dtypes read.
var elemSize = map[string]int{"F32": 4, "F16": 2, "BF16": 2, "F64": 8}

// otherDTypes are valid safetensors dtypes this package does not read.
var otherDTypes = map[string]bool{"BOOL": true, "U8": true, "I8": true, "I16": true, "U16": true,
	"I32": true, "U32": true, "I64": true, "U64": true, "F8_E4M3": true, "F8_E5M2": true,
	"F8_E8M0": true, "F4": true, "F6_E2M3": true, "F6_E3M2": true, "C64": true}

type entry struct {
	DType   string   `json:"dtype"`
	Shape   []int64  `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// Read reads a safetensors file of size bytes from r. Tensors come back in
// the order of their data in the file.
func Read(r io.ReaderAt, size int64) ([]Tensor, map[string]string, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, nil, fmt.Errorf("%w: %d bytes, shorter than the 8-byte header length", ErrNotSafetensors, size)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, nil, err
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	switch {
	case n > MaxHeaderBytes:
		return nil, nil, errorf("header length %d is over the %d-byte limit", n, MaxHeaderBytes)
	case n > uint64(size-8):
		return nil, nil, errorf("header length %d but the file has only %d bytes after it", n, size-8)
	case n < 2:
		return nil, nil, errorf("header length %d is too short for a JSON object", n)
	}
	header := make([]byte, n)
	if _, err := r.ReadAt(header, 8); err != nil {
		return nil, nil, err
	}
	if header[0] != '{' {
		return nil, nil, fmt.Errorf("%w: the header does not start with '{'", ErrNotSafetensors)
	}
	if !utf8.Valid(header) {
		return nil, nil, errorf("header is not valid UTF-8")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return nil, nil, errorf("header is not a JSON object: %v", err)
	}
	var meta map[string]string
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, errorf("__metadata__ is not a map of strings: %v", err)
		}
		delete(raw, "__metadata__")
	}
	if len(raw) > MaxTensors {
		return nil, nil, errorf("%d tensors, over the limit of %d", len(raw), MaxTensors)
	}
	dataStart := 8 + int64(n)
	dataLen := size - dataStart
	type planned struct {
		name string
		e    entry
		n    int
	}
	plan := make([]planned, 0, len(raw))
	for name, msg := range raw {
		var e entry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, errorf("tensor %q: %v", name, err)
		}
		if name == "" || len(name) > MaxNameBytes {
			return nil, nil, errorf("tensor name of %d bytes (want 1..%d)", len(name), MaxNameBytes)
		}
		es, ok := elemSize[e.DType]
		if !ok {
			if otherDTypes[e.DType] {
				return nil, nil, errorf("tensor %q has dtype %s; only F32, F16, BF16 and F64 are read", name, e.DType)
			}
			return nil, nil, errorf("tensor %q has unknown dtype %q", name, e.DType)
		}
		if len(e.Shape) > MaxRank {
			return nil, nil, errorf("tensor %q has rank %d, over the limit of %d", name, len(e.Shape), MaxRank)
		}
		count := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, nil, errorf("tensor %q has a negative dimension in shape %v", name, e.Shape)
			}
			if d > 0 && count > maxElements/d {
				return nil, nil, errorf("tensor %q of shape %v has more than 2^48 elements", name, e.Shape)
			}
			count *= d
		}
		b, end := e.Offsets[0], e.Offsets[1]
		if b < 0 || end < b || end > dataLen {
			return nil, nil, errorf("tensor %q has data_offsets [%d, %d] outside the %d data bytes", name, b, end, dataLen)
		}
		if end-b != count*int64(es) {
			return nil, nil, errorf("tensor %q: data_offsets [%d, %d] hold %d bytes but %s%v needs %d", name, b, end, end-b, e.DType, e.Shape, count*int64(es))
		}
		if count > math.MaxInt32 && math.MaxInt == math.MaxInt32 {
			return nil, nil, errorf("tensor %q has %d elements, too many for this 32-bit machine", name, count)
		}
		plan = append(plan, planned{name, e, int(count)})
	}
	slices.SortFunc(plan, func(a, b planned) int {
		if c := cmpInt64(a.e.Offsets[0], b.e.Offsets[0]); c != 0 {
			return c
		}
		return cmpInt64(a.e.Offsets[1], b.e.Offsets[1])
	})
	var at int64
	for _, p := range plan {
		if p.e.Offsets[0] != at {
			if p.e.Offsets[0] < at {
				return nil, nil, errorf("tensor %q overlaps the one before it (starts at %d, before %d)", p.name, p.e.Offsets[0], at)
			}
			return nil, nil, errorf("a gap of %d bytes before tensor %q", p.e.Offsets[0]-at, p.name)
		}
		at = p.e.Offsets[1]
	}
	if at != dataLen {
		return nil, nil, errorf("the tensors hold %d data bytes but the file has %d after the header", at, dataLen)
	}
	tensors := make([]Tensor, len(plan))
	var scratch []byte
	for i, p := range plan {
		shape := make([]int, len(p.e.Shape))
		for k, d := range p.e.Shape {
			shape[k] = int(d)
		}
		t := Tensor{Name: p.name, DType: p.e.DType, Shape: shape, Data: make([]float32, p.n)}
		off := dataStart + p.e.Offsets[0]
		var err error
		if p.e.DType == "F32" {
			err = readF32(r, off, t.Data)
		} else {
			scratch, err = readConverted(r, off, t.Data, p.e.DType, scratch)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %w", p.name, err)
		}
		tensors[i] = t
	}
	return tensors, meta, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// maxElements bounds a shape's product so that byte counts cannot overflow.
const maxElements = 1 << 48

// chunk is how many bytes are converted at a time for non-F32 dtypes.
const chunk = 1 << 20

// readConverted reads len(dst) elements of dtype at off and widens or
// narrows them into dst, a chunk at a time.
func readConverted(r io.ReaderAt, off int64, dst []float32, dtype string, buf []byte) ([]byte, error) {
	es := elemSize[dtype]
	if cap(buf) < chunk {
		buf = make([]byte, chunk)
	}
	per := chunk / es
	for i := 0; i < len(dst); i += per {
		m := min(per, len(dst)-i)
		b := buf[:m*es]
		if _, err := r.ReadAt(b, off+int64(i*es)); err != nil {
			return buf, err
		}
		out := dst[i : i+m]
		switch dtype {
		case "F16":
			for k := range out {
				out[k] = HalfToFloat32(binary.LittleEndian.Uint16(b[2*k:]))
			}
		case "BF16":
			for k := range out {
				out[k] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*k:])) << 16)
			}
		case "F64":
			for k := range out {
				out[k] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*k:])))
			}
		}
	}
	return buf, nil
}

// HalfToFloat32 widens an IEEE 754 binary16 value exactly.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf, NaN (payload kept)
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: normalise the fraction.
	e := uint32(127 - 15 + 1)
	for frac&0x400 == 0 {
		frac <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (frac&0x3ff)<<13)
}
