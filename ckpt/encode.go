package ckpt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// chunkSize is the size of Encode's buffer and of its writes. Tests lower it
// to get more write calls out of a small file.
var chunkSize = 256 << 10

// hostLittleEndian is true when float32 memory already has the file's byte order.
var hostLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// layout is a validated checkpoint, ready to write: tensors in name order
// with their file offsets, and the encoded size of every part.
type layout struct {
	tensors  []*Tensor
	offsets  []uint64
	dataEnd  uint64
	indexOff uint64
	indexLen uint64
	fileLen  uint64
	keys     []string // metadata keys, sorted
	meta     map[string]string
}

// Encode writes c to w in the checkpoint format. It checks everything first
// (names, shapes, data lengths, limits and, unless AllowNonFinite is given,
// that every float is finite) and writes nothing if anything is wrong.
// Write errors are returned wrapped, with the number of bytes written.
//
// The tensors must not be modified while Encode runs (a tensor changed
// during the write may be stored torn, or with a checksum that no longer
// matches, making the file unreadable). Encode does not change
// c: tensors are written in name order without reordering c.Tensors.
func Encode(w io.Writer, c *Checkpoint, opts ...SaveOption) error {
	o := saveOptions(opts)
	l, err := plan(c, o)
	if err != nil {
		return err
	}
	return l.write(w)
}

// plan validates c and computes its layout.
func plan(c *Checkpoint, o *options) (*layout, error) {
	if c == nil {
		return nil, errors.New("ckpt: nil Checkpoint")
	}
	if len(c.Tensors) > MaxTensors {
		return nil, fmt.Errorf("ckpt: %d tensors; the format allows at most %d", len(c.Tensors), MaxTensors)
	}
	if len(c.Metadata) > MaxMetadataKeys {
		return nil, fmt.Errorf("ckpt: %d metadata entries; the format allows at most %d", len(c.Metadata), MaxMetadataKeys)
	}
	l := &layout{meta: c.Metadata}
	for k := range c.Metadata {
		l.keys = append(l.keys, k)
	}
	slices.Sort(l.keys)
	indexLen := 8 // metadata header
	for _, k := range l.keys {
		v := c.Metadata[k]
		if why := checkName(k, MaxKeyLen); why != "" {
			return nil, fmt.Errorf("ckpt: metadata key %s: %s", QuoteName(k), why)
		}
		if len(v) > MaxValueLen {
			return nil, fmt.Errorf("ckpt: metadata %s: value of %d bytes; the format allows at most %d", QuoteName(k), len(v), MaxValueLen)
		}
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("ckpt: metadata %s: value is not valid UTF-8", QuoteName(k))
		}
		indexLen += kvLen(len(k), len(v))
	}
	if indexLen > MaxIndexLen {
		return nil, fmt.Errorf("ckpt: the metadata would exceed the index limit of %d bytes", MaxIndexLen)
	}

	l.tensors = make([]*Tensor, len(c.Tensors))
	for i := range c.Tensors {
		l.tensors[i] = &c.Tensors[i]
	}
	slices.SortFunc(l.tensors, func(a, b *Tensor) int { return strings.Compare(a.Name, b.Name) })
	var problems []error
	for i, t := range l.tensors {
		if i > 0 && t.Name == l.tensors[i-1].Name {
			return nil, fmt.Errorf("ckpt: tensor %s appears twice", QuoteName(t.Name))
		}
		if err := checkTensor(t, o.allowNonFinite); err != nil {
			if problems = append(problems, err); len(problems) == 10 {
				break
			}
			continue
		}
		indexLen += recordLen(len(t.Name), len(t.Shape))
		if indexLen > MaxIndexLen {
			return nil, fmt.Errorf("ckpt: the index would exceed %d bytes (too many or too long names)", MaxIndexLen)
		}
	}
	if len(problems) > 0 {
		return nil, tensorErrors(problems)
	}

	end := uint64(dataOffset) // end of the previous tensor's data
	l.offsets = make([]uint64, len(l.tensors))
	for i, t := range l.tensors {
		l.offsets[i] = alignUp(end, Alignment)
		end = l.offsets[i] + uint64(byteLen(t))
	}
	l.dataEnd = end
	l.indexOff = alignUp(end, 8)
	l.indexLen = uint64(indexLen)
	l.fileLen = l.indexOff + l.indexLen + footerLen
	return l, nil
}

// tensorErrors lists up to ten bad tensors, one per line. It matches
// ErrNonFinite (errors.Is) if any of them holds a NaN or infinity.
type tensorErrors []error

func (e tensorErrors) Error() string {
	lines := make([]string, len(e))
	for i, err := range e {
		lines[i] = "ckpt: " + err.Error()
	}
	return strings.Join(lines, "\n")
}

func (e tensorErrors) Unwrap() []error { return e }

type nonFiniteError struct{ msg string }

func (e *nonFiniteError) Error() string { return e.msg }
func (e *nonFiniteError) Unwrap() error { return ErrNonFinite }

func byteLen(t *Tensor) int {
	if t.DType == Float32 {
		return 4 * len(t.Data)
	}
	return len(t.Raw)
}

// checkTensor applies the reader's rules to one tensor before it is written.
func checkTensor(t *Tensor, allowNonFinite bool) error {
	if why := checkName(t.Name, MaxNameLen); why != "" {
		return fmt.Errorf("tensor name %s: %s", QuoteName(t.Name), why)
	}
	if !t.DType.valid() {
		return fmt.Errorf("tensor %s: unknown %v", QuoteName(t.Name), t.DType)
	}
	if len(t.Shape) > MaxRank {
		return fmt.Errorf("tensor %s: rank %d; the format allows at most %d", QuoteName(t.Name), len(t.Shape), MaxRank)
	}
	dims := make([]uint64, len(t.Shape))
	for i, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %s: negative dimension in shape %v", QuoteName(t.Name), t.Shape)
		}
		dims[i] = uint64(d)
	}
	n, ok := numElements(dims)
	if !ok {
		return fmt.Errorf("tensor %s: shape %v exceeds the format's limits (dimension <= 2^40, elements <= 2^48)", QuoteName(t.Name), t.Shape)
	}
	if t.DType == Float32 {
		if uint64(len(t.Data)) != n || len(t.Raw) != 0 {
			return fmt.Errorf("tensor %s: shape %v needs %d float32 elements in Data, have %d (and %d bytes in Raw)", QuoteName(t.Name), t.Shape, n, len(t.Data), len(t.Raw))
		}
	} else if uint64(len(t.Raw)) != n*uint64(t.DType.Size()) || len(t.Data) != 0 {
		return fmt.Errorf("tensor %s: shape %v of %v needs %d bytes in Raw, have %d (and %d elements in Data)", QuoteName(t.Name), t.Shape, t.DType, n*uint64(t.DType.Size()), len(t.Raw), len(t.Data))
	}
	if !allowNonFinite {
		if i := firstNonFinite(t); i >= 0 {
			return &nonFiniteError{fmt.Sprintf("tensor %s: element %d %s is %s: the values have diverged, so they are not saved (the option ckpt.AllowNonFinite() saves them as they are)",
				QuoteName(t.Name), i, coords(t.Shape, i), valueString(t, i))}
		}
	}
	return nil
}

// firstNonFinite returns the index of the first NaN or infinite element of a
// floating-point tensor, or -1.
func firstNonFinite(t *Tensor) int {
	switch t.DType {
	case Float32:
		if ok, i := isFinite32(t.Data); !ok {
			return i
		}
	case Float64:
		return firstNonFiniteFloat64(t.Raw)
	}
	return -1
}

func valueString(t *Tensor, i int) string {
	var v float64
	if t.DType == Float32 {
		v = float64(t.Data[i])
	} else {
		v = math.Float64frombits(binary.LittleEndian.Uint64(t.Raw[8*i:]))
	}
	switch {
	case math.IsNaN(v):
		return "NaN"
	case v > 0:
		return "+Inf"
	}
	return "-Inf"
}

// coords turns a flat row-major index into per-dimension indices, e.g. [3 7].
func coords(shape []int, i int) string {
	if len(shape) == 0 {
		return "[]"
	}
	c := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		c[d] = i % shape[d]
		i /= shape[d]
	}
	return fmt.Sprint(c)
}

// write streams the checkpoint: preamble, tensor data, index, footer.
func (l *layout) write(w io.Writer) error {
	e := &encoder{w: w, buf: make([]byte, 0, min(uint64(chunkSize), l.fileLen))}

	var pre [preambleLen]byte
	copy(pre[:], startMagic[:])
	binary.LittleEndian.PutUint16(pre[8:], formatMajor)
	binary.LittleEndian.PutUint16(pre[10:], formatMinor)
	// 12: incompat flags, 16: compat flags: none in this version.
	binary.LittleEndian.PutUint32(pre[20:], Alignment)
	binary.LittleEndian.PutUint32(pre[60:], maskCRC(crc(pre[:60])))
	e.put(pre[:])

	crcs := make([]uint32, len(l.tensors))
	for i, t := range l.tensors {
		e.zeros(int(l.offsets[i] - uint64(e.n)))
		if t.DType == Float32 {
			crcs[i] = e.putFloat32s(t.Data)
		} else {
			crcs[i] = e.putCRC(t.Raw)
		}
	}
	e.zeros(int(l.indexOff - l.dataEnd))

	index := l.encodeIndex(crcs)
	e.put(index)

	var foot [footerLen]byte
	binary.LittleEndian.PutUint64(foot[0:], l.dataEnd)
	binary.LittleEndian.PutUint64(foot[8:], l.indexOff)
	binary.LittleEndian.PutUint64(foot[16:], l.indexLen)
	binary.LittleEndian.PutUint64(foot[24:], uint64(len(l.tensors)))
	binary.LittleEndian.PutUint64(foot[32:], l.fileLen)
	binary.LittleEndian.PutUint16(foot[40:], formatMajor)
	binary.LittleEndian.PutUint16(foot[42:], formatMinor)
	binary.LittleEndian.PutUint32(foot[44:], maskCRC(crc(index)))
	// 48: reserved, zero.
	binary.LittleEndian.PutUint32(foot[52:], maskCRC(crc(foot[:52])))
	copy(foot[56:], endMagic[:])
	e.put(foot[:])
	e.flush()
	if e.err != nil {
		return e.err
	}
	if uint64(e.n) != l.fileLen { // a bug in this package, not in the caller's data
		return fmt.Errorf("ckpt: internal error: wrote %d bytes, planned %d", e.n, l.fileLen)
	}
	return nil
}

func (l *layout) encodeIndex(crcs []uint32) []byte {
	b := make([]byte, 0, l.indexLen)
	le := binary.LittleEndian
	for i, t := range l.tensors {
		start := len(b)
		b = le.AppendUint16(b, uint16(len(t.Name)))
		b = append(b, dtypeInfo[t.DType].code, byte(len(t.Shape)))
		b = le.AppendUint32(b, 0) // record flags
		b = le.AppendUint64(b, l.offsets[i])
		b = le.AppendUint64(b, uint64(byteLen(t)))
		b = le.AppendUint32(b, maskCRC(crcs[i]))
		b = le.AppendUint32(b, 0) // reserved
		for _, d := range t.Shape {
			b = le.AppendUint64(b, uint64(d))
		}
		b = append(b, t.Name...)
		b = append(b, make([]byte, padTo8(len(b)-start))...)
	}
	b = le.AppendUint32(b, uint32(len(l.keys)))
	b = le.AppendUint32(b, 0) // reserved
	for _, k := range l.keys {
		v := l.meta[k]
		start := len(b)
		b = le.AppendUint16(b, uint16(len(k)))
		b = le.AppendUint16(b, 0) // reserved
		b = le.AppendUint32(b, uint32(len(v)))
		b = append(b, k...)
		b = append(b, v...)
		b = append(b, make([]byte, padTo8(len(b)-start))...)
	}
	return b
}

// encoder writes through one reusable buffer and remembers the first error.
type encoder struct {
	w   io.Writer
	buf []byte
	n   int64 // bytes accepted so far (written or buffered)
	err error
}

func (e *encoder) flush() {
	if e.err == nil && len(e.buf) > 0 {
		var k int
		k, e.err = e.w.Write(e.buf)
		if e.err == nil && k != len(e.buf) {
			e.err = io.ErrShortWrite
		}
		if e.err != nil {
			e.err = fmt.Errorf("ckpt: write failed after %d bytes: %w", e.n-int64(len(e.buf))+int64(k), e.err)
		}
	}
	e.buf = e.buf[:0]
}

// room returns the free part of the buffer, flushing first if it is full.
func (e *encoder) room() []byte {
	if len(e.buf) == cap(e.buf) {
		e.flush()
	}
	return e.buf[len(e.buf):cap(e.buf)]
}

func (e *encoder) put(p []byte) { e.putCRC(p) }

// putCRC writes p and returns its CRC32C. Data of a buffer's size or more
// bypasses the buffer: it is written in pieces straight from p while
// another goroutine checksums p, so that the checksum costs no time when the
// writes (copies into the page cache) are the bottleneck.
func (e *encoder) putCRC(p []byte) uint32 {
	var c uint32
	if len(p) >= cap(e.buf) {
		e.flush()
		sum := make(chan uint32, 1)
		go func(all []byte) { sum <- crc32.Checksum(all, castagnoli) }(p) // both only read p
		for len(p) > 0 && e.err == nil {
			piece := p[:min(len(p), cap(e.buf))]
			k, err := e.w.Write(piece)
			e.n += int64(k)
			if err == nil && k != len(piece) {
				err = io.ErrShortWrite
			}
			if err != nil {
				e.err = fmt.Errorf("ckpt: write failed after %d bytes: %w", e.n, err)
			}
			p = p[len(piece):]
		}
		return <-sum
	}
	for len(p) > 0 && e.err == nil {
		r := e.room()
		k := copy(r, p)
		c = crc32.Update(c, castagnoli, r[:k])
		e.buf = e.buf[:len(e.buf)+k]
		e.n += int64(k)
		p = p[k:]
	}
	return c
}

func (e *encoder) zeros(n int) {
	for n > 0 && e.err == nil {
		r := e.room()
		k := min(n, len(r))
		clear(r[:k])
		e.buf = e.buf[:len(e.buf)+k]
		e.n += int64(k)
		n -= k
	}
}

// putFloat32s writes s as little-endian bytes and returns their CRC32C. On
// a little-endian host the memory already holds those bytes.
func (e *encoder) putFloat32s(s []float32) uint32 {
	if hostLittleEndian {
		return e.putCRC(float32Bytes(s))
	}
	var c uint32
	for len(s) > 0 && e.err == nil {
		r := e.room()
		k := min(len(s), len(r)/4)
		if k == 0 { // less than one element of room left
			e.flush()
			continue
		}
		out := r[:4*k]
		for i, v := range s[:k] {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		}
		c = crc32.Update(c, castagnoli, out)
		e.buf = e.buf[:len(e.buf)+4*k]
		e.n += int64(4 * k)
		s = s[k:]
	}
	return c
}

// float32Bytes views the memory of s as bytes (in host byte order).
func float32Bytes(s []float32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), 4*len(s))
}
