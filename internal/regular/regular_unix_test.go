//go:build unix

package regular

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestCheckDestinationUnix(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "null")
	if err := os.Symlink(os.DevNull, link); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		fifo:       fifo + " is a named pipe, not a regular file: refusing to replace it",
		os.DevNull: os.DevNull + " is a character device, not a regular file: refusing to replace it",
		link:       link + " is a character device, not a regular file: refusing to replace it",
	} {
		if err := CheckDestination(path); err == nil || err.Error() != want {
			t.Errorf("CheckDestination(%s) = %v, want %q", path, err, want)
		}
	}
}
