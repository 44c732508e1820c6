package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
)

// DataType is TensorProto.DataType, the element type of a tensor.
type DataType int32

// Element types (the values of TensorProto.DataType).
const (
	Undefined  DataType = 0
	Float      DataType = 1
	Uint8      DataType = 2
	Int8       DataType = 3
	Uint16     DataType = 4
	Int16      DataType = 5
	Int32      DataType = 6
	Int64      DataType = 7
	String     DataType = 8
	Bool       DataType = 9
	Float16    DataType = 10
	Double     DataType = 11
	Uint32     DataType = 12
	Uint64     DataType = 13
	Complex64  DataType = 14
	Complex128 DataType = 15
	BFloat16   DataType = 16
)

var dataTypeNames = []string{"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
	"INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64",
	"COMPLEX128", "BFLOAT16"}

func (t DataType) String() string {
	if t >= 0 && int(t) < len(dataTypeNames) {
		return dataTypeNames[t]
	}
	return "DataType(" + itoa(int64(t)) + ")"
}

// size returns the bytes per element in raw_data, 0 for types without a
// fixed-width raw form.
func (t DataType) size() int {
	switch t {
	case Uint8, Int8, Bool:
		return 1
	case Uint16, Int16, Float16, BFloat16:
		return 2
	case Float, Int32, Uint32:
		return 4
	case Int64, Double, Uint64, Complex64:
		return 8
	case Complex128:
		return 16
	}
	return 0
}

// Tensor is a TensorProto. Its values are in exactly one of Raw (raw_data,
// little-endian) or the typed field the data type selects; Float32s and
// Int64s read them whichever way they are stored.
type Tensor struct {
	Name      string
	DataType  DataType
	Dims      []int64
	DocString string

	Raw        []byte    // raw_data
	FloatData  []float32 // float_data (FLOAT, COMPLEX64)
	Int32Data  []int32   // int32_data (INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16 bits)
	Int64Data  []int64   // int64_data (INT64)
	DoubleData []float64 // double_data (DOUBLE, COMPLEX128)
	Uint64Data []uint64  // uint64_data (UINT32, UINT64)
	// Strings counts string_data entries, which this package does not keep.
	Strings int
	// External is true when the values live in another file
	// (data_location EXTERNAL), which this package does not read.
	External bool
	// Segmented is true for a tensor split into segments, which this
	// package does not read.
	Segmented bool
}

// NumElements returns the product of the dimensions (1 for a scalar), or an
// error if a dimension is negative or the product exceeds MaxElements.
func (t *Tensor) NumElements() (int, error) {
	n := int64(1)
	for _, d := range t.Dims {
		if d < 0 {
			return 0, fmt.Errorf("tensor %q: negative dimension in %v", t.Name, t.Dims)
		}
		if d != 0 && n > MaxElements/d {
			return 0, fmt.Errorf("tensor %q: shape %v has more than %d elements", t.Name, t.Dims, MaxElements)
		}
		n *= d
	}
	return int(n), nil
}

// Float32s returns the tensor's values as float32: FLOAT as stored,
// FLOAT16 and BFLOAT16 widened exactly, DOUBLE rounded to nearest. Other
// types are an error naming the type. The count must match the shape.
func (t *Tensor) Float32s() ([]float32, error) {
	n, err := t.storedAs()
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	switch t.DataType {
	case Float:
		if t.Raw != nil {
			for i := range out {
				out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Raw[4*i:]))
			}
		} else {
			copy(out, t.FloatData)
		}
	case Float16, BFloat16:
		widen := Float16ToFloat32
		if t.DataType == BFloat16 {
			widen = func(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }
		}
		for i := range out {
			var bits uint16
			if t.Raw != nil {
				bits = binary.LittleEndian.Uint16(t.Raw[2*i:])
			} else {
				bits = uint16(t.Int32Data[i])
			}
			out[i] = widen(bits)
		}
	case Double:
		for i := range out {
			v := 0.0
			if t.Raw != nil {
				v = math.Float64frombits(binary.LittleEndian.Uint64(t.Raw[8*i:]))
			} else {
				v = t.DoubleData[i]
			}
			out[i] = float32(v)
		}
	default:
		return nil, fmt.Errorf("tensor %q: element type %v is not a floating-point type", t.Name, t.DataType)
	}
	return out, nil
}

// Int64s returns the values of an INT64 or INT32 tensor.
func (t *Tensor) Int64s() ([]int64, error) {
	if t.DataType != Int64 && t.DataType != Int32 {
		return nil, fmt.Errorf("tensor %q: element type %v is not an integer type this package reads", t.Name, t.DataType)
	}
	n, err := t.storedAs()
	if err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for i := range out {
		switch {
		case t.Raw != nil && t.DataType == Int64:
			out[i] = int64(binary.LittleEndian.Uint64(t.Raw[8*i:]))
		case t.Raw != nil:
			out[i] = int64(int32(binary.LittleEndian.Uint32(t.Raw[4*i:])))
		case t.DataType == Int64:
			out[i] = t.Int64Data[i]
		default:
			out[i] = int64(t.Int32Data[i])
		}
	}
	return out, nil
}

// storedAs checks that the values present match the shape and returns the
// element count.
func (t *Tensor) storedAs() (int, error) {
	if t.External {
		return 0, fmt.Errorf("tensor %q: its data is in an external file, which is not supported", t.Name)
	}
	if t.Segmented {
		return 0, fmt.Errorf("tensor %q: segmented tensors are not supported", t.Name)
	}
	n, err := t.NumElements()
	if err != nil {
		return 0, err
	}
	have := 0
	if t.Raw != nil {
		size := t.DataType.size()
		if size == 0 {
			return 0, fmt.Errorf("tensor %q: raw data for element type %v", t.Name, t.DataType)
		}
		if len(t.Raw)%size != 0 {
			return 0, fmt.Errorf("tensor %q: %d bytes of raw data is not a whole number of %v elements", t.Name, len(t.Raw), t.DataType)
		}
		have = len(t.Raw) / size
	} else {
		switch t.DataType {
		case Float:
			have = len(t.FloatData)
		case Int32, Int16, Int8, Uint16, Uint8, Bool, Float16, BFloat16:
			have = len(t.Int32Data)
		case Int64:
			have = len(t.Int64Data)
		case Double:
			have = len(t.DoubleData)
		case Uint32, Uint64:
			have = len(t.Uint64Data)
		default:
			return 0, fmt.Errorf("tensor %q: element type %v is not supported", t.Name, t.DataType)
		}
	}
	if have != n {
		return 0, fmt.Errorf("tensor %q: shape %v needs %d values, the file holds %d", t.Name, t.Dims, n, have)
	}
	return n, nil
}

// Float16ToFloat32 widens an IEEE 754 half-precision value exactly
// (subnormals, infinities and NaN payloads included).
func Float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: normalise the fraction.
	e := uint32(127 - 15 + 1)
	for frac&0x400 == 0 {
		frac <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (frac&0x3ff)<<13)
}

// FloatTensor returns a FLOAT tensor of the given name and shape whose
// values are stored as raw data (copied from data).
func FloatTensor(name string, dims []int64, data []float32) *Tensor {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return &Tensor{Name: name, DataType: Float, Dims: append([]int64(nil), dims...), Raw: raw}
}
