package ckpt

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// fuzzSeeds are valid files of several shapes plus files of other kinds.
func fuzzSeeds(f *testing.F) {
	f.Add(encode(f, smallCheckpoint()))
	f.Add(encode(f, &Checkpoint{}))
	r := rand.New(rand.NewPCG(3, 4))
	for range 4 {
		f.Add(encode(f, randomCheckpoint(r), AllowNonFinite()))
	}
	for _, o := range otherFormats() {
		f.Add(o.data)
	}
}

// FuzzRead feeds raw bytes to Read: it must never panic, and it may accept
// only canonical files (see checkReadResult).
func FuzzRead(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := readBytes(b)
		checkReadResult(t, b, c, err)
	})
}

// FuzzReadFixed recomputes every checksum and the file length after the
// fuzzer's mutation, so that mutations reach the parser instead of stopping
// at a CRC mismatch.
func FuzzReadFixed(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		b = slices.Clone(b)
		fixChecksums(b)
		c, err := readBytes(b)
		checkReadResult(t, b, c, err)
		if err == nil {
			// What was read also restores into a model of its own shapes.
			into := make([]Tensor, len(c.Tensors))
			for i, tt := range c.Tensors {
				into[i] = Tensor{Name: tt.Name, Shape: tt.Shape, DType: tt.DType, Data: make([]float32, len(tt.Data)), Raw: make([]byte, len(tt.Raw))}
			}
			if _, err := c.Restore(into, AllowNonFinite()); err != nil {
				t.Fatalf("restore into matching model: %v", err)
			}
			for i := range into {
				if !bytes.Equal(float32Bits(into[i].Data), float32Bits(c.Tensors[i].Data)) || !bytes.Equal(into[i].Raw, c.Tensors[i].Raw) {
					t.Fatalf("tensor %q not restored exactly", into[i].Name)
				}
			}
		}
	})
}
