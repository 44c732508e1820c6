package ckpt

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"math/bits"
	"runtime"
	"sync"
	"unicode/utf8"
)

// On-disk constants. FORMAT.md is the specification; these must agree with it.
const (
	magicLen    = 8
	preambleLen = 64
	footerLen   = 64
	recordFixed = 32 // fixed part of an index record, before dims and name
	kvFixed     = 8  // fixed part of a metadata entry, before key and value
	minRecord   = 40 // smallest encoded record: 32 + 1 name byte + 7 padding

	formatMajor = 1
	formatMinor = 0

	// dataOffset is where the first tensor's data starts: right after the preamble.
	dataOffset = preambleLen

	// crcMaskDelta is the LevelDB/TensorFlow masking constant for stored CRCs.
	crcMaskDelta = 0xa282ead8
)

// Alignment is the byte alignment of every tensor's data in the file.
const Alignment = 64

var (
	startMagic = [magicLen]byte{0x89, 'G', 'M', 'L', '\r', '\n', 0x1a, '\n'}
	endMagic   = [magicLen]byte{0x89, 'G', 'M', 'L', 'E', 'N', 'D', '\n'}
)

// Limits enforced by both the writer and the reader, so that every file the
// writer produces is one the reader accepts, on every platform.
const (
	MaxTensors      = 1 << 20  // tensors in one file
	MaxNameLen      = 1024     // bytes in a tensor name
	MaxRank         = 8        // dimensions of a tensor
	MaxDim          = 1 << 40  // size of one dimension
	MaxElements     = 1 << 48  // elements in one tensor
	MaxIndexLen     = 64 << 20 // bytes of index (records and metadata)
	MaxMetadataKeys = 4096     // entries in the metadata map
	MaxKeyLen       = 256      // bytes in a metadata key
	MaxValueLen     = 64 << 10 // bytes in a metadata value
)

// DType is the element type of a tensor.
type DType uint8

// The element types. Float32 (the zero value) is what gomlp models use; the
// others are carried as raw little-endian bytes in Tensor.Raw.
const (
	Float32 DType = iota
	Float64
	Int32
	Int64
	Uint8
	numDTypes
)

var dtypeInfo = [numDTypes]struct {
	name string
	code byte // the byte stored in the file
	size int  // bytes per element
}{
	Float32: {"float32", 1, 4},
	Float64: {"float64", 2, 8},
	Int32:   {"int32", 3, 4},
	Int64:   {"int64", 4, 8},
	Uint8:   {"uint8", 5, 1},
}

func (d DType) String() string {
	if d < numDTypes {
		return dtypeInfo[d].name
	}
	return "dtype(" + itoa(uint64(d)) + ")"
}

// Size returns the number of bytes of one element, or 0 for an unknown DType.
func (d DType) Size() int {
	if d < numDTypes {
		return dtypeInfo[d].size
	}
	return 0
}

func (d DType) valid() bool { return d < numDTypes }

// dtypeFromCode maps a stored dtype byte back to a DType.
func dtypeFromCode(c byte) (DType, bool) {
	for d := range numDTypes {
		if dtypeInfo[d].code == c {
			return d, true
		}
	}
	return 0, false
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskCRC is how every CRC is stored: a CRC of bytes that themselves contain
// CRCs is weak, so stored values are rotated and offset (as in LevelDB and TF).
func maskCRC(c uint32) uint32 { return (c>>15 | c<<17) + crcMaskDelta }

func crc(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

func alignUp(n, a uint64) uint64 { return (n + a - 1) &^ (a - 1) }

// padTo8 is the number of zero bytes that follow n bytes to reach a multiple of 8.
func padTo8(n int) int { return int(alignUp(uint64(n), 8)) - n }

// recordLen is the encoded size of a tensor's index record.
func recordLen(nameLen, rank int) int {
	n := recordFixed + 8*rank + nameLen
	return n + padTo8(n)
}

// kvLen is the encoded size of a metadata entry.
func kvLen(keyLen, valLen int) int {
	n := kvFixed + keyLen + valLen
	return n + padTo8(n)
}

// checkName reports what is wrong with a tensor name or metadata key, or ""
// if it is valid: UTF-8 of 1 to max bytes without control characters, line
// separators or bidirectional formatting characters, so that names print
// safely and unambiguously (FORMAT.md, section 7).
func checkName(s string, max int) string {
	switch {
	case len(s) == 0:
		return "empty"
	case len(s) > max:
		return "longer than " + itoa(uint64(max)) + " bytes"
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return "contains a control character"
		}
		if (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c {
			return "contains a bidirectional formatting character"
		}
		if r == 0x2028 || r == 0x2029 {
			return "contains a line or paragraph separator"
		}
	}
	return ""
}

// numElements multiplies dims, reporting false if a dim or the product is
// out of the format's limits. A zero dim makes the product zero whatever the
// other dims are (each must still be at most MaxDim).
func numElements(dims []uint64) (uint64, bool) {
	zero := false
	for _, d := range dims {
		if d > MaxDim {
			return 0, false
		}
		zero = zero || d == 0
	}
	if zero {
		return 0, true
	}
	n := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > MaxElements {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// isFinite32 reports whether every element of s is finite; if not, it also
// returns the index of the first NaN or infinity. Large slices are split
// among goroutines: the check is a fair part of a save's time.
func isFinite32(s []float32) (bool, int) {
	const minPart = 1 << 20
	parts := min(runtime.GOMAXPROCS(0), len(s)/minPart)
	if parts < 2 {
		return isFinite32Serial(s)
	}
	size := (len(s) + parts - 1) / parts
	first := make([]int, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo := p * size
			first[p] = -1
			if ok, i := isFinite32Serial(s[lo:min(lo+size, len(s))]); !ok {
				first[p] = lo + i
			}
		}()
	}
	wg.Wait()
	for _, i := range first {
		if i >= 0 {
			return false, i
		}
	}
	return true, -1
}

func isFinite32Serial(s []float32) (bool, int) {
	// An element is NaN or infinite iff its exponent bits are all ones, i.e.
	// iff (bits & expMask) + expLSB carries into bit 31. Four independent
	// accumulators keep the loop free of dependency stalls.
	const expMask, expLSB, top = 0x7f800000, 0x00800000, 0x80000000
	const block = 1024
	for start := 0; start < len(s); start += block {
		b := s[start:min(start+block, len(s))]
		var a0, a1, a2, a3 uint32
		for q := b; len(q) > 0; {
			if len(q) < 4 {
				a0 |= math.Float32bits(q[0])&expMask + expLSB
				q = q[1:]
				continue
			}
			a0 |= math.Float32bits(q[0])&expMask + expLSB
			a1 |= math.Float32bits(q[1])&expMask + expLSB
			a2 |= math.Float32bits(q[2])&expMask + expLSB
			a3 |= math.Float32bits(q[3])&expMask + expLSB
			q = q[4:]
		}
		if (a0|a1|a2|a3)&top != 0 {
			for j, v := range b {
				if math.Float32bits(v)&expMask == expMask {
					return false, start + j
				}
			}
		}
	}
	return true, -1
}

// firstNonFiniteFloat64 finds the first non-finite element of little-endian
// float64 bytes, or -1.
func firstNonFiniteFloat64(raw []byte) int {
	for i := 0; i+8 <= len(raw); i += 8 {
		v := math.Float64frombits(binary.LittleEndian.Uint64(raw[i:]))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i / 8
		}
	}
	return -1
}

// itoa formats n without pulling fmt into hot paths.
func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
