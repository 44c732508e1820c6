//go:build unix

package ckpt

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO must not block Load (opening one for reading waits for a writer).
func TestLoadFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	if _, err := Load(fifo); !errors.Is(err, ErrNotCheckpoint) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("fifo: %v", err)
	}
}

// Devices and virtual files are refused for what they are: /dev/null is
// not a regular file, and /proc/self/environ (size 0, with content) is not
// "empty".
func TestLoadSpecialFiles(t *testing.T) {
	if _, err := Load("/dev/null"); !errors.Is(err, ErrNotCheckpoint) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/null: %v", err)
	}
	if _, err := Load("/proc/self/environ"); err != nil && strings.Contains(err.Error(), "empty") {
		t.Errorf("/proc/self/environ: %v", err)
	} else if err != nil && !strings.Contains(err.Error(), "size is reported as 0 bytes but it has content") && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("/proc/self/environ: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(empty); err == nil || !strings.Contains(err.Error(), "the file is empty") {
		t.Errorf("empty file: %v", err)
	}
}
