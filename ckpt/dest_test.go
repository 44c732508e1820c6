package ckpt

import (
	"os"
	"path/filepath"
	"testing"
)

// A directory at the destination is refused before anything is written: a
// rename would otherwise fail late, or replace an empty directory.
func TestSaveRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "model.gmlp")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	err := Save(target, smallCheckpoint())
	want := "ckpt: save: " + target + " is a directory, not a regular file: refusing to replace it"
	if err == nil || err.Error() != want {
		t.Fatalf("Save over a directory: %v, want %q", err, want)
	}
	if info, err := os.Stat(target); err != nil || !info.IsDir() {
		t.Fatalf("the directory was replaced: %v %v", info, err)
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Fatalf("temporary files written: %v", tmp)
	}
}
