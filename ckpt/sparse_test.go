package ckpt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

func TestCRCZeros(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 7, 8, 63, 64, 1000, 4096, 1 << 20, 3<<20 + 5} {
		seed := rng.Uint32()
		want := crc32.Update(seed, castagnoli, make([]byte, n))
		if got := crcZeros(seed, uint64(n)); got != want {
			t.Errorf("crcZeros(%#x, %d) = %#x, want %#x", seed, n, got, want)
		}
	}
}

// writeSparse writes, through the format, a checkpoint holding one float32
// tensor "big" of n elements whose data is a hole: the file has an
// apparent size of 4n bytes and almost nothing on disk. With goodCRC the
// checksum is that of n zeros (a valid file); otherwise it is a lie.
func writeSparse(t *testing.T, n uint64, goodCRC bool) string {
	t.Helper()
	le := binary.LittleEndian
	b := encode(t, &Checkpoint{Tensors: []Tensor{{Name: "big", Shape: []int{1}, Data: []float32{0}}}})
	f := footerFields(b)
	index := append([]byte(nil), b[f.indexOff:f.indexOff+f.indexLen]...)
	foot := append([]byte(nil), b[len(b)-footerLen:]...)
	byteLen := 4 * n
	dataEnd := dataOffset + byteLen
	indexOff := alignUp(dataEnd, 8)
	le.PutUint64(index[16:], byteLen)
	le.PutUint64(index[32:], n)
	sum := uint32(12345)
	if goodCRC {
		sum = maskCRC(crcZeros(0, byteLen))
	}
	le.PutUint32(index[24:], sum)
	le.PutUint64(foot[0:], dataEnd)
	le.PutUint64(foot[8:], indexOff)
	le.PutUint64(foot[32:], indexOff+uint64(len(index))+footerLen)
	le.PutUint32(foot[44:], maskCRC(crc(index)))
	le.PutUint32(foot[52:], maskCRC(crc(foot[:52])))

	path := filepath.Join(t.TempDir(), "sparse.gmlp")
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, w := range []struct {
		p   []byte
		off uint64
	}{{b[:preambleLen], 0}, {index, indexOff}, {foot, indexOff + uint64(len(index))}} {
		if _, err := file.WriteAt(w.p, int64(w.off)); err != nil {
			t.Skipf("cannot write a sparse file here: %v", err)
		}
	}
	return path
}

// TestSparseCheckpoint: a file of 1 TiB apparent size and a few KiB on disk
// whose checksum is a lie is refused without allocating the terabyte (and,
// where holes can be found, without reading it).
func TestSparseCheckpoint(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reading a terabyte of hole takes too long where holes cannot be found")
	}
	path := writeSparse(t, 1<<38, false)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Load(path)
	runtime.ReadMemStats(&after)
	want := ErrChecksum
	if strconv.IntSize == 32 {
		want = ErrUnsupported // a terabyte tensor does not fit in memory here at all
	}
	if !errors.Is(err, want) {
		t.Fatalf("Load: %v, want %v", err, want)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("Load allocated %d MiB for a file of a few KiB", grew>>20)
	}
}

// A valid tensor over bigTensor whose data is partly a hole (zeros) and
// partly real loads, through both passes, bit for bit.
func TestLargeTensorTwoPasses(t *testing.T) {
	n := uint64(bigTensor/4 + 4096)
	path := writeSparse(t, n, true)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Tensor("big").Data); uint64(got) != n {
		t.Fatalf("%d elements, want %d", got, n)
	}
	// Real data, damaged after the first pass's region would accept it: a
	// flipped byte in the middle is found.
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(i % 1000)
	}
	good := encode(t, &Checkpoint{Tensors: []Tensor{{Name: "big", Shape: []int{int(n)}, Data: data}}})
	c, err = readBytes(good)
	if err != nil || c.Tensor("big").Data[12345] != 345 {
		t.Fatalf("large tensor: %v", err)
	}
	good[dataOffset+bigTensor/2] ^= 1
	if _, err := readBytes(good); !errors.Is(err, ErrChecksum) {
		t.Fatalf("damaged large tensor: %v", err)
	}
	// Through a reader that is not known to hold its bytes, the damage is
	// found by the first pass, before the allocation.
	if _, err := Read(io.NewSectionReader(bytes.NewReader(good), 0, int64(len(good))), int64(len(good))); !errors.Is(err, ErrChecksum) {
		t.Fatalf("damaged large tensor, verified first: %v", err)
	}
}
