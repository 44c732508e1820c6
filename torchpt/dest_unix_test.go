//go:build unix

package torchpt

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Save refuses a named pipe and a link to /dev/null (a character device)
// before it writes anything. /dev/null itself is never the destination: a
// regression, run as root, would replace the system's /dev/null, where it
// replaces only the link here.
func TestSaveRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "null")
	if err := os.Symlink(os.DevNull, link); err != nil {
		t.Fatal(err)
	}
	saveRefused(t, dir, fifo, "a named pipe")
	saveRefused(t, dir, link, "a character device")
	if info, err := os.Stat(os.DevNull); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v %v", os.DevNull, info, err)
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the named pipe was replaced: %v %v", info, err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", info, err)
	}
}

// A link to a regular file is a regular destination: saving works.
func TestSaveThroughLinkToFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "link")
	if err := os.Symlink(file, path); err != nil {
		t.Fatal(err)
	}
	ts := destTensors
	if err := Save(path, ts); err != nil {
		t.Fatal(err)
	}
}
