package onnx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WriteFile refuses a destination that is not a regular file and leaves it
// as it was.
func TestWriteFileRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "model.onnx")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	m := &Model{IRVersion: 7, Graph: &Graph{Name: "g"}}
	err := WriteFile(target, m)
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("WriteFile onto a directory: %v", err)
	}
	if info, err := os.Stat(target); err != nil || !info.IsDir() {
		t.Fatalf("the directory was replaced: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}
