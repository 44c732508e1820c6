package onnx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The protobuf wire format, the little of it ONNX files use: varints,
// 32- and 64-bit fixed fields and length-delimited fields (strings, bytes,
// nested messages and packed repeated scalars). Groups (wire types 3 and 4)
// are obsolete and refused.

const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

var errTruncated = errors.New("unexpected end of data")

// reader walks the fields of one message held in buf.
type reader struct {
	buf []byte
	off int
}

// next returns the next field's number and wire type, or ok false at the
// end of the message.
func (r *reader) next() (field int, wire int, ok bool, err error) {
	if r.off >= len(r.buf) {
		return 0, 0, false, nil
	}
	key, err := r.varint()
	if err != nil {
		return 0, 0, false, err
	}
	field, wire = int(key>>3), int(key&7)
	if key>>3 == 0 || key>>3 > 1<<29-1 {
		return 0, 0, false, fmt.Errorf("invalid field number %d", key>>3)
	}
	return field, wire, true, nil
}

// varint reads a base-128 varint of at most 10 bytes whose value fits in 64 bits.
func (r *reader) varint() (uint64, error) {
	var v uint64
	for i := 0; i < 10; i++ {
		if r.off >= len(r.buf) {
			return 0, errTruncated
		}
		b := r.buf[r.off]
		r.off++
		if i == 9 && b > 1 {
			return 0, errors.New("varint overflows 64 bits")
		}
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("varint longer than 10 bytes")
}

func (r *reader) fixed32() (uint32, error) {
	if len(r.buf)-r.off < 4 {
		return 0, errTruncated
	}
	v := binary.LittleEndian.Uint32(r.buf[r.off:])
	r.off += 4
	return v, nil
}

func (r *reader) fixed64() (uint64, error) {
	if len(r.buf)-r.off < 8 {
		return 0, errTruncated
	}
	v := binary.LittleEndian.Uint64(r.buf[r.off:])
	r.off += 8
	return v, nil
}

// bytes reads a length-delimited field; the result aliases the input.
func (r *reader) bytes() ([]byte, error) {
	n, err := r.varint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(r.buf)-r.off) {
		return nil, fmt.Errorf("length %d runs past the end of the data (%d bytes left)", n, len(r.buf)-r.off)
	}
	b := r.buf[r.off : r.off+int(n) : r.off+int(n)]
	r.off += int(n)
	return b, nil
}

// skip passes over a field of the given wire type.
func (r *reader) skip(wire int) error {
	var err error
	switch wire {
	case wireVarint:
		_, err = r.varint()
	case wireFixed64:
		_, err = r.fixed64()
	case wireBytes:
		_, err = r.bytes()
	case wireFixed32:
		_, err = r.fixed32()
	default:
		err = fmt.Errorf("unsupported wire type %d", wire)
	}
	return err
}

// want checks that a field has the wire type its schema gives it.
func want(field, wire, expected int) error {
	if wire != expected {
		return fmt.Errorf("field %d has wire type %d, want %d", field, wire, expected)
	}
	return nil
}

func (r *reader) int64Field(field, wire int) (int64, error) {
	if err := want(field, wire, wireVarint); err != nil {
		return 0, err
	}
	v, err := r.varint()
	return int64(v), err
}

func (r *reader) stringField(field, wire int) (string, error) {
	if err := want(field, wire, wireBytes); err != nil {
		return "", err
	}
	b, err := r.bytes()
	return string(b), err
}

func (r *reader) messageField(field, wire int) ([]byte, error) {
	if err := want(field, wire, wireBytes); err != nil {
		return nil, err
	}
	return r.bytes()
}

// float32Field reads one float, or a packed run of them, appending to dst.
// limit caps len(dst) so that no repeated field outgrows the documented limits.
func (r *reader) float32s(dst []float32, field, wire, limit int) ([]float32, error) {
	switch wire {
	case wireFixed32:
		v, err := r.fixed32()
		if err != nil {
			return dst, err
		}
		if len(dst) >= limit {
			return dst, tooMany(field, limit)
		}
		return append(dst, math.Float32frombits(v)), nil
	case wireBytes:
		b, err := r.bytes()
		if err != nil {
			return dst, err
		}
		if len(b)%4 != 0 {
			return dst, fmt.Errorf("field %d: packed floats of %d bytes, not a multiple of 4", field, len(b))
		}
		if len(b)/4 > limit-len(dst) {
			return dst, tooMany(field, limit)
		}
		for i := 0; i < len(b); i += 4 {
			dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
		}
		return dst, nil
	}
	return dst, fmt.Errorf("field %d: wire type %d for floats", field, wire)
}

// float64s is float32s for doubles.
func (r *reader) float64s(dst []float64, field, wire, limit int) ([]float64, error) {
	switch wire {
	case wireFixed64:
		v, err := r.fixed64()
		if err != nil {
			return dst, err
		}
		if len(dst) >= limit {
			return dst, tooMany(field, limit)
		}
		return append(dst, math.Float64frombits(v)), nil
	case wireBytes:
		b, err := r.bytes()
		if err != nil {
			return dst, err
		}
		if len(b)%8 != 0 {
			return dst, fmt.Errorf("field %d: packed doubles of %d bytes, not a multiple of 8", field, len(b))
		}
		if len(b)/8 > limit-len(dst) {
			return dst, tooMany(field, limit)
		}
		for i := 0; i < len(b); i += 8 {
			dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(b[i:])))
		}
		return dst, nil
	}
	return dst, fmt.Errorf("field %d: wire type %d for doubles", field, wire)
}

// varints reads one varint, or a packed run of them, appending to dst.
func (r *reader) varints(dst []int64, field, wire, limit int) ([]int64, error) {
	switch wire {
	case wireVarint:
		v, err := r.varint()
		if err != nil {
			return dst, err
		}
		if len(dst) >= limit {
			return dst, tooMany(field, limit)
		}
		return append(dst, int64(v)), nil
	case wireBytes:
		b, err := r.bytes()
		if err != nil {
			return dst, err
		}
		sub := reader{buf: b}
		for sub.off < len(b) {
			v, err := sub.varint()
			if err != nil {
				return dst, fmt.Errorf("field %d: %v", field, err)
			}
			if len(dst) >= limit {
				return dst, tooMany(field, limit)
			}
			dst = append(dst, int64(v))
		}
		return dst, nil
	}
	return dst, fmt.Errorf("field %d: wire type %d for integers", field, wire)
}

func tooMany(field, limit int) error {
	return fmt.Errorf("field %d: more than %d values", field, limit)
}

// writer builds one message. Nested messages are built in their own writer
// and appended with their length.
type writer struct {
	buf []byte
}

func (w *writer) key(field, wire int) {
	w.buf = binary.AppendUvarint(w.buf, uint64(field)<<3|uint64(wire))
}

func (w *writer) int64(field int, v int64) {
	w.key(field, wireVarint)
	w.buf = binary.AppendUvarint(w.buf, uint64(v))
}

// int64NonZero writes v unless it is 0 (proto3's default, which is not written).
func (w *writer) int64NonZero(field int, v int64) {
	if v != 0 {
		w.int64(field, v)
	}
}

func (w *writer) bytes(field int, b []byte) {
	w.key(field, wireBytes)
	w.buf = binary.AppendUvarint(w.buf, uint64(len(b)))
	w.buf = append(w.buf, b...)
}

func (w *writer) string(field int, s string) {
	w.key(field, wireBytes)
	w.buf = binary.AppendUvarint(w.buf, uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *writer) stringNonEmpty(field int, s string) {
	if s != "" {
		w.string(field, s)
	}
}

func (w *writer) float32(field int, v float32) {
	w.key(field, wireFixed32)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, math.Float32bits(v))
}

func (w *writer) packedFloat32s(field int, v []float32) {
	if len(v) == 0 {
		return
	}
	w.key(field, wireBytes)
	w.buf = binary.AppendUvarint(w.buf, uint64(4*len(v)))
	for _, f := range v {
		w.buf = binary.LittleEndian.AppendUint32(w.buf, math.Float32bits(f))
	}
}

func (w *writer) packedInt64s(field int, v []int64) {
	if len(v) == 0 {
		return
	}
	var body []byte
	for _, x := range v {
		body = binary.AppendUvarint(body, uint64(x))
	}
	w.bytes(field, body)
}
