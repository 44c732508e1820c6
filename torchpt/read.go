package torchpt

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"path"
	"strconv"
	"strings"
	"unsafe"
)

// littleEndian is true on machines whose float32 memory layout is the
// file's, where contiguous float32 data is copied as bytes.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// Load reads a torch.save file.
func Load(name string) ([]Tensor, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	ts, err := Read(f, fi.Size())
	var fe *FormatError
	if errors.As(err, &fe) {
		fe.Path = name
	}
	return ts, err
}

// Read reads a torch.save file of size bytes from r. Tensors come in the
// order the dict holds them.
func Read(r io.ReaderAt, size int64) ([]Tensor, error) {
	ts, err := read(r, size)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			err = &FormatError{Err: err}
		}
	}
	return ts, err
}

func read(r io.ReaderAt, size int64) ([]Tensor, error) {
	var head [4]byte
	if n, _ := r.ReadAt(head[:], 0); n < 2 {
		return nil, fmt.Errorf("%w: %d bytes", ErrNotTorch, size)
	}
	if head[0] == 0x80 && head[1] <= 5 { // a pickle: torch.save's legacy format
		return nil, ErrLegacy
	}
	if string(head[:]) != "PK\x03\x04" {
		return nil, fmt.Errorf("%w: it is not a zip archive", ErrNotTorch)
	}
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: a broken zip archive: %v", ErrNotTorch, err)
	}
	files := make(map[string]*zip.File, len(z.File))
	var pkl *zip.File
	prefix := ""
	for _, f := range z.File {
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("the archive holds %s twice", f.Name)
		}
		files[f.Name] = f
		dir, base := path.Split(f.Name)
		if base == "data.pkl" && strings.Count(dir, "/") == 1 {
			if pkl != nil {
				return nil, fmt.Errorf("the archive holds two pickles, %s and %s", pkl.Name, f.Name)
			}
			pkl, prefix = f, dir
		}
	}
	if _, ok := findSuffix(files, "/constants.pkl"); ok {
		return nil, fmt.Errorf("%w: a TorchScript archive (torch.jit.save), which holds code; save the model's state_dict() with torch.save instead", ErrNotTorch)
	}
	if pkl == nil {
		return nil, fmt.Errorf("%w: a zip archive without a data.pkl", ErrNotTorch)
	}
	if f, ok := files[prefix+"byteorder"]; ok {
		b, err := readEntry(f, 16, size, nil)
		if err != nil {
			return nil, err
		}
		if string(b) != "little" {
			return nil, fmt.Errorf("byte order %q; only little-endian files are read", b)
		}
	}
	p, err := readEntry(pkl, MaxPickleBytes, size, nil)
	if err != nil {
		return nil, err
	}
	root, err := unpickle(p)
	if err != nil {
		return nil, err
	}
	d, ok := root.(*dict)
	if !ok {
		return nil, fmt.Errorf("the file holds a %s, not a dict of tensors (a state_dict)", typeName(root))
	}
	var refs []named
	if err := flatten(d, "", 0, &refs); err != nil {
		return nil, err
	}
	if len(refs) > MaxTensors {
		return nil, fmt.Errorf("%d tensors, over the limit of %d", len(refs), MaxTensors)
	}
	return materialise(files, prefix, refs, size)
}

func findSuffix(files map[string]*zip.File, suffix string) (*zip.File, bool) {
	for name, f := range files {
		if strings.HasSuffix(name, suffix) {
			return f, true
		}
	}
	return nil, false
}

type named struct {
	name string
	t    *tensorRef
}

// flatten lists the tensors of a (nested) dict in order, joining names
// with dots. A pickle can make a dict hold itself, or one dict many times,
// so cycles are refused and the entries visited are counted.
func flatten(d *dict, prefix string, depth int, out *[]named) error {
	visits := 0
	onPath := map[*dict]bool{}
	var walk func(d *dict, prefix string, depth int) error
	walk = func(d *dict, prefix string, depth int) error {
		if depth > 8 {
			return fmt.Errorf("dicts nested deeper than 8")
		}
		if onPath[d] {
			return fmt.Errorf("a dict that contains itself")
		}
		onPath[d] = true
		defer delete(onPath, d)
		for _, k := range d.keys {
			if visits++; visits > 4*MaxTensors {
				return fmt.Errorf("more than %d dict entries", 4*MaxTensors)
			}
			var key string
			switch k := k.(type) {
			case string:
				key = k
			case int64:
				key = strconv.FormatInt(k, 10)
			default:
				continue
			}
			switch v := d.vals[k].(type) {
			case *tensorRef:
				if len(*out) >= MaxTensors {
					return fmt.Errorf("more than %d tensors", MaxTensors)
				}
				*out = append(*out, named{prefix + key, v})
			case *dict:
				if err := walk(v, prefix+key+".", depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(d, prefix, depth)
}

// readEntry reads one archive member of at most limit bytes, refusing
// entries whose declared or real size is larger, that reach past the end
// of the archive, or that expand more than MaxRatio, before allocating.
// The bytes go into dst when it has the entry's size.
func readEntry(f *zip.File, limit uint64, archiveSize int64, dst []byte) ([]byte, error) {
	n := f.UncompressedSize64
	off, err := f.DataOffset()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	switch {
	case off < 0 || f.CompressedSize64 > uint64(archiveSize-off):
		return nil, fmt.Errorf("%s declares %d bytes at offset %d, past the end of the %d-byte file", f.Name, f.CompressedSize64, off, archiveSize)
	case n > limit:
		return nil, fmt.Errorf("%s declares %d bytes, over the limit of %d", f.Name, n, limit)
	case f.Method != zip.Store && f.Method != zip.Deflate:
		return nil, fmt.Errorf("%s uses zip compression method %d; only stored and deflated entries are read", f.Name, f.Method)
	case f.Method == zip.Store && n != f.CompressedSize64:
		return nil, fmt.Errorf("%s is stored with %d bytes but declares %d", f.Name, f.CompressedSize64, n)
	case f.Method == zip.Deflate && n/MaxRatio > f.CompressedSize64:
		return nil, fmt.Errorf("%s would expand %d bytes to %d, more than %d times (a zip bomb?)", f.Name, f.CompressedSize64, n, MaxRatio)
	case n > math.MaxInt:
		return nil, fmt.Errorf("%s of %d bytes is too large for this machine", f.Name, n)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	defer rc.Close()
	b := dst
	if uint64(len(b)) != n {
		b = make([]byte, n)
	}
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, fmt.Errorf("%s: %d bytes declared: %v", f.Name, n, err)
	}
	// Reading past the declared end must give EOF (archive/zip then also
	// checks the CRC); more data means the size lied.
	var one [1]byte
	if m, err := rc.Read(one[:]); m != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("more data than declared")
		}
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	return b, nil
}

var elemSize = map[string]int{"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8,
	"int64": 8, "int32": 4, "int16": 2, "int8": 1, "uint8": 1, "bool": 1}

// materialise reads the storages the tensors use, once each, and copies
// every tensor's view into a compact float32 array.
func materialise(files map[string]*zip.File, prefix string, refs []named, size int64) ([]Tensor, error) {
	storages := map[string][]byte{}
	var total uint64
	uses := map[string]int{} // tensors per storage
	for _, ref := range refs {
		uses[ref.t.storage.key]++
	}
	dtypes := map[string]string{}
	out := make([]Tensor, 0, len(refs))
	for _, ref := range refs {
		t, s := ref.t, ref.t.storage
		if prev, ok := dtypes[s.key]; ok && prev != s.dtype {
			return nil, fmt.Errorf("storage %s is used as %s and as %s", s.key, prev, s.dtype)
		}
		dtypes[s.key] = s.dtype
		shape := make([]int, len(t.size))
		count := uint64(1)
		last := uint64(t.offset) // the highest element index the view reaches
		for i, d := range t.size {
			hi, lo := bits.Mul64(count, uint64(d))
			if hi != 0 || lo > MaxElements {
				return nil, fmt.Errorf("tensor %q: shape %v has more than %d elements", ref.name, t.size, uint64(MaxElements))
			}
			count = lo
			shape[i] = int(d)
		}
		if count > 0 {
			for i, d := range t.size {
				hi, lo := bits.Mul64(uint64(d-1), uint64(t.stride[i]))
				if hi != 0 || lo > MaxElements {
					return nil, fmt.Errorf("tensor %q: stride %v reaches past any storage", ref.name, t.stride)
				}
				last += lo
			}
			if last >= uint64(s.numel) {
				return nil, fmt.Errorf("tensor %q: offset %d, size %v and stride %v reach element %d of a storage of %d", ref.name, t.offset, t.size, t.stride, last, s.numel)
			}
		}
		if count > uint64(s.numel) {
			// Only stride-0 (expanded) views can be larger than their
			// storage; refusing them keeps memory bounded by the file.
			return nil, fmt.Errorf("tensor %q of shape %v is larger than its storage of %d elements (an expanded view)", ref.name, t.size, s.numel)
		}
		if strings.ContainsAny(s.key, "/\\") || s.key == ".." || s.key == "." || s.key == "" {
			return nil, fmt.Errorf("storage key %q is not a plain name", s.key)
		}
		f, ok := files[prefix+"data/"+s.key]
		if !ok {
			return nil, fmt.Errorf("tensor %q: storage data/%s is not in the archive", ref.name, s.key)
		}
		es := uint64(elemSize[s.dtype])
		if uint64(s.numel) > MaxElements || uint64(s.numel)*es > math.MaxInt {
			return nil, fmt.Errorf("storage %s of %d elements is over the limit", s.key, s.numel)
		}
		want := uint64(s.numel) * es
		if f.UncompressedSize64 != want {
			return nil, fmt.Errorf("storage %s holds %d bytes but %d %s elements need %d", s.key, f.UncompressedSize64, s.numel, s.dtype, want)
		}
		tensor := Tensor{Name: ref.name, DType: s.dtype, Shape: shape}
		if !isFloat(s.dtype) {
			out = append(out, tensor) // listed, not read
			continue
		}
		// A float32 storage that is exactly one tensor's data (the usual
		// case) is read straight into it.
		if _, done := storages[s.key]; !done && uses[s.key] == 1 && littleEndian &&
			s.dtype == "float32" && t.offset == 0 && count == uint64(s.numel) && contiguous(t) {
			tensor.Data = make([]float32, count)
			if count > 0 {
				if _, err := readEntry(f, want, size, unsafe.Slice((*byte)(unsafe.Pointer(&tensor.Data[0])), 4*count)); err != nil {
					return nil, err
				}
			}
			out = append(out, tensor)
			continue
		}
		raw, ok := storages[s.key]
		if !ok {
			var err error
			if raw, err = readEntry(f, want, size, nil); err != nil {
				return nil, err
			}
			storages[s.key] = raw
		}
		// Views may repeat a storage's elements (the same tensor under
		// several names, overlapping views): bound the total by the file.
		if total += count; total > MaxExpansion*uint64(size)+1<<20 {
			return nil, fmt.Errorf("the tensors hold %d elements in all, more than %d times the %d-byte file", total, MaxExpansion, size)
		}
		tensor.Data = make([]float32, count)
		if count > 0 {
			gather(tensor.Data, raw, s.dtype, t)
		}
		out = append(out, tensor)
	}
	return out, nil
}

func isFloat(dtype string) bool {
	switch dtype {
	case "float32", "float16", "bfloat16", "float64":
		return true
	}
	return false
}

// gather copies the view t of raw (elements of dtype) into dst in
// row-major order. The bounds were checked by the caller.
func gather(dst []float32, raw []byte, dtype string, t *tensorRef) {
	if contiguous(t) && dtype == "float32" {
		decodeF32(dst, raw[4*t.offset:])
		return
	}
	idx := make([]int64, len(t.size))
	at := t.offset
	for i := range dst {
		dst[i] = element(raw, dtype, at)
		// Advance the multi-index like an odometer.
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			at += t.stride[k]
			if idx[k] < t.size[k] {
				break
			}
			at -= idx[k] * t.stride[k]
			idx[k] = 0
		}
	}
}

func contiguous(t *tensorRef) bool {
	want := int64(1)
	for k := len(t.size) - 1; k >= 0; k-- {
		if t.size[k] != 1 && t.stride[k] != want {
			return false
		}
		want *= t.size[k]
	}
	return true
}

func element(raw []byte, dtype string, i int64) float32 {
	switch dtype {
	case "float32":
		return math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	case "float16":
		return halfToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
	case "bfloat16":
		return math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
	default: // float64
		return float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
	}
}

func decodeF32(dst []float32, raw []byte) {
	if littleEndian {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), raw)
		return
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
}

// halfToFloat32 widens an IEEE 754 binary16 value exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	}
	e := uint32(127 - 15 + 1)
	for frac&0x400 == 0 {
		frac <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (frac&0x3ff)<<13)
}
