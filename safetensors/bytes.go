package safetensors

import (
	"encoding/binary"
	"io"
	"math"
	"unsafe"
)

// littleEndian is true on machines whose float32 memory layout is the
// file's, where F32 data is read straight into the result.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// readF32 reads len(dst) little-endian float32 values at off into dst.
func readF32(r io.ReaderAt, off int64, dst []float32) error {
	if len(dst) == 0 {
		return nil
	}
	if littleEndian {
		_, err := r.ReadAt(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 4*len(dst)), off)
		return err
	}
	buf := make([]byte, min(chunk, 4*len(dst)))
	per := len(buf) / 4
	for i := 0; i < len(dst); i += per {
		m := min(per, len(dst)-i)
		if _, err := r.ReadAt(buf[:4*m], off+int64(4*i)); err != nil {
			return err
		}
		for k := 0; k < m; k++ {
			dst[i+k] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*k:]))
		}
	}
	return nil
}

// f32Bytes returns the little-endian bytes of src, without copying where
// the machine allows.
func f32Bytes(src []float32) []byte {
	if len(src) == 0 {
		return nil
	}
	if littleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(&src[0])), 4*len(src))
	}
	b := make([]byte, 4*len(src))
	for i, v := range src {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}
