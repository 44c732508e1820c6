package ckpt

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/bits"
	"unicode/utf8"

	"github.com/gomlp/gomlp/internal/regular"
)

// minFileLen is the size of a checkpoint with no tensors and no metadata.
const minFileLen = preambleLen + 8 + footerLen

// Load reads and fully verifies the checkpoint at path (see Read). It opens
// the file first and then checks what it opened (so a path swapped in
// between cannot fool it), and refuses anything but a regular file: on Unix
// the open does not wait, so a FIFO or device at path is refused at once.
func Load(path string) (*Checkpoint, error) {
	f, err := regular.OpenNoWait(path)
	if err != nil {
		return nil, fmt.Errorf("ckpt: %w%s", err, missingFileHint(path))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("ckpt: %w", err)
	}
	if fi.IsDir() {
		return nil, &FileError{File: path, Kind: ErrNotCheckpoint, Msg: "is a directory" + dirHint(path)}
	}
	if !fi.Mode().IsRegular() { // a FIFO or device could block or never end
		return nil, &FileError{File: path, Kind: ErrNotCheckpoint, Msg: "not a regular file (" + fi.Mode().Type().String() + ")"}
	}
	if fi.Size() == 0 {
		var b [1]byte
		if n, _ := f.Read(b[:]); n > 0 { // /proc files say 0 and have content
			return nil, &FileError{File: path, Kind: ErrNotCheckpoint, Msg: "not a gomlp checkpoint: its size is reported as 0 bytes but it has content (a virtual file, such as those under /proc?)"}
		}
	}
	if err := regular.Blocking(f); err != nil {
		return nil, fmt.Errorf("ckpt: %w", err)
	}
	// A file with fewer bytes on disk than its size (sparse, or on a
	// compressing file system) could declare far more data than it holds:
	// verify its large tensors before allocating them. A fully allocated
	// file holds its bytes for real and is read in one pass.
	verifyFirst := true
	if n, ok := allocatedBytes(fi); ok && n >= fi.Size() {
		verifyFirst = false
	}
	d := &decoder{r: f, size: fi.Size(), name: path, verifyFirst: verifyFirst}
	c, err := d.run()
	if err != nil {
		return nil, err
	}
	c.file = path
	return c, nil
}

// Read reads and fully verifies a checkpoint of size bytes from r: layout,
// limits, every checksum and every padding byte. Tensors come back sorted by
// name, Float32 data in Tensor.Data and other dtypes in Tensor.Raw.
//
// Read never trusts the input: every count and length is checked against the
// format's limits and against size before anything is allocated, so a
// hostile input cannot make it panic, loop, or allocate more than a few times
// size bytes. Errors are *FileError values that say what is wrong (and for a
// file of another kind, such as a PyTorch or safetensors file, what it looks
// like); they match ErrNotCheckpoint, ErrTruncated, ErrChecksum,
// ErrMalformed or ErrUnsupported with errors.Is. An error from r itself is
// returned wrapped.
func Read(r io.ReaderAt, size int64) (*Checkpoint, error) {
	_, inMemory := r.(*bytes.Reader)
	d := &decoder{r: r, size: size, verifyFirst: !inMemory}
	return d.run()
}

func (d *decoder) run() (*Checkpoint, error) {
	c, err := d.decode()
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.File = d.name
		} else if d.name != "" {
			err = fmt.Errorf("ckpt: %s: %w", d.name, err)
		} else {
			err = fmt.Errorf("ckpt: %w", err)
		}
		return nil, err
	}
	return c, nil
}

type decoder struct {
	r    io.ReaderAt
	size int64
	name string // file name, for hints; may be ""

	// verifyFirst: check the CRC of tensors over bigTensor before
	// allocating them (the input may declare more than it holds).
	verifyFirst bool
}

// readAt reads exactly len(p) bytes at off; running out of file is truncation.
func (d *decoder) readAt(p []byte, off int64) error {
	n, err := d.r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		return fileErrorf(ErrTruncated, "file ended at byte %d, before the %d bytes its size promised", off+int64(n), d.size)
	}
	return err
}

// footer holds the footer's fields.
type footer struct {
	dataEnd, indexOff, indexLen, count, fileLen uint64
}

func (d *decoder) decode() (*Checkpoint, error) {
	if d.size < 0 {
		return nil, fileErrorf(ErrMalformed, "negative size %d", d.size)
	}
	var pre [preambleLen]byte
	head := pre[:min(d.size, preambleLen)]
	if err := d.readAt(head, 0); err != nil {
		return nil, err
	}
	if len(head) < magicLen || !bytes.Equal(head[:magicLen], startMagic[:]) {
		what, ours := describe(d.r, d.size, d.name)
		switch {
		case !ours:
			return nil, fileErrorf(ErrNotCheckpoint, "not a gomlp checkpoint: %s", what)
		case len(head) < magicLen:
			return nil, fileErrorf(ErrTruncated, "%s", what)
		}
		return nil, fileErrorf(ErrMalformed, "%s", what)
	}
	if major := binary.LittleEndian.Uint16(pre[8:]); len(head) >= 12 && major != formatMajor {
		minor := binary.LittleEndian.Uint16(pre[10:])
		if len(head) == preambleLen && maskCRC(crc(pre[:60])) == binary.LittleEndian.Uint32(pre[60:]) {
			if major < formatMajor {
				return nil, fileErrorf(ErrUnsupported, "says checkpoint format %d.%d, which no gomlp has written; this build reads format %d", major, minor, formatMajor)
			}
			return nil, fileErrorf(ErrUnsupported, "written in checkpoint format %d.%d; this build reads format %d (a newer gomlp wrote it?)", major, minor, formatMajor)
		}
		return nil, fileErrorf(ErrUnsupported, "format version field says %d.%d and the preamble checksum does not match: damaged, or a format this build does not know", major, minor)
	}
	if d.size < minFileLen {
		return nil, fileErrorf(ErrTruncated, "only %d bytes; the smallest checkpoint has %d (truncated)", d.size, minFileLen)
	}
	var foot [footerLen]byte
	if err := d.readAt(foot[:], d.size-footerLen); err != nil {
		return nil, err
	}
	if !bytes.Equal(foot[56:], endMagic[:]) {
		return nil, fileErrorf(ErrTruncated, "no end marker in the last bytes: the file is truncated or was not completely written (%d bytes)", d.size)
	}
	if maskCRC(crc(pre[:60])) != binary.LittleEndian.Uint32(pre[60:]) {
		return nil, fileErrorf(ErrChecksum, "preamble checksum mismatch (bytes 0-63 are damaged)")
	}
	if maskCRC(crc(foot[:52])) != binary.LittleEndian.Uint32(foot[52:]) {
		return nil, fileErrorf(ErrChecksum, "footer checksum mismatch (the last 64 bytes are damaged)")
	}
	f, err := d.checkFrame(&pre, &foot)
	if err != nil {
		return nil, err
	}

	// The padding between the data and the index.
	var gap [8]byte
	if err := d.readAt(gap[:f.indexOff-f.dataEnd], int64(f.dataEnd)); err != nil {
		return nil, err
	}
	if gap != [8]byte{} {
		return nil, fileErrorf(ErrMalformed, "non-zero padding at bytes %d-%d", f.dataEnd, f.indexOff-1)
	}

	index := make([]byte, f.indexLen) // at most MaxIndexLen, and known to be in the file
	if err := d.readAt(index, int64(f.indexOff)); err != nil {
		return nil, err
	}
	if maskCRC(crc(index)) != binary.LittleEndian.Uint32(foot[44:]) {
		return nil, fileErrorf(ErrChecksum, "index checksum mismatch (bytes %d-%d are damaged)", f.indexOff, f.indexOff+f.indexLen-1)
	}
	c, recs, err := parseIndex(index, f)
	if err != nil {
		return nil, err
	}
	if err := d.readData(c, recs, f); err != nil {
		return nil, err
	}
	return c, nil
}

// checkFrame validates the preamble and footer fields against each other and
// against the file size. Afterwards every footer offset is known to lie in
// the file, so later arithmetic on them cannot overflow.
func (d *decoder) checkFrame(pre, foot *[64]byte) (footer, error) {
	le := binary.LittleEndian
	if flags := le.Uint32(pre[12:]); flags != 0 {
		return footer{}, fileErrorf(ErrUnsupported, "uses format features this build does not know (incompatible-feature flags %#x)", flags)
	}
	if a := le.Uint32(pre[20:]); a != Alignment {
		return footer{}, fileErrorf(ErrMalformed, "alignment %d in the preamble; format 1 requires %d", a, Alignment)
	}
	if !allZero(pre[24:60]) {
		return footer{}, fileErrorf(ErrMalformed, "reserved preamble bytes 24-59 are not zero")
	}
	if pm, pn, fm, fn := le.Uint16(pre[8:]), le.Uint16(pre[10:]), le.Uint16(foot[40:]), le.Uint16(foot[42:]); pm != fm || pn != fn {
		return footer{}, fileErrorf(ErrMalformed, "footer says format %d.%d, preamble says %d.%d", fm, fn, pm, pn)
	}
	if !allZero(foot[48:52]) {
		return footer{}, fileErrorf(ErrMalformed, "reserved footer bytes are not zero")
	}
	f := footer{
		dataEnd:  le.Uint64(foot[0:]),
		indexOff: le.Uint64(foot[8:]),
		indexLen: le.Uint64(foot[16:]),
		count:    le.Uint64(foot[24:]),
		fileLen:  le.Uint64(foot[32:]),
	}
	size := uint64(d.size)
	switch {
	case f.fileLen > size:
		return f, fileErrorf(ErrTruncated, "file is %d bytes, its footer says %d (truncated)", size, f.fileLen)
	case f.fileLen < size:
		return f, fileErrorf(ErrMalformed, "file is %d bytes, its footer says %d (extra bytes)", size, f.fileLen)
	case f.dataEnd < dataOffset || f.dataEnd > size-footerLen:
		return f, fileErrorf(ErrMalformed, "data end %d is outside the file", f.dataEnd)
	case f.indexOff != alignUp(f.dataEnd, 8):
		return f, fileErrorf(ErrMalformed, "index offset %d, want %d (data end rounded up to 8)", f.indexOff, alignUp(f.dataEnd, 8))
	case f.indexLen < 8 || f.indexLen%8 != 0 || f.indexLen > MaxIndexLen:
		return f, fileErrorf(ErrMalformed, "index length %d is not a multiple of 8 between 8 and %d", f.indexLen, MaxIndexLen)
	case f.indexOff > size-footerLen || f.indexLen != size-footerLen-f.indexOff:
		return f, fileErrorf(ErrMalformed, "index [%d, +%d) does not end where the footer starts (%d)", f.indexOff, f.indexLen, size-footerLen)
	case f.count > MaxTensors || f.count > (f.indexLen-8)/minRecord:
		return f, fileErrorf(ErrMalformed, "tensor count %d does not fit an index of %d bytes (or exceeds %d)", f.count, f.indexLen, MaxTensors)
	}
	return f, nil
}

// record is a parsed index record.
type record struct {
	offset, byteLen uint64
	crc             uint32
}

// cursor reads fields from the index, bounds-checked.
type cursor struct {
	b   []byte
	pos int
}

func (c *cursor) left() int { return len(c.b) - c.pos }

func (c *cursor) next(n int) []byte {
	p := c.b[c.pos : c.pos+n]
	c.pos += n
	return p
}

func (c *cursor) u16() uint16 { return binary.LittleEndian.Uint16(c.next(2)) }
func (c *cursor) u32() uint32 { return binary.LittleEndian.Uint32(c.next(4)) }
func (c *cursor) u64() uint64 { return binary.LittleEndian.Uint64(c.next(8)) }

// pad consumes the zero padding that brings a field started at start to a
// multiple of 8 bytes.
func (c *cursor) pad(start int) bool {
	n := padTo8(c.pos - start)
	return n <= c.left() && allZero(c.next(n))
}

func parseIndex(index []byte, f footer) (*Checkpoint, []record, error) {
	cur := &cursor{b: index}
	c := &Checkpoint{Tensors: make([]Tensor, f.count)}
	recs := make([]record, f.count)
	end := uint64(dataOffset) // end of the previous tensor's data
	for i := range c.Tensors {
		t := &c.Tensors[i]
		bad := func(format string, args ...any) error {
			return fileErrorf(ErrMalformed, "index record %d: "+format, append([]any{i}, args...)...)
		}
		start := cur.pos
		if cur.left() < recordFixed {
			return nil, nil, bad("index ends inside the record")
		}
		nameLen := int(cur.u16())
		b := cur.next(2)
		code, rank := b[0], int(b[1])
		flags := cur.u32()
		r := &recs[i]
		r.offset, r.byteLen = cur.u64(), cur.u64()
		r.crc = cur.u32()
		reserved := cur.u32()
		switch {
		case nameLen == 0 || nameLen > MaxNameLen:
			return nil, nil, bad("name length %d is not between 1 and %d", nameLen, MaxNameLen)
		case rank > MaxRank:
			return nil, nil, bad("rank %d exceeds %d", rank, MaxRank)
		case flags != 0 || reserved != 0:
			return nil, nil, bad("reserved fields are not zero")
		case cur.left() < 8*rank+nameLen:
			return nil, nil, bad("index ends inside the record")
		}
		dims := make([]uint64, rank)
		for j := range dims {
			dims[j] = cur.u64()
		}
		name := cur.next(nameLen)
		if !cur.pad(start) {
			return nil, nil, bad("bad padding after the name")
		}
		t.Name = string(name)
		if why := checkName(t.Name, MaxNameLen); why != "" {
			return nil, nil, bad("name %s: %s", QuoteName(t.Name), why)
		}
		if i > 0 && t.Name <= c.Tensors[i-1].Name {
			if t.Name == c.Tensors[i-1].Name {
				return nil, nil, bad("duplicate name %s", QuoteName(t.Name))
			}
			return nil, nil, bad("name %s is out of order (names must be sorted)", QuoteName(t.Name))
		}
		dt, ok := dtypeFromCode(code)
		if !ok {
			return nil, nil, fileErrorf(ErrUnsupported, "tensor %s has dtype code %d, which this build does not know", QuoteName(t.Name), code)
		}
		t.DType = dt
		n, ok := numElements(dims)
		if !ok {
			return nil, nil, bad("tensor %s: shape %v exceeds the limits (dimension <= 2^40, elements <= 2^48)", QuoteName(t.Name), dims)
		}
		if hi, lo := bits.Mul64(n, uint64(dt.Size())); hi != 0 || lo != r.byteLen {
			return nil, nil, bad("tensor %s: %d bytes for %d %v elements", QuoteName(t.Name), r.byteLen, n, dt)
		}
		if want := alignUp(end, Alignment); r.offset != want {
			return nil, nil, bad("tensor %s at offset %d, want %d (data must be contiguous, in name order, %d-byte aligned)", QuoteName(t.Name), r.offset, want, Alignment)
		}
		if r.offset > f.dataEnd || r.byteLen > f.dataEnd-r.offset {
			return nil, nil, bad("tensor %s [%d, +%d) runs past the data end %d", QuoteName(t.Name), r.offset, r.byteLen, f.dataEnd)
		}
		end = r.offset + r.byteLen
		if r.byteLen > math.MaxInt || n > math.MaxInt {
			return nil, nil, fileErrorf(ErrUnsupported, "tensor %s of %d bytes is too large for this platform", QuoteName(t.Name), r.byteLen)
		}
		t.Shape = make([]int, rank)
		for j, d := range dims {
			if d > math.MaxInt {
				return nil, nil, fileErrorf(ErrUnsupported, "tensor %s: dimension %d is too large for this platform", QuoteName(t.Name), d)
			}
			t.Shape[j] = int(d)
		}
	}
	if end != f.dataEnd {
		return nil, nil, fileErrorf(ErrMalformed, "the tensors end at %d, the footer says data ends at %d", end, f.dataEnd)
	}
	meta, err := parseMetadata(cur)
	if err != nil {
		return nil, nil, err
	}
	if cur.left() != 0 {
		return nil, nil, fileErrorf(ErrMalformed, "%d unused bytes at the end of the index", cur.left())
	}
	c.Metadata = meta
	return c, recs, nil
}

func parseMetadata(cur *cursor) (map[string]string, error) {
	if cur.left() < 8 {
		return nil, fileErrorf(ErrMalformed, "index ends before the metadata")
	}
	count, reserved := cur.u32(), cur.u32()
	if reserved != 0 {
		return nil, fileErrorf(ErrMalformed, "reserved metadata field is not zero")
	}
	if count > MaxMetadataKeys || uint64(count) > uint64(cur.left()/16) {
		return nil, fileErrorf(ErrMalformed, "metadata count %d does not fit the index (or exceeds %d)", count, MaxMetadataKeys)
	}
	meta := make(map[string]string, count)
	prev := ""
	for i := range int(count) {
		bad := func(format string, args ...any) error {
			return fileErrorf(ErrMalformed, "metadata entry %d: "+format, append([]any{i}, args...)...)
		}
		start := cur.pos
		if cur.left() < kvFixed {
			return nil, bad("index ends inside the entry")
		}
		keyLen, reserved, valLen := int(cur.u16()), cur.u16(), cur.u32()
		switch {
		case reserved != 0:
			return nil, bad("reserved field is not zero")
		case keyLen == 0 || keyLen > MaxKeyLen:
			return nil, bad("key length %d is not between 1 and %d", keyLen, MaxKeyLen)
		case valLen > MaxValueLen:
			return nil, bad("value length %d exceeds %d", valLen, MaxValueLen)
		case cur.left() < keyLen+int(valLen):
			return nil, bad("index ends inside the entry")
		}
		key, val := string(cur.next(keyLen)), cur.next(int(valLen))
		if !cur.pad(start) {
			return nil, bad("bad padding")
		}
		if why := checkName(key, MaxKeyLen); why != "" {
			return nil, bad("key %s: %s", QuoteName(key), why)
		}
		if i > 0 && key <= prev {
			return nil, bad("key %s is duplicate or out of order (keys must be sorted)", QuoteName(key))
		}
		if !utf8.Valid(val) {
			return nil, bad("value of %s is not valid UTF-8", QuoteName(key))
		}
		meta[key] = string(val)
		prev = key
	}
	return meta, nil
}

// readData reads every tensor's data in file order through one buffer,
// checking each CRC and every padding byte. A tensor larger than bigTensor
// is verified before its memory is allocated (see verifyData).
func (d *decoder) readData(c *Checkpoint, recs []record, f footer) error {
	const bufSize = 256 << 10
	sr := io.NewSectionReader(d.r, dataOffset, int64(f.dataEnd)-dataOffset)
	br := bufio.NewReaderSize(sr, int(min(bufSize, max(16, f.dataEnd-dataOffset))))
	pos := uint64(dataOffset)
	var pad [Alignment]byte
	for i := range c.Tensors {
		t, r := &c.Tensors[i], &recs[i]
		p := pad[:r.offset-pos]
		if err := d.readFull(br, p, pos); err != nil {
			return err
		}
		if !allZero(p) {
			return fileErrorf(ErrMalformed, "non-zero padding before tensor %s (bytes %d-%d)", QuoteName(t.Name), pos, r.offset-1)
		}
		if d.verifyFirst && r.byteLen > bigTensor {
			ok, err := d.verifyData(r.offset, r.byteLen, r.crc)
			if err != nil {
				return err
			}
			if !ok {
				return fileErrorf(ErrChecksum, "data checksum mismatch in tensor %s (bytes %d-%d are damaged)", QuoteName(t.Name), r.offset, r.offset+r.byteLen-1)
			}
		}
		var raw []byte
		if t.DType == Float32 {
			t.Data = make([]float32, r.byteLen/4) // byteLen is proven to lie within the file
			raw = float32Bytes(t.Data)
		} else {
			t.Raw = make([]byte, r.byteLen)
			raw = t.Raw
		}
		if err := d.readFull(br, raw, r.offset); err != nil {
			return err
		}
		if maskCRC(crc32.Checksum(raw, castagnoli)) != r.crc {
			return fileErrorf(ErrChecksum, "data checksum mismatch in tensor %s (bytes %d-%d are damaged)", QuoteName(t.Name), r.offset, r.offset+r.byteLen-1)
		}
		if t.DType == Float32 && !hostLittleEndian {
			for j, v := range t.Data {
				t.Data[j] = math.Float32frombits(bits.ReverseBytes32(math.Float32bits(v)))
			}
		}
		pos = r.offset + r.byteLen
	}
	return nil
}

func (d *decoder) readFull(br *bufio.Reader, p []byte, off uint64) error {
	n, err := io.ReadFull(br, p)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fileErrorf(ErrTruncated, "file ended at byte %d, before the %d bytes its size promised", off+uint64(n), d.size)
	}
	return err
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
