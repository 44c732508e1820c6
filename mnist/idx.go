package mnist

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/gomlp/gomlp/mat"
)

// Sizes of an MNIST image and of the label set.
const (
	Width      = 28
	Height     = 28
	Pixels     = Width * Height // values per image, the columns of Dataset.X
	NumClasses = 10
)

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned
// byte) and the number of dimensions.
const (
	imageMagic = 0x00000803
	labelMagic = 0x00000801
	typeUbyte  = 0x08
)

// MaxExamples is the most images or labels an IDX file may declare for
// ReadImages and ReadLabels: a million, above every MNIST-style set (EMNIST's
// largest split has 814,255). A header claiming more is an error before
// anything is read, so a few bytes cannot make the reader hold gigabytes
// (a gzip stream of zeros shrinks a thousandfold).
const MaxExamples = 1_000_000

// chunkSize is the unit in which file bodies are read: a header may claim
// 2^32-1 images, so memory is taken only as the bytes actually arrive, and
// the result is allocated once they are all there.
const chunkSize = 1 << 20

// pixelScale maps a byte to its float32 value in [0, 1] (x/255).
var pixelScale = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// ReadImages reads an IDX image file (magic 0x00000803, unsigned bytes,
// N×28×28), raw or gzip-compressed (detected from the first bytes, not the
// name). It returns an N×784 matrix, one image per row, with pixels scaled
// to [0, 1]. It reads r to its end: data after the last image is an error,
// as is anything short of the count the header declares.
func ReadImages(r io.Reader) (*mat.Matrix, error) {
	chunks, n, err := readIDX(r, imageMagic)
	if err != nil {
		return nil, err
	}
	x := mat.New(n/Pixels, Pixels)
	dst := x.Data
	for _, c := range chunks {
		for i, b := range c {
			dst[i] = pixelScale[b]
		}
		dst = dst[len(c):]
	}
	return x, nil
}

// ReadLabels reads an IDX label file (magic 0x00000801, unsigned bytes),
// raw or gzip-compressed, and returns the labels, each checked to be a
// class index 0..9. Like ReadImages it reads r to its end.
func ReadLabels(r io.Reader) ([]uint8, error) {
	chunks, _, err := readIDX(r, labelMagic)
	if err != nil {
		return nil, err
	}
	labels := slices.Concat(chunks...)
	for i, y := range labels {
		if y >= NumClasses {
			return nil, fmt.Errorf("label %d is %d, not a digit 0..9", i, y)
		}
	}
	return labels, nil
}

// readIDX checks the header against the wanted magic and returns exactly
// the body it declares, in chunks, and its length.
func readIDX(r io.Reader, magic uint32) (chunks [][]byte, n int, err error) {
	br := bufio.NewReader(r)
	var in io.Reader = br
	compressed := false
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, 0, fmt.Errorf("corrupt gzip header: %v", err)
		}
		zr.Multistream(false) // MNIST files are one gzip member; more is junk
		in, compressed = zr, true
	}
	// wrap turns a read error into a message about the layer that failed.
	wrap := func(what string, err error) error {
		if compressed && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return fmt.Errorf("corrupt gzip data in %s: %v", what, err)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("truncated in %s", what)
		}
		return fmt.Errorf("reading %s: %v", what, err)
	}

	var m [4]byte
	if _, err := io.ReadFull(in, m[:]); err != nil {
		if errors.Is(err, io.EOF) && !compressed {
			return nil, 0, errors.New("empty file, not an IDX file")
		}
		return nil, 0, wrap("the magic number", err)
	}
	got := binary.BigEndian.Uint32(m[:])
	if err := checkMagic(got, magic); err != nil {
		return nil, 0, err
	}
	dims := make([]uint32, magic&0xff)
	if err := binary.Read(in, binary.BigEndian, dims); err != nil {
		return nil, 0, wrap("the header", err)
	}
	count := int64(dims[0])
	size := int64(1)
	what := "labels"
	if magic == imageMagic {
		if dims[1] != Height || dims[2] != Width {
			return nil, 0, fmt.Errorf("images are %d×%d, want %d×%d", dims[1], dims[2], Height, Width)
		}
		size, what = Pixels, "images"
	}
	if count > MaxExamples {
		return nil, 0, fmt.Errorf("header declares %d %s, more than the limit of %d (mnist.MaxExamples)", count, what, MaxExamples)
	}
	// Bound the count by what this machine can address: the float32 matrix
	// of images needs 4 bytes a pixel (this only bites on 32-bit machines).
	if count > math.MaxInt/(size*4) {
		return nil, 0, fmt.Errorf("header declares %d %s, more than this machine can hold", count, what)
	}
	want := int(count * size)
	for n < want {
		c := make([]byte, min(want-n, chunkSize))
		k, err := io.ReadFull(in, c)
		n += k
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("truncated: header declares %d %s (%d bytes), only %d bytes present", count, what, want, n)
		}
		if err != nil {
			return nil, 0, wrap("the data", err)
		}
		chunks = append(chunks, c)
	}
	// Nothing may follow; reading to the end also makes gzip verify its
	// checksum and length.
	var extra [1]byte
	switch n, err := io.ReadFull(in, extra[:]); {
	case n > 0:
		return nil, 0, fmt.Errorf("trailing data after the %d %s the header declares", count, what)
	case !errors.Is(err, io.EOF):
		return nil, 0, wrap("the end of the file", err)
	}
	if compressed {
		if _, err := br.ReadByte(); err == nil {
			return nil, 0, errors.New("trailing data after the gzip stream")
		}
	}
	return chunks, n, nil
}

// checkMagic explains how a magic number differs from the wanted one.
func checkMagic(got, want uint32) error {
	if got == want {
		return nil
	}
	kind := map[uint32]string{imageMagic: "an image file (3 dimensions)", labelMagic: "a label file (1 dimension)"}
	switch {
	case got>>16 != 0:
		return fmt.Errorf("not an IDX file (magic number 0x%08x)", got)
	case got>>8&0xff != typeUbyte:
		return fmt.Errorf("IDX element type 0x%02x, want 0x08 (unsigned byte)", got>>8&0xff)
	case kind[got] != "":
		return fmt.Errorf("this is %s, want %s", kind[got], kind[want])
	default:
		return fmt.Errorf("IDX file with %d dimensions, want %s", got&0xff, kind[want])
	}
}
