package ckpt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"unicode/utf8"
)

// Signatures of files people mistake for checkpoints. Each is a statement
// of fact about the first (or last) bytes; see FORMAT.md, "Other formats".
var (
	tfTableMagic  = []byte{0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb} // LevelDB table footer, ends a TF .index file
	torchLegacy   = []byte{0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}
	mangledMagic  = []byte{0x89, 'G', 'M', 'L', '\n', 0x1a, '\n'} // startMagic after CR LF -> LF
	tfDataShardRE = regexp.MustCompile(`\.data-\d{5}-of-\d{5}$`)
)

// describe says what a file without the start magic looks like, reading at
// most a few KiB of it. ours is true if it is a damaged gomlp checkpoint.
func describe(r io.ReaderAt, size int64, name string) (what string, ours bool) {
	if size == 0 {
		return "the file is empty", false
	}
	head := make([]byte, min(size, 4096))
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	var tail []byte
	if size >= 8 {
		tail = make([]byte, 8)
		if k, _ := r.ReadAt(tail, size-8); k != 8 {
			tail = nil
		}
	}
	has := func(p string) bool { return bytes.HasPrefix(head, []byte(p)) }
	switch {
	case len(head) < magicLen && bytes.HasPrefix(startMagic[:], head):
		return fmt.Sprintf("only %d bytes, the start of a gomlp checkpoint (truncated)", size), true
	case bytes.HasPrefix(head, mangledMagic):
		return "a gomlp checkpoint damaged by a text-mode transfer (CR LF was turned into LF); copy it in binary mode", true
	case bytes.Equal(tail, endMagic[:]):
		return "it ends like a gomlp checkpoint, but its first bytes are damaged", true
	case has("PK\x03\x04") || has("PK\x05\x06"):
		what = describeZip(head)
	case len(head) >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5:
		if bytes.HasPrefix(head[2:], torchLegacy) {
			what = "it looks like a legacy PyTorch checkpoint (torch.save pickle); gomlp never runs pickles"
		} else {
			what = "it looks like a Python pickle; gomlp never runs pickles"
		}
	case looksLikeSafetensors(head, size):
		what = "it looks like a safetensors file"
	case has("GGUF"):
		what = "it looks like a GGUF file (llama.cpp)"
	case has("\x1f\x8b"):
		what = "it is gzip-compressed; gomlp checkpoints are never compressed"
	case has("\x28\xb5\x2f\xfd"):
		what = "it is zstd-compressed; gomlp checkpoints are never compressed"
	case has("\xfd7zXZ\x00"):
		what = "it is xz-compressed; gomlp checkpoints are never compressed"
	case has("\x89HDF\r\n\x1a\n"):
		what = "it looks like an HDF5 file (Keras .h5 weights?)"
	case has("\x93NUMPY"):
		what = "it looks like a NumPy .npy array"
	case bytes.Equal(tail, tfTableMagic):
		what = "it looks like a TensorFlow checkpoint index (.index of a tensor_bundle); the tensors are in the matching .data-* files"
	case has("\x08\x01\x12"):
		what = "it looks like a TensorFlow SavedModel protobuf (saved_model.pb)"
	case len(head) >= 3 && head[0] == 0x08 && head[1] >= 3 && head[1] <= 12 && head[2] == 0x12:
		what = "it looks like an ONNX model (protobuf)"
	case len(head) >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08 && head[3] >= 1 && head[3] <= 4:
		what = "it looks like an IDX data file (MNIST images or labels)"
	case has("model_checkpoint_path:"):
		what = "it looks like a TensorFlow \"checkpoint\" state file (text), which names checkpoints kept elsewhere"
	case isText(head):
		what = "it is text"
	default:
		what = fmt.Sprintf("unknown content starting % x", head[:min(len(head), 8)])
	}
	if name != "" && tfDataShardRE.MatchString(name) {
		what += "; its name is that of a TensorFlow checkpoint data shard"
	}
	return what, false
}

func describeZip(head []byte) string {
	switch {
	case bytes.Contains(head, []byte("data.pkl")) || bytes.Contains(head, []byte("archive/")):
		return "it looks like a PyTorch checkpoint (torch.save zip archive with a pickle inside); gomlp never runs pickles"
	case bytes.Contains(head, []byte(".npy")):
		return "it looks like a NumPy .npz archive"
	case bytes.Contains(head, []byte("model.weights.h5")) || bytes.Contains(head, []byte("metadata.json")):
		return "it looks like a Keras .keras archive"
	}
	return "it is a zip archive"
}

// looksLikeSafetensors: a little-endian u64 header length that fits the
// file, followed by the JSON header's opening brace.
func looksLikeSafetensors(head []byte, size int64) bool {
	if len(head) < 9 || head[8] != '{' {
		return false
	}
	n := binary.LittleEndian.Uint64(head)
	return n >= 2 && n <= uint64(size)-8
}

func isText(b []byte) bool {
	if len(b) > 3 && !utf8.Valid(b[:len(b)-3]) { // the end may cut a character
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// dirHint explains a directory given where a file was expected.
func dirHint(path string) string {
	if _, err := os.Stat(filepath.Join(path, "saved_model.pb")); err == nil {
		return " (a TensorFlow SavedModel directory; gomlp reads single-file checkpoints)"
	}
	return ""
}

// missingFileHint explains a missing path that is a TensorFlow checkpoint prefix.
func missingFileHint(path string) string {
	if _, err := os.Stat(path + ".index"); err == nil {
		return fmt.Sprintf(" (%s.index exists: that is a TensorFlow checkpoint prefix; gomlp reads single-file checkpoints)", filepath.Base(path))
	}
	return ""
}
