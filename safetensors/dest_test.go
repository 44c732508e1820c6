package safetensors

import (
	"os"
	"path/filepath"
	"testing"
)

// destTensors is what the destination tests try to save.
var destTensors = []Tensor{{Name: "w", DType: "F32", Shape: []int{2}, Data: []float32{1, 2}}}

// saveRefused checks that saving to path fails with the message for kind
// and leaves nothing in dir but the entries it held before.
func saveRefused(t *testing.T, dir, path, kind string) {
	t.Helper()
	before, _ := os.ReadDir(dir)
	ts := destTensors
	err := Save(path, ts, nil)
	want := "safetensors: save: " + path + " is " + kind + ", not a regular file: refusing to replace it"
	if err == nil || err.Error() != want {
		t.Errorf("Save(%s): %v, want %q", path, err, want)
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("Save(%s) left files in %s: %v", path, dir, after)
	}
}

func TestSaveRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	saveRefused(t, dir, target, "a directory")
	if info, err := os.Stat(target); err != nil || !info.IsDir() {
		t.Fatalf("the directory was replaced: %v %v", info, err)
	}
}
