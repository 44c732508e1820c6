package bench_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
)

// The checkpoint benchmarks save and load a 100 MB checkpoint (25 M float32
// in four tensors) and report bytes per second (MB/s).
//
//	Save        the full atomic save: temp file, write, fsync, rename, dir fsync
//	WriteFile   Encode into a file in the page cache, no fsync: Save minus durability
//	Encode      Encode to io.Discard: conversion and CRC only
//	Load        Load from a file in the page cache: read, verify, decode
//	Read        Read from memory: verify and decode only
//	RawWrite    baseline: os.Create, Write the same bytes, Close (what the disk/page cache allows)
//	RawRead     baseline: os.ReadFile of the checkpoint
//
// On a loaded machine compare each with its baseline (same run) rather than
// the absolute figures.

func bigCheckpoint() *ckpt.Checkpoint {
	c := &ckpt.Checkpoint{Metadata: map[string]string{"architecture": "benchmark"}}
	shapes := [][]int{{4096, 4096}, {4096}, {2000, 4096}, {2000}} // 24.97 M elements
	for i, s := range shapes {
		n := 1
		for _, d := range s {
			n *= d
		}
		data := make([]float32, n)
		for j := range data {
			data[j] = float32(j%1000) * 0.001
		}
		c.Tensors = append(c.Tensors, ckpt.Tensor{Name: "layer_" + string(rune('0'+i)), Shape: s, Data: data})
	}
	return c
}

func BenchmarkCkpt(b *testing.B) {
	c := bigCheckpoint()
	var buf bytes.Buffer
	if err := ckpt.Encode(&buf, c); err != nil {
		b.Fatal(err)
	}
	size := int64(buf.Len())
	dir := b.TempDir()
	path := filepath.Join(dir, "big.gmlp")

	b.Run("Save", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if err := ckpt.Save(path, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WriteFile", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			f, err := os.Create(filepath.Join(dir, "plain.gmlp"))
			if err != nil {
				b.Fatal(err)
			}
			if err := ckpt.Encode(f, c); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RawWrite", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			f, err := os.Create(filepath.Join(dir, "raw"))
			if err != nil {
				b.Fatal(err)
			}
			for p := buf.Bytes(); len(p) > 0; {
				n, err := f.Write(p[:min(len(p), 256<<10)])
				if err != nil {
					b.Fatal(err)
				}
				p = p[n:]
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Encode", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if err := ckpt.Encode(io.Discard, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	if err := ckpt.Save(path, c); err != nil {
		b.Fatal(err)
	}
	b.Run("Load", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := ckpt.Load(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RawRead", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := os.ReadFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Read", func(b *testing.B) {
		b.SetBytes(size)
		r := bytes.NewReader(buf.Bytes())
		for b.Loop() {
			if _, err := ckpt.Read(r, size); err != nil {
				b.Fatal(err)
			}
		}
	})
}
