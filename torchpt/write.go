package torchpt

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strconv"

	"github.com/gomlp/gomlp/internal/regular"
)

// archiveName is the folder inside the zip; torch.load accepts any.
const archiveName = "archive"

// Encode writes tensors as a torch.save file of an OrderedDict of
// contiguous float32 tensors, in the order given, to w. Each storage entry
// starts 64-byte aligned, as PyTorch writes them.
func Encode(w io.Writer, tensors []Tensor) error {
	seen := map[string]bool{}
	for i := range tensors {
		t := &tensors[i]
		switch {
		case t.Name == "":
			return fmt.Errorf("torchpt: tensor %d has no name", i)
		case seen[t.Name]:
			return fmt.Errorf("torchpt: two tensors named %q", t.Name)
		case len(t.Shape) > MaxRank:
			return fmt.Errorf("torchpt: tensor %q has rank %d, over the limit of %d", t.Name, len(t.Shape), MaxRank)
		}
		for _, d := range t.Shape {
			if d < 0 {
				return fmt.Errorf("torchpt: tensor %q has shape %v", t.Name, t.Shape)
			}
		}
		if t.Len() != len(t.Data) {
			return fmt.Errorf("torchpt: tensor %q of shape %v has %d values", t.Name, t.Shape, len(t.Data))
		}
		seen[t.Name] = true
	}
	cw := &countingWriter{w: w}
	z := zip.NewWriter(cw)
	add := func(name string, data []byte) error {
		name = archiveName + "/" + name
		if err := z.Flush(); err != nil { // so that cw.n is the real offset
			return err
		}
		// Pad the local header's extra field so the data starts aligned.
		const fixed = 30
		pad := (64 - (cw.n+fixed+int64(len(name))+4)%64) % 64
		extra := make([]byte, 4+pad)
		binary.LittleEndian.PutUint16(extra, 0x4246) // "FB", the id PyTorch uses for padding
		binary.LittleEndian.PutUint16(extra[2:], uint16(pad))
		fw, err := z.CreateRaw(&zip.FileHeader{
			Name: name, Method: zip.Store, Extra: extra,
			CRC32: crc32.ChecksumIEEE(data), CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data)),
		})
		if err != nil {
			return err
		}
		_, err = fw.Write(data)
		return err
	}
	if err := add("data.pkl", statePickle(tensors)); err != nil {
		return err
	}
	if err := add("byteorder", []byte("little")); err != nil {
		return err
	}
	for i := range tensors {
		if err := add("data/"+strconv.Itoa(i), f32Bytes(tensors[i].Data)); err != nil {
			return err
		}
	}
	if err := add("version", []byte("3\n")); err != nil {
		return err
	}
	return z.Close()
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// statePickle is the protocol-2 pickle of
// OrderedDict([(name, _rebuild_tensor_v2(storage, 0, shape, stride, False, OrderedDict())), …]).
func statePickle(tensors []Tensor) []byte {
	var p pickleWriter
	p.op(0x80, 2)
	p.global("collections", "OrderedDict")
	p.op(')', 'R') // EMPTY_TUPLE, REDUCE
	p.op('(')      // MARK for SETITEMS
	for i, t := range tensors {
		p.str(t.Name)
		p.global("torch._utils", "_rebuild_tensor_v2")
		p.op('(', '(') // args tuple, then the persistent id tuple
		p.str("storage")
		p.global("torch", "FloatStorage")
		p.str(strconv.Itoa(i))
		p.str("cpu")
		p.int(int64(len(t.Data)))
		p.op('t', 'Q') // TUPLE, BINPERSID
		p.int(0)       // storage offset
		p.op('(')
		for _, d := range t.Shape {
			p.int(int64(d))
		}
		p.op('t', '(')
		stride := int64(1)
		strides := make([]int64, len(t.Shape))
		for k := len(t.Shape) - 1; k >= 0; k-- {
			strides[k] = stride
			stride *= int64(t.Shape[k])
		}
		for _, s := range strides {
			p.int(s)
		}
		p.op('t', 0x89) // TUPLE, NEWFALSE (requires_grad)
		p.global("collections", "OrderedDict")
		p.op(')', 'R', 't', 'R') // backward hooks; close the args; rebuild
	}
	p.op('u', '.') // SETITEMS, STOP
	return p.Bytes()
}

type pickleWriter struct{ bytes.Buffer }

func (p *pickleWriter) op(ops ...byte) { p.Write(ops) }

func (p *pickleWriter) global(module, name string) {
	p.WriteByte('c')
	p.WriteString(module + "\n" + name + "\n")
}

func (p *pickleWriter) str(s string) {
	p.WriteByte('X')
	p.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(s))))
	p.WriteString(s)
}

func (p *pickleWriter) int(v int64) {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		p.WriteByte('J')
		p.Write(binary.LittleEndian.AppendUint32(nil, uint32(int32(v))))
		return
	}
	p.op(0x8a, 8) // LONG1 of 8 bytes
	p.Write(binary.LittleEndian.AppendUint64(nil, uint64(v)))
}

// Save writes a torch.save file atomically: to a temporary file in the
// same directory, synced, then renamed over path. A path that exists and is
// not a regular file (a directory, a device such as /dev/null, a named
// pipe) is refused before anything is written.
func Save(path string, tensors []Tensor) error {
	if err := regular.WriteFile(path, func(w io.Writer) error { return Encode(w, tensors) }); err != nil {
		return fmt.Errorf("torchpt: save: %w", err)
	}
	return nil
}
