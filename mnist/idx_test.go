package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// imageIDX returns a raw IDX image file with n images whose pixels run
// through all byte values, starting at seed.
func imageIDX(n int, seed byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, imageMagic)
	for _, v := range []uint32{uint32(n), Height, Width} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	for i := range n * Pixels {
		b = append(b, seed+byte(i*7))
	}
	return b
}

// labelIDX returns a raw IDX label file.
func labelIDX(labels ...uint8) []byte {
	b := binary.BigEndian.AppendUint32(nil, labelMagic)
	b = binary.BigEndian.AppendUint32(b, uint32(len(labels)))
	return append(b, labels...)
}

func gz(raw []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(raw)
	w.Close()
	return b.Bytes()
}

// with returns a copy of b with the bytes at off replaced.
func with(b []byte, off int, v ...byte) []byte {
	c := bytes.Clone(b)
	copy(c[off:], v)
	return c
}

func TestReadImages(t *testing.T) {
	raw := imageIDX(3, 11)
	for name, data := range map[string][]byte{"raw": raw, "gzip": gz(raw)} {
		x, err := ReadImages(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if x.Rows != 3 || x.Cols != Pixels || x.Stride != Pixels || len(x.Data) != 3*Pixels {
			t.Fatalf("%s: got %dx%d stride %d, %d values", name, x.Rows, x.Cols, x.Stride, len(x.Data))
		}
		for i, v := range x.Data {
			b := raw[16+i]
			if v != float32(b)/255 || v < 0 || v > 1 {
				t.Fatalf("%s: pixel %d is %v, want %d/255", name, i, v, b)
			}
		}
	}
	// Zero images is a valid, empty file.
	x, err := ReadImages(bytes.NewReader(imageIDX(0, 0)))
	if err != nil || x.Rows != 0 || x.Cols != Pixels {
		t.Fatalf("empty set: %v, %v", x, err)
	}
}

func TestReadLabels(t *testing.T) {
	raw := labelIDX(5, 0, 4, 1, 9)
	for name, data := range map[string][]byte{"raw": raw, "gzip": gz(raw)} {
		y, err := ReadLabels(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(y, []byte{5, 0, 4, 1, 9}) {
			t.Fatalf("%s: got %v", name, y)
		}
	}
}

func TestReadImagesRejects(t *testing.T) {
	good := imageIDX(3, 1)
	huge := with(good, 4, 0xff, 0xff, 0xff, 0xff)
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "empty file"},
		{"short magic", string(good[:3]), "truncated in the magic number"},
		{"not idx", "PK\x03\x04" + string(good[4:]), "not an IDX file (magic number 0x504b0304)"},
		{"float type", string(with(good, 2, 0x0d)), "element type 0x0d"},
		{"label file", string(labelIDX(1, 2, 3)), "this is a label file (1 dimension), want an image file"},
		{"two dims", string(with(good, 3, 2)), "IDX file with 2 dimensions"},
		{"short header", string(good[:10]), "truncated in the header"},
		{"32x32", string(with(good, 8, 0, 0, 0, 32, 0, 0, 0, 32)), "images are 32×32, want 28×28"},
		{"one byte short", string(good[:len(good)-1]), "truncated: header declares 3 images (2352 bytes), only 2351 bytes present"},
		{"no pixels", string(good[:16]), "truncated: header declares 3 images (2352 bytes), only 0 bytes present"},
		{"count too small", string(with(good, 4, 0, 0, 0, 2)), "trailing data after the 2 images"},
		{"trailing byte", string(append(bytes.Clone(good), 0)), "trailing data after the 3 images"},
		{"count 2^32-1", string(huge), "header declares 4294967295 images"},
	}
	for _, c := range cases {
		for _, compress := range []bool{false, true} {
			data := []byte(c.data)
			if compress {
				if len(data) == 0 {
					continue
				}
				data = gz(data)
			}
			x, err := ReadImages(bytes.NewReader(data))
			if err == nil {
				t.Errorf("%s (gzip %v): no error, got %d images", c.name, compress, x.Rows)
				continue
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s (gzip %v): error %q, want one line containing %q", c.name, compress, err, c.want)
			}
		}
	}
}

func TestReadLabelsRejects(t *testing.T) {
	good := labelIDX(1, 2, 3)
	cases := []struct{ name, data, want string }{
		{"image file", string(imageIDX(1, 0)), "this is an image file (3 dimensions), want a label file"},
		{"bad label", string(labelIDX(1, 2, 10, 3)), "label 2 is 10, not a digit"},
		{"truncated", string(good[:len(good)-1]), "header declares 3 labels (3 bytes), only 2 bytes present"},
		{"trailing", string(append(bytes.Clone(good), 7)), "trailing data after the 3 labels"},
		{"short header", string(good[:6]), "truncated in the header"},
	}
	for _, c := range cases {
		for _, data := range [][]byte{[]byte(c.data), gz([]byte(c.data))} {
			_, err := ReadLabels(bytes.NewReader(data))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.want)
			}
		}
	}
}

func TestReadCorruptGzip(t *testing.T) {
	raw := imageIDX(4, 3)
	z := gz(raw)
	n := len(z)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"bad header", with(z, 2, 99), "corrupt gzip header"},
		{"cut stream", z[:n/2], "truncated"},
		{"cut trailer", z[:n-4], "truncated"},
		{"bad crc", with(z, n-8, z[n-8]^0xff), "corrupt gzip data in the end of the file: gzip: invalid checksum"},
		{"bad length", with(z, n-4, z[n-4]^0xff), "corrupt gzip data"},
		{"garbage after stream", append(bytes.Clone(z), "junk"...), "trailing data after the gzip stream"},
		{"second stream", append(bytes.Clone(z), gz([]byte{1})...), "trailing data after the gzip stream"},
	}
	for _, c := range cases {
		_, err := ReadImages(bytes.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// Damage inside the compressed blocks must fail somewhere, never pass.
	for off := 10; off < n-8; off += 7 {
		if _, err := ReadImages(bytes.NewReader(with(z, off, z[off]^0x55))); err == nil {
			t.Errorf("flipping byte %d of the gzip stream went unnoticed", off)
		}
	}
}

// A header claiming 2^32-1 images must not make the reader allocate for
// them before the bytes are there.
func TestHostileCountBoundsMemory(t *testing.T) {
	data := gz(with(imageIDX(2, 0), 4, 0xff, 0xff, 0xff, 0xff))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadImages(bytes.NewReader(data))
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("no error")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
		t.Errorf("allocated %d MiB for a %d-byte file", got>>20, len(data))
	}
}

// The reader returns errors, never panics, whatever the input.
func FuzzReadImages(f *testing.F) {
	good := imageIDX(2, 5)
	f.Add(good)
	f.Add(gz(good))
	f.Add(good[:20])
	f.Add(with(good, 4, 0x7f, 0xff, 0xff, 0xff))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ReadImages(bytes.NewReader(data))
		if err == nil && (x.Cols != Pixels || len(x.Data) != x.Rows*Pixels) {
			t.Fatalf("inconsistent result %dx%d, %d values", x.Rows, x.Cols, len(x.Data))
		}
	})
}

func FuzzReadLabels(f *testing.F) {
	good := labelIDX(3, 1, 4, 1, 5)
	f.Add(good)
	f.Add(gz(good))
	f.Add(good[:6])
	f.Fuzz(func(t *testing.T, data []byte) {
		y, err := ReadLabels(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, v := range y {
			if v >= NumClasses {
				t.Fatalf("label %d passed", v)
			}
		}
	})
}

// lyingStream is a gzip IDX image stream whose header claims 2^32-1 images
// but which holds only zeroBytes of pixels: zeros shrink a thousandfold, so a
// small stream carries a lot of real data behind a lie.
func lyingStream(t *testing.T, zeroBytes int) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	head := binary.BigEndian.AppendUint32(nil, imageMagic)
	for _, v := range []uint32{math.MaxUint32, Height, Width} {
		head = binary.BigEndian.AppendUint32(head, v)
	}
	w.Write(head)
	zeros := make([]byte, 1<<20)
	for n := 0; n < zeroBytes; n += len(zeros) {
		w.Write(zeros[:min(len(zeros), zeroBytes-n)])
	}
	w.Close()
	return b.Bytes()
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A header claiming more than MaxExamples images is refused before the
// body is read: memory does not follow the claim, nor the 64 MB of zeros
// that a 64 KB stream holds.
func TestReadImagesLyingHeaderMemory(t *testing.T) {
	stream := lyingStream(t, 64<<20)
	var err error
	got := allocated(func() { _, err = ReadImages(bytes.NewReader(stream)) })
	if err == nil || !strings.Contains(err.Error(), "more than the limit of 1000000 (mnist.MaxExamples)") {
		t.Errorf("error %v, want the limit", err)
	}
	if got > 2<<20 {
		t.Errorf("allocated %d bytes for a %d-byte stream that lies", got, len(stream))
	}
}

// Below the limit memory follows the data that really arrives: a header
// claiming a million images over 8 MB of pixels costs about those 8 MB.
func TestReadImagesMemoryFollowsData(t *testing.T) {
	raw := imageIDX(0, 0)
	binary.BigEndian.PutUint32(raw[4:], MaxExamples)
	raw = append(raw, make([]byte, 8<<20)...)
	data := gz(raw)
	var err error
	got := allocated(func() { _, err = ReadImages(bytes.NewReader(data)) })
	want := "truncated"
	if strconv.IntSize == 32 { // a million 28×28 float32 images do not fit a 32-bit address space
		want = "more than this machine can hold"
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	if limit := uint64(8<<20) + 4<<20; got > limit {
		t.Errorf("allocated %d bytes for 8 MB of real pixels (limit %d)", got, limit)
	}
}
