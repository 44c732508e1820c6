//go:build unix

package regular

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Open returns at once for a named pipe with no writer, and reads a regular
// file.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	fifo, file := filepath.Join(dir, "fifo"), filepath.Join(dir, "file")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := Open(fifo)
		if f != nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || err.Error() != fifo+" is a named pipe, not a regular file" {
			t.Errorf("Open(fifo) = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Open waits on a named pipe")
	}
	if _, err := Open(dir); err == nil || err.Error() != dir+" is a directory, not a regular file" {
		t.Errorf("Open(dir) = %v", err)
	}
	f, err := Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 8)
	if n, err := f.Read(b); err != nil || string(b[:n]) != "abc" {
		t.Errorf("read %q, %v", b[:n], err)
	}
}
