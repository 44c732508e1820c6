package ckpt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// otherFormats are the starts (and, for TF, ends) of files that are not
// gomlp checkpoints, with what the error must say about each.
func otherFormats() []struct {
	name string
	data []byte
	want string
} {
	safetensors := binary.LittleEndian.AppendUint64(nil, 14)
	safetensors = append(safetensors, `{"a":{}}      `...)
	safetensors = append(safetensors, make([]byte, 16)...)
	tfIndex := append(make([]byte, 100), tfTableMagic...)
	var buf bytes.Buffer
	Encode(&buf, smallCheckpoint())
	gomlp := buf.Bytes()
	newer := bytes.Clone(gomlp)
	binary.LittleEndian.PutUint16(newer[8:], 3)
	binary.LittleEndian.PutUint32(newer[60:], maskCRC(crc(newer[:60])))
	mangled := append(bytes.Replace(gomlp[:8], []byte("\r\n"), []byte("\n"), 1), gomlp[8:]...)
	damagedStart := bytes.Clone(gomlp)
	damagedStart[0] = 0
	return []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the file is empty"},
		{"pytorch zip", []byte("PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00archive/data.pklXXXX"), "PyTorch checkpoint (torch.save zip"},
		{"npz", []byte("PK\x03\x04....................arr_0.npy"), "NumPy .npz"},
		{"keras", []byte("PK\x03\x04....................metadata.json"), "Keras"},
		{"zip", []byte("PK\x03\x04....................readme.txt"), "zip archive"},
		{"legacy torch", append([]byte{0x80, 0x02}, append(torchLegacy, '.')...), "legacy PyTorch checkpoint"},
		{"pickle", []byte{0x80, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0, 0, '}', 0x94, '.'}, "Python pickle"},
		{"safetensors", safetensors, "safetensors"},
		{"gguf", []byte("GGUF\x03\x00\x00\x00\x00\x00\x00\x00"), "GGUF"},
		{"gzip", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, "gzip-compressed"},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0}, "zstd-compressed"},
		{"hdf5", []byte("\x89HDF\r\n\x1a\n\x00\x00"), "HDF5"},
		{"npy", []byte("\x93NUMPY\x01\x00v\x00{'descr'"), "NumPy .npy"},
		{"tf index", tfIndex, "TensorFlow checkpoint index"},
		{"saved model", []byte{0x08, 0x01, 0x12, 0x90, 0x01, 0x0a}, "TensorFlow SavedModel"},
		{"onnx", []byte{0x08, 0x07, 0x12, 0x07, 'p', 'y', 't', 'o', 'r', 'c', 'h'}, "ONNX"},
		{"idx", []byte{0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28}, "IDX data file (MNIST"},
		{"tf state", []byte("model_checkpoint_path: \"model.ckpt-100\"\n"), "TensorFlow \"checkpoint\" state file"},
		{"text", []byte("hello, world\n"), "it is text"},
		{"binary", []byte{0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3, 4, 5}, "unknown content starting de ad be ef 00 01 02 03"},
		{"own prefix", gomlp[:5], "only 5 bytes, the start of a gomlp checkpoint"},
		{"own truncated", gomlp[:300], "truncated or was not completely written"},
		{"own too short", gomlp[:100], "the smallest checkpoint has 136 (truncated)"},
		{"own newer", newer, "written in checkpoint format 3.0; this build reads format 1"},
		{"own mangled", mangled, "text-mode transfer"},
		{"own damaged start", damagedStart, "first bytes are damaged"},
	}
}

func TestDescribeOtherFormats(t *testing.T) {
	for _, tc := range otherFormats() {
		_, err := readBytes(tc.data)
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") ||
			strings.HasPrefix(tc.name, "own") == errors.Is(err, ErrNotCheckpoint) {
			t.Errorf("%s: got %v, want a one-line error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	// A TensorFlow checkpoint prefix: the path itself does not exist.
	os.WriteFile(filepath.Join(dir, "model.ckpt.index"), []byte("x"), 0o644)
	_, err := Load(filepath.Join(dir, "model.ckpt"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "TensorFlow checkpoint prefix") {
		t.Errorf("prefix: %v", err)
	}
	// A SavedModel directory.
	sm := filepath.Join(dir, "export")
	os.Mkdir(sm, 0o755)
	os.WriteFile(filepath.Join(sm, "saved_model.pb"), []byte{8, 1, 0x12}, 0o644)
	_, err = Load(sm)
	if !errors.Is(err, ErrNotCheckpoint) || !strings.Contains(err.Error(), "is a directory (a TensorFlow SavedModel directory") {
		t.Errorf("SavedModel dir: %v", err)
	}
	// A data shard is recognised by its name.
	shard := filepath.Join(dir, "model.ckpt.data-00000-of-00001")
	os.WriteFile(shard, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, 0o644)
	_, err = Load(shard)
	if !strings.Contains(err.Error(), shard+": not a gomlp checkpoint") || !strings.Contains(err.Error(), "TensorFlow checkpoint data shard") {
		t.Errorf("shard: %v", err)
	}
}
