package ckpt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// encode is Encode into memory, failing the test on error.
func encode(t testing.TB, c *Checkpoint, opts ...SaveOption) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, c, opts...); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readBytes(b []byte) (*Checkpoint, error) {
	return Read(bytes.NewReader(b), int64(len(b)))
}

// smallCheckpoint has a bit of everything and encodes to a few hundred bytes:
// two float32 tensors (one needs padding after it), a scalar, a zero-size
// tensor, int64 and uint8 tensors and metadata.
func smallCheckpoint() *Checkpoint {
	return &Checkpoint{
		Metadata: map[string]string{"architecture": "2-1", "step": "7"},
		Tensors: []Tensor{
			{Name: "dense_0/weights", Shape: []int{2, 3}, Data: []float32{1, -2, 0.5, float32(math.Copysign(0, -1)), 1e-45, 3}},
			{Name: "dense_0/biases", Shape: []int{3}, Data: []float32{0.25, 0, -1}},
			{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
			{Name: "scale", Shape: []int{}, Data: []float32{2}},
			{Name: "steps", Shape: []int{2}, DType: Int64, Raw: []byte{1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
			{Name: "zbytes", Shape: []int{3}, DType: Uint8, Raw: []byte{1, 2, 3}}, // ends the data off an 8-byte boundary
		},
	}
}

// footerFields decodes the footer of an encoded file.
func footerFields(b []byte) footer {
	f := b[len(b)-footerLen:]
	le := binary.LittleEndian
	return footer{le.Uint64(f[0:]), le.Uint64(f[8:]), le.Uint64(f[16:]), le.Uint64(f[24:]), le.Uint64(f[32:])}
}

// fixChecksums recomputes, as far as the bytes allow, every CRC and the file
// length of a possibly mutated file, so that tests and the fuzzer get past
// the checksums to the parser.
func fixChecksums(b []byte) {
	if len(b) < minFileLen {
		return
	}
	le := binary.LittleEndian
	le.PutUint32(b[60:], maskCRC(crc(b[:60])))
	foot := b[len(b)-footerLen:]
	le.PutUint64(foot[32:], uint64(len(b)))
	f := footerFields(b)
	size := uint64(len(b))
	if f.indexOff <= size-footerLen && f.indexLen <= size-footerLen-f.indexOff {
		idx := b[f.indexOff : f.indexOff+f.indexLen]
		pos := 0
		for i := uint64(0); i < f.count && pos+recordFixed <= len(idx); i++ {
			nameLen, rank := int(le.Uint16(idx[pos:])), int(idx[pos+3])
			off, n := le.Uint64(idx[pos+8:]), le.Uint64(idx[pos+16:])
			if off <= size && n <= size-off {
				le.PutUint32(idx[pos+24:], maskCRC(crc(b[off:off+n])))
			}
			pos += recordLen(nameLen, rank)
		}
		le.PutUint32(foot[44:], maskCRC(crc(idx)))
	}
	le.PutUint32(foot[52:], maskCRC(crc(foot[:52])))
}

// checkReadResult holds for any input: Read either fails with a FileError
// of a known kind, or succeeds and the input was canonical, i.e. encoding
// what was read gives back exactly the same bytes.
func checkReadResult(t testing.TB, in []byte, c *Checkpoint, err error) {
	t.Helper()
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("error is not a *FileError: %v", err)
		}
		known := false
		for _, k := range []error{ErrNotCheckpoint, ErrTruncated, ErrChecksum, ErrMalformed, ErrUnsupported} {
			known = known || errors.Is(err, k)
		}
		if !known || strings.Contains(fe.Msg, "\n") {
			t.Fatalf("bad error: %v", err)
		}
		return
	}
	le := binary.LittleEndian
	if le.Uint16(in[10:]) != formatMinor || le.Uint32(in[16:]) != 0 {
		return // a newer minor version or compatible flags: accepted, not re-encoded identically
	}
	var out bytes.Buffer
	if err := Encode(&out, c, AllowNonFinite()); err != nil {
		t.Fatalf("Read accepted a file Encode refuses to write back: %v", err)
	}
	if !bytes.Equal(out.Bytes(), in) {
		t.Fatalf("Read accepted a non-canonical file (%d bytes; re-encoded %d)", len(in), out.Len())
	}
}

// randomCheckpoint builds a random tensor set: ranks 0-8, zero-size tensors,
// long UTF-8 names, arbitrary float32 bits (NaN payloads, -0, subnormals,
// infinities) and some tensors of the other dtypes.
func randomCheckpoint(r *rand.Rand) *Checkpoint {
	c := &Checkpoint{Metadata: map[string]string{}}
	for range r.IntN(4) {
		c.Metadata[randomName(r, MaxKeyLen)] = randomValue(r)
	}
	names := map[string]bool{}
	for range r.IntN(12) {
		name := randomName(r, MaxNameLen)
		if names[name] {
			continue
		}
		names[name] = true
		rank := r.IntN(MaxRank + 1)
		shape := make([]int, rank)
		n := 1
		for i := range shape {
			maxDim := 4
			if rank > 4 {
				maxDim = 3
			}
			shape[i] = r.IntN(maxDim + 1)
			if r.IntN(20) == 0 {
				shape[i] = 0
			}
			n *= shape[i]
		}
		t := Tensor{Name: name, Shape: shape, DType: DType(r.IntN(int(numDTypes)))}
		if r.IntN(2) == 0 {
			t.DType = Float32
		}
		if t.DType == Float32 {
			t.Data = make([]float32, n)
			for i := range t.Data {
				t.Data[i] = randomFloat32(r)
			}
		} else {
			t.Raw = make([]byte, n*t.DType.Size())
			for i := range t.Raw {
				t.Raw[i] = byte(r.Uint32())
			}
		}
		c.Tensors = append(c.Tensors, t)
	}
	return c
}

// randomFloat32 favours the values whose bits are easy to lose.
func randomFloat32(r *rand.Rand) float32 {
	specials := []uint32{
		0x80000000,             // -0
		0x00000001, 0x807fffff, // subnormals
		0x7f800000, 0xff800000, // infinities
		0x7fc00000, 0x7fa00001, 0xffc12345, 0x7f800001, // quiet and signalling NaNs with payloads
	}
	if r.IntN(4) == 0 {
		return math.Float32frombits(specials[r.IntN(len(specials))])
	}
	return math.Float32frombits(r.Uint32())
}

func randomName(r *rand.Rand, max int) string {
	pieces := []string{"dense_", "w", "/", "é", "中文", "🙂", "Ω", "_", "0", "9", "layer", "ß", "-", "."}
	var b strings.Builder
	want := 1 + r.IntN(24)
	if r.IntN(8) == 0 {
		want = max // as long as allowed
	}
	for b.Len() < want {
		p := pieces[r.IntN(len(pieces))]
		if b.Len()+len(p) > max {
			p = "x"
		}
		b.WriteString(p)
	}
	return b.String()
}

func randomValue(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return ""
	}
	return strings.Repeat("value\n\t\x00é ", 1+r.IntN(5))
}

// sameTensors compares two checkpoints' tensors bit for bit, ignoring order.
func sameTensors(t testing.TB, want, got *Checkpoint) {
	t.Helper()
	if len(want.Tensors) != len(got.Tensors) {
		t.Fatalf("%d tensors, want %d", len(got.Tensors), len(want.Tensors))
	}
	for i := range want.Tensors {
		w := &want.Tensors[i]
		g := got.Tensor(w.Name)
		if g == nil {
			t.Fatalf("tensor %q missing", w.Name)
		}
		if g.DType != w.DType || len(g.Shape) != len(w.Shape) || !bytes.Equal(float32Bits(g.Data), float32Bits(w.Data)) || !bytes.Equal(g.Raw, w.Raw) {
			t.Fatalf("tensor %q differs: got %v %v, want %v %v", w.Name, g.DType, g.Shape, w.DType, w.Shape)
		}
		for j := range w.Shape {
			if g.Shape[j] != w.Shape[j] {
				t.Fatalf("tensor %q: shape %v, want %v", w.Name, g.Shape, w.Shape)
			}
		}
	}
	if len(want.Metadata) != len(got.Metadata) {
		t.Fatalf("metadata %v, want %v", got.Metadata, want.Metadata)
	}
	for k, v := range want.Metadata {
		if got.Metadata[k] != v {
			t.Fatalf("metadata %q = %q, want %q", k, got.Metadata[k], v)
		}
	}
}

// float32Bits is the little-endian bytes of s, for exact comparison.
func float32Bits(s []float32) []byte {
	b := make([]byte, 4*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}
