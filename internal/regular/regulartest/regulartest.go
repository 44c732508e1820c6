//go:build unix

// Package regulartest makes, for the savers' tests, the destinations they
// must refuse: a named pipe and a symbolic link to /dev/null. /dev/null
// itself is never used: a regression, run as root, would replace the
// system's /dev/null, where it replaces only the link.
package regulartest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// SpecialFiles makes a named pipe and a link to /dev/null in dir, named
// "fifo"+suffix and "null"+suffix.
func SpecialFiles(t testing.TB, dir, suffix string) (fifo, devLink string) {
	t.Helper()
	fifo = filepath.Join(dir, "fifo"+suffix)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	devLink = filepath.Join(dir, "null"+suffix)
	if err := os.Symlink(os.DevNull, devLink); err != nil {
		t.Fatal(err)
	}
	return fifo, devLink
}

// CheckUnchanged fails t if /dev/null is no longer a character device or
// the pipe or the link was replaced.
func CheckUnchanged(t testing.TB, fifo, devLink string) {
	t.Helper()
	if info, err := os.Stat(os.DevNull); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v %v", os.DevNull, info, err)
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the named pipe was replaced: %v %v", info, err)
	}
	if info, err := os.Lstat(devLink); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", info, err)
	}
}
