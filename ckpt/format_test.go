package ckpt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		c := randomCheckpoint(r)
		b := encode(t, c, AllowNonFinite())
		got, err := readBytes(b)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		sameTensors(t, c, got)
		if !slices.IsSortedFunc(got.Tensors, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) }) {
			t.Fatalf("case %d: tensors not sorted by name", i)
		}
		for _, tt := range got.Tensors {
			if tt.DType == Float32 && tt.Data == nil {
				t.Fatalf("case %d: %q has nil Data", i, tt.Name)
			}
		}
		// Encoding is deterministic and canonical: the input order does not
		// matter and what was read encodes to the same bytes.
		r.Shuffle(len(c.Tensors), func(i, j int) { c.Tensors[i], c.Tensors[j] = c.Tensors[j], c.Tensors[i] })
		if !bytes.Equal(encode(t, c, AllowNonFinite()), b) || !bytes.Equal(encode(t, got, AllowNonFinite()), b) {
			t.Fatalf("case %d: encoding is not deterministic", i)
		}
		if len(b)%8 != 0 {
			t.Fatalf("case %d: file length %d is not a multiple of 8", i, len(b))
		}
	}
}

func TestRoundTripLimits(t *testing.T) {
	long := strings.Repeat("é", MaxNameLen/2) // exactly MaxNameLen bytes
	c := &Checkpoint{
		Metadata: map[string]string{strings.Repeat("k", MaxKeyLen): strings.Repeat("v", MaxValueLen), "": ""}, // "" is invalid, removed below
		Tensors: []Tensor{
			{Name: long, Shape: []int{1, 1, 1, 1, 1, 1, 1, 1}, Data: []float32{1}},
			{Name: "huge but empty", Shape: []int{min(MaxDim, math.MaxInt), 0, min(MaxDim, math.MaxInt)}, Data: []float32{}},
		},
	}
	delete(c.Metadata, "")
	got, err := readBytes(encode(t, c))
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, c, got)
}

func TestEncodeRejectsInvalid(t *testing.T) {
	f := []float32{1}
	cases := []struct {
		c    Checkpoint
		want string
	}{
		{Checkpoint{Tensors: []Tensor{{Name: "", Data: f}}}, "empty"},
		{Checkpoint{Tensors: []Tensor{{Name: "a\x00", Data: f}}}, "control character"},
		{Checkpoint{Tensors: []Tensor{{Name: "a\u202e", Data: f}}}, "bidirectional"},
		{Checkpoint{Tensors: []Tensor{{Name: "\xff", Data: f}}}, "UTF-8"},
		{Checkpoint{Tensors: []Tensor{{Name: strings.Repeat("x", MaxNameLen+1), Data: f}}}, "longer than"},
		{Checkpoint{Tensors: []Tensor{{Name: "a", Data: f}, {Name: "a", Data: f}}}, "twice"},
		{Checkpoint{Tensors: []Tensor{{Name: "a", Shape: []int{2}, Data: f}}}, "needs 2 float32"},
		{Checkpoint{Tensors: []Tensor{{Name: "a", Shape: []int{-1}, Data: f}}}, "negative"},
		{Checkpoint{Tensors: []Tensor{{Name: "a", Shape: make([]int, 9)}}}, "rank 9"},
		{Checkpoint{Tensors: []Tensor{{Name: "a", Shape: []int{math.MaxInt, math.MaxInt, math.MaxInt}}}}, "limits"},
		{Checkpoint{Tensors: []Tensor{{Name: "a", Shape: []int{1 << 30, 1 << 30}}}}, "limits"},
		{Checkpoint{Tensors: []Tensor{{Name: "a", DType: Int32, Raw: []byte{1}}}}, "needs 4 bytes"},
		{Checkpoint{Tensors: []Tensor{{Name: "a", DType: 99}}}, "unknown"},
		{Checkpoint{Tensors: []Tensor{{Name: "a", Data: f, Raw: []byte{1}}}}, "Raw"},
		{Checkpoint{Metadata: map[string]string{"": "x"}}, "metadata key"},
		{Checkpoint{Metadata: map[string]string{"k": "\xff"}}, "UTF-8"},
		{Checkpoint{Metadata: map[string]string{"k": strings.Repeat("x", MaxValueLen+1)}}, "value of"},
		{Checkpoint{Tensors: []Tensor{{Name: "a\u2028b", Data: f}}}, "separator"},
		{Checkpoint{Metadata: func() map[string]string {
			m := map[string]string{}
			for i := range 1100 { // 1100 × 64 KiB > 64 MiB of index
				m[fmt.Sprint(i)] = strings.Repeat("x", MaxValueLen)
			}
			return m
		}()}, "exceed the index limit"},
	}
	if math.MaxInt > MaxDim { // a dimension over the limit, even with zero elements
		d := uint64(MaxDim) + 1
		cases = append(cases, struct {
			c    Checkpoint
			want string
		}{Checkpoint{Tensors: []Tensor{{Name: "a", Shape: []int{int(d), 0}}}}, "limits"})
	}
	for _, tc := range cases {
		var b bytes.Buffer
		err := Encode(&b, &tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Encode(%+v) = %v, want an error containing %q", tc.c, err, tc.want)
		}
		if b.Len() != 0 {
			t.Errorf("Encode wrote %d bytes before failing", b.Len())
		}
	}
	// Restore-only options are not SaveOptions, so Save(path, c, Skip("x"))
	// does not compile; AllowNonFinite is both.
	for name, o := range map[string]RestoreOption{"Skip": Skip("x"), "Rename": Rename("a", "b"), "AllowMissing": AllowMissing(), "AllowUnexpected": AllowUnexpected()} {
		if _, ok := o.(SaveOption); ok {
			t.Errorf("%s is also a SaveOption", name)
		}
	}
	var _ SaveOption = AllowNonFinite()
	var _ RestoreOption = AllowNonFinite()
}

func TestEncodeRefusesNonFinite(t *testing.T) {
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		c := &Checkpoint{Tensors: []Tensor{
			{Name: "ok", Shape: []int{2}, Data: []float32{1, 2}},
			{Name: "dense_1/weights", Shape: []int{2, 300}, Data: make([]float32, 600)},
		}}
		c.Tensors[1].Data[457] = v
		var b bytes.Buffer
		err := Encode(&b, c)
		if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), `"dense_1/weights": element 457 [1 157]`) {
			t.Fatalf("Encode with %v: %v", v, err)
		}
		if b.Len() != 0 {
			t.Fatalf("wrote %d bytes", b.Len())
		}
		got, err := readBytes(encode(t, c, AllowNonFinite()))
		if err != nil {
			t.Fatal(err)
		}
		sameTensors(t, c, got)
	}
	nan := make([]byte, 16)
	binary.LittleEndian.PutUint64(nan[8:], math.Float64bits(math.Inf(-1)))
	err := Encode(&bytes.Buffer{}, &Checkpoint{Tensors: []Tensor{{Name: "f64", Shape: []int{2}, DType: Float64, Raw: nan}}})
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "element 1 [1] is -Inf") {
		t.Fatalf("float64: %v", err)
	}
}

func TestEveryTruncationRejected(t *testing.T) {
	b := encode(t, smallCheckpoint())
	for n := range len(b) {
		c, err := readBytes(b[:n])
		if err == nil {
			t.Fatalf("a %d-byte prefix of a %d-byte file was accepted", n, len(b))
		}
		checkReadResult(t, b[:n], c, err)
	}
	for _, extra := range [][]byte{{0}, make([]byte, 8), b[len(b)-64:]} {
		if _, err := readBytes(append(slices.Clone(b), extra...)); err == nil {
			t.Fatalf("%d bytes appended were accepted", len(extra))
		}
	}
}

func TestEveryBitFlipRejected(t *testing.T) {
	b := encode(t, smallCheckpoint())
	for i := range len(b) {
		for bit := range 8 {
			b[i] ^= 1 << bit
			c, err := readBytes(b)
			if err == nil {
				t.Fatalf("flipping bit %d of byte %d went unnoticed", bit, i)
			}
			checkReadResult(t, b, c, err)
			b[i] ^= 1 << bit
		}
	}
	if _, err := readBytes(b); err != nil {
		t.Fatal(err)
	}
}

// TestHostileFiles feeds files that are wrong in one way each, with all
// checksums fixed so that the parser itself must catch the problem.
func TestHostileFiles(t *testing.T) {
	base := encode(t, smallCheckpoint())
	f := footerFields(base)
	le := binary.LittleEndian
	idx := int(f.indexOff)
	// The records in name order: dense_0/biases, dense_0/weights, empty, scale, steps, zbytes.
	rec := func(b []byte, n int) int {
		pos := idx
		for range n {
			pos += recordLen(int(le.Uint16(b[pos:])), int(b[pos+3]))
		}
		return pos
	}
	foot := len(base) - footerLen
	meta := rec(base, 6)
	cases := []struct {
		name string
		edit func(b []byte) []byte
		kind error
		msg  string
	}{
		{"incompatible flags", func(b []byte) []byte { b[12] = 1; return b }, ErrUnsupported, "incompatible-feature flags"},
		{"newer major version", func(b []byte) []byte { le.PutUint16(b[8:], 2); le.PutUint16(b[foot+40:], 2); return b }, ErrUnsupported, "format 2.0; this build reads format 1"},
		{"version 0", func(b []byte) []byte { le.PutUint16(b[8:], 0); le.PutUint16(b[foot+40:], 0); return b }, ErrUnsupported, "format 0.0, which no gomlp has written"},
		{"newer minor version", func(b []byte) []byte { le.PutUint16(b[10:], 1); le.PutUint16(b[foot+42:], 1); return b }, nil, ""},
		{"compatible flags", func(b []byte) []byte { b[16] = 0xff; return b }, nil, ""},
		{"versions differ", func(b []byte) []byte { le.PutUint16(b[foot+42:], 1); return b }, ErrMalformed, "footer says format 1.1"},
		{"alignment", func(b []byte) []byte { le.PutUint32(b[20:], 32); return b }, ErrMalformed, "alignment 32"},
		{"preamble reserved", func(b []byte) []byte { b[40] = 1; return b }, ErrMalformed, "reserved preamble"},
		{"footer reserved", func(b []byte) []byte { b[foot+49] = 1; return b }, ErrMalformed, "reserved footer"},
		{"trailing bytes", func(b []byte) []byte {
			b = append(b[:foot], append(make([]byte, 8), b[foot:]...)...)
			return b
		}, ErrMalformed, "does not end where the footer starts"},
		{"huge tensor count", func(b []byte) []byte { le.PutUint64(b[foot+24:], 1<<62); return b }, ErrMalformed, "tensor count"},
		{"count beyond index", func(b []byte) []byte { le.PutUint64(b[foot+24:], 7); return b }, ErrMalformed, "index record 6"},
		{"huge index", func(b []byte) []byte { le.PutUint64(b[foot+16:], 1<<40); return b }, ErrMalformed, "index length"},
		{"index offset", func(b []byte) []byte { le.PutUint64(b[foot+8:], f.indexOff+8); return b }, ErrMalformed, "index offset"},
		{"data end past file", func(b []byte) []byte { le.PutUint64(b[foot:], 1<<63); return b }, ErrMalformed, "data end"},
		{"gap not zero", func(b []byte) []byte { b[f.dataEnd] = 1; return b }, ErrMalformed, "non-zero padding at bytes"},
		{"data padding not zero", func(b []byte) []byte { b[64+12] = 1; return b }, ErrMalformed, `non-zero padding before tensor "dense_0/weights"`},
		{"empty name", func(b []byte) []byte { le.PutUint16(b[idx:], 0); return b }, ErrMalformed, "name length 0"},
		{"long name", func(b []byte) []byte { le.PutUint16(b[idx:], 60000); return b }, ErrMalformed, "name length 60000"},
		{"name past index", func(b []byte) []byte { le.PutUint16(b[rec(b, 4):], 1000); return b }, ErrMalformed, "index ends inside the record"},
		{"name control char", func(b []byte) []byte { b[idx+40] = '\n'; return b }, ErrMalformed, "control character"},
		{"name bad UTF-8", func(b []byte) []byte { b[idx+40] = 0xff; return b }, ErrMalformed, "UTF-8"},
		{"names out of order", func(b []byte) []byte { b[rec(b, 1)+40+8] = 'a'; return b }, ErrMalformed, "out of order"},
		{"duplicate name", func(b []byte) []byte { copy(b[rec(b, 3)+32:], "empty"); return b }, ErrMalformed, "duplicate name"},
		{"unknown dtype", func(b []byte) []byte { b[idx+2] = 200; return b }, ErrUnsupported, "dtype code 200"},
		{"rank too big", func(b []byte) []byte { b[idx+3] = 9; return b }, ErrMalformed, "rank 9"},
		{"record flags", func(b []byte) []byte { b[idx+4] = 1; return b }, ErrMalformed, "reserved fields"},
		{"record reserved", func(b []byte) []byte { b[idx+28] = 1; return b }, ErrMalformed, "reserved fields"},
		{"record padding", func(b []byte) []byte { b[rec(b, 1)-1] = 1; return b }, ErrMalformed, "padding after the name"},
		{"dim too big", func(b []byte) []byte { le.PutUint64(b[idx+32:], 1<<41); return b }, ErrMalformed, "exceeds the limits"},
		{"numel overflow", func(b []byte) []byte {
			r := rec(b, 1)
			le.PutUint64(b[r+32:], 1<<40)
			le.PutUint64(b[r+40:], 1<<40)
			return b
		}, ErrMalformed, "exceeds the limits"},
		{"byte length", func(b []byte) []byte { le.PutUint64(b[idx+16:], 16); return b }, ErrMalformed, "16 bytes for 3 float32"},
		{"shape disagrees with data", func(b []byte) []byte { le.PutUint64(b[idx+32:], 4); return b }, ErrMalformed, "12 bytes for 4 float32"},
		{"overlapping data", func(b []byte) []byte { le.PutUint64(b[rec(b, 1)+8:], 64); return b }, ErrMalformed, "at offset 64, want 128"},
		{"tensors end early", func(b []byte) []byte {
			le.PutUint64(b[foot:], f.dataEnd+8)
			le.PutUint64(b[foot+8:], f.indexOff+8)
			return append(b[:f.dataEnd], append(make([]byte, 8), b[f.dataEnd:]...)...)
		}, ErrMalformed, "the tensors end at"},
		{"metadata reserved", func(b []byte) []byte { b[meta+4] = 1; return b }, ErrMalformed, "reserved metadata"},
		{"metadata huge count", func(b []byte) []byte { le.PutUint32(b[meta:], 1<<31); return b }, ErrMalformed, "metadata count"},
		{"metadata count short", func(b []byte) []byte { le.PutUint32(b[meta:], 1); return b }, ErrMalformed, "unused bytes at the end of the index"},
		{"metadata entry reserved", func(b []byte) []byte { b[meta+8+2] = 1; return b }, ErrMalformed, "reserved field"},
		{"metadata empty key", func(b []byte) []byte { le.PutUint16(b[meta+8:], 0); return b }, ErrMalformed, "key length 0"},
		{"metadata value length", func(b []byte) []byte { le.PutUint32(b[meta+8+4:], 1<<30); return b }, ErrMalformed, "value length"},
		{"metadata value past index", func(b []byte) []byte { le.PutUint32(b[meta+8+4:], 1000); return b }, ErrMalformed, "index ends inside the entry"},
		{"metadata key order", func(b []byte) []byte { copy(b[meta+16:], "z"); return b }, ErrMalformed, "out of order"},
		{"metadata value UTF-8", func(b []byte) []byte { b[meta+16+12] = 0xff; return b }, ErrMalformed, "not valid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.edit(slices.Clone(base))
			fixChecksums(b)
			c, err := readBytes(b)
			if tc.kind == nil {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				sameTensors(t, smallCheckpoint(), c)
				return
			}
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %v containing %q", err, tc.kind, tc.msg)
			}
			checkReadResult(t, b, c, err)
		})
	}
}

func TestChecksumErrorsNamePart(t *testing.T) {
	base := encode(t, smallCheckpoint())
	f := footerFields(base)
	cases := []struct {
		at  int
		msg string
	}{
		{30, "preamble checksum"},
		{64, `data checksum mismatch in tensor "dense_0/biases"`},
		{130, `data checksum mismatch in tensor "dense_0/weights"`},
		{int(f.indexOff) + 50, "index checksum"},
		{len(base) - 20, "footer checksum"},
	}
	for _, tc := range cases {
		b := slices.Clone(base)
		b[tc.at] ^= 0x10
		_, err := readBytes(b)
		if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("byte %d: %v, want %q", tc.at, err, tc.msg)
		}
	}
}

// TestAllocationBounded checks that hostile headers cannot make Read
// allocate much more than the file's own size.
func TestAllocationBounded(t *testing.T) {
	base := encode(t, smallCheckpoint())
	f := footerFields(base)
	le := binary.LittleEndian
	foot := len(base) - footerLen
	manyTiny := &Checkpoint{}
	for i := range 2000 {
		manyTiny.Tensors = append(manyTiny.Tensors, Tensor{Name: fmt.Sprintf("t%05d", i), Shape: []int{0}, Data: []float32{}})
	}
	inputs := map[string][]byte{
		"valid":     base,
		"many tiny": encode(t, manyTiny),
		"big count": func() []byte {
			b := slices.Clone(base)
			le.PutUint64(b[foot+24:], MaxTensors)
			fixChecksums(b)
			return b
		}(),
		"big index": func() []byte {
			b := slices.Clone(base)
			le.PutUint64(b[foot+16:], MaxIndexLen)
			fixChecksums(b)
			return b
		}(),
		"big dims": func() []byte {
			b := slices.Clone(base)
			le.PutUint64(b[f.indexOff+32:], MaxDim)
			fixChecksums(b)
			return b
		}(),
		"big length": func() []byte {
			b := slices.Clone(base)
			le.PutUint64(b[f.indexOff+16:], 1<<47)
			fixChecksums(b)
			return b
		}(),
	}
	for name, b := range inputs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		readBytes(b)
		runtime.ReadMemStats(&after)
		got := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d bytes -> %d allocated", name, len(b), got)
		if limit := uint64(8*len(b) + 16<<10); got > limit {
			t.Errorf("%s: Read of %d bytes allocated %d bytes (limit %d)", name, len(b), got, limit)
		}
	}
}

func TestReadSizeLies(t *testing.T) {
	b := encode(t, smallCheckpoint())
	// The reader claims more bytes than it has: truncation, not a panic.
	_, err := Read(bytes.NewReader(b), int64(len(b)+100))
	if err == nil {
		t.Fatal("accepted")
	}
	_, err = Read(bytes.NewReader(b), -1)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("negative size: %v", err)
	}
	// An I/O error from the reader comes back wrapped.
	_, err = Read(errReaderAt{}, 1000)
	if !errors.Is(err, errIO) {
		t.Fatalf("I/O error: %v", err)
	}
}

var errIO = errors.New("injected I/O error")

type errReaderAt struct{}

func (errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, errIO }

// TestFormatExample checks the worked example in FORMAT.md byte for byte
// against the encoder, so the specification cannot drift from the code.
func TestFormatExample(t *testing.T) {
	doc, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "<!-- example:begin -->")
	block, _, ok2 := strings.Cut(block, "<!-- example:end -->")
	if !ok || !ok2 {
		t.Fatal("FORMAT.md has no example block")
	}
	var got []byte
	for _, line := range strings.Split(block, "\n") {
		hexPart, _, found := strings.Cut(line, " |")
		if !found {
			continue
		}
		fields := strings.Fields(hexPart)
		off, err := strconv.ParseUint(fields[0], 16, 64)
		if err != nil || off != uint64(len(got)) {
			t.Fatalf("line %q: offset %s, want %04x", line, fields[0], len(got))
		}
		for _, h := range fields[1:] {
			x, err := strconv.ParseUint(h, 16, 8)
			if err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			got = append(got, byte(x))
		}
	}
	c := &Checkpoint{
		Metadata: map[string]string{"train.step": "7"},
		Tensors: []Tensor{
			{Name: "w", Shape: []int{2, 1}, Data: []float32{1.5, -2}},
			{Name: "bias", Shape: []int{2}, Data: []float32{0.5, float32(math.Copysign(0, -1))}},
		},
	}
	want := encode(t, c)
	if !bytes.Equal(got, want) {
		t.Fatalf("FORMAT.md example (%d bytes) differs from Encode (%d bytes)", len(got), len(want))
	}
	if _, err := readBytes(got); err != nil {
		t.Fatal(err)
	}
	// The CRC test vectors quoted in FORMAT.md.
	if c := crc([]byte("123456789")); c != 0xE3069283 || maskCRC(c) != 0xC78AB0E5 || maskCRC(0) != 0xA282EAD8 {
		t.Fatalf("CRC test vectors: %08x %08x", c, maskCRC(c))
	}
}

// isFinite32 finds the first NaN or infinity, also when a large slice is
// split among goroutines (the bad element in a later part than another).
func TestIsFinite32(t *testing.T) {
	inf := float32(math.Inf(-1))
	nan := float32(math.NaN())
	for _, n := range []int{0, 1, 5, 1023, 1025, 3<<20 + 7} {
		s := make([]float32, n)
		for i := range s {
			s[i] = math.MaxFloat32 * float32(1-2*(i%2))
		}
		if ok, i := isFinite32(s); !ok || i != -1 {
			t.Fatalf("n=%d, all finite: got %v, %d", n, ok, i)
		}
		if n == 0 {
			continue
		}
		s[n-1] = nan
		if ok, i := isFinite32(s); ok || i != n-1 {
			t.Errorf("n=%d, NaN last: got %v, %d", n, ok, i)
		}
		s[n/3] = inf
		if ok, i := isFinite32(s); ok || i != n/3 {
			t.Errorf("n=%d, -Inf at %d and NaN last: got %v, %d", n, n/3, ok, i)
		}
	}
}
