package ckpt

import (
	"hash/crc32"
	"io"
)

// bigTensor is the size above which a tensor's checksum is verified in a
// first pass, through a small buffer, before its memory is allocated: a
// file cannot make the reader allocate much more than it really holds (a
// sparse file of a terabyte with a few kilobytes on disk, say).
const bigTensor = 32 << 20

// verifyChunk is the buffer of that first pass.
const verifyChunk = 1 << 20

// verifyData checks the CRC of the byteLen bytes at off without keeping
// them. Holes in a sparse file (on systems that can find them) are added to
// the checksum arithmetically instead of being read, so a huge hole costs
// no time either.
func (d *decoder) verifyData(off, byteLen uint64, want uint32) (bool, error) {
	buf := make([]byte, min(verifyChunk, byteLen))
	var h uint32
	end := off + byteLen
	for pos := off; pos < end; {
		if data, ok := nextData(d.r, int64(pos)); ok && uint64(data) > pos {
			z := min(uint64(data), end) - pos
			h = crcZeros(h, z)
			pos += z
			continue
		}
		p := buf[:min(uint64(len(buf)), end-pos)]
		if err := d.readAt(p, int64(pos)); err != nil {
			return false, err
		}
		h = crc32.Update(h, castagnoli, p)
		pos += uint64(len(p))
	}
	return maskCRC(h) == want, nil
}

// gf2 is a linear map on 32-bit CRC registers over GF(2): column i is the
// image of bit i.
type gf2 [32]uint32

func (m *gf2) apply(v uint32) uint32 {
	var r uint32
	for i := 0; v != 0; i, v = i+1, v>>1 {
		if v&1 != 0 {
			r ^= m[i]
		}
	}
	return r
}

func (m *gf2) square() gf2 {
	var r gf2
	for i := range r {
		r[i] = m.apply(m[i])
	}
	return r
}

// crcZeros returns crc32.Update(crc, castagnoli, make([]byte, n)) in
// O(log n) steps: appending a zero byte is a linear map on the register,
// and appending n of them is that map to the power n.
func crcZeros(crc uint32, n uint64) uint32 {
	var m gf2 // one zero byte
	for i := range m {
		s := uint32(1) << i
		m[i] = castagnoli[s&0xff] ^ s>>8
	}
	s := ^crc
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			s = m.apply(s)
		}
		m = m.square()
	}
	return ^s
}

// nextData reports the offset of the first byte at or after off that is
// not in a hole, where the system can tell; ok is false where it cannot.
func nextData(r io.ReaderAt, off int64) (data int64, ok bool) {
	return seekData(r, off)
}
