//go:build unix

package ckpt

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
	fifo := filepath.Join(dir, "fifo.gmlp")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "null.gmlp")
	if err := os.Symlink(os.DevNull, link); err != nil {
		t.Fatal(err)
	}
	for path, kind := range map[string]string{fifo: "a named pipe", link: "a character device"} {
		err := Save(path, smallCheckpoint())
		want := "ckpt: save: " + path + " is " + kind + ", not a regular file: refusing to replace it"
		if err == nil || err.Error() != want {
			t.Errorf("Save(%s): %v, want %q", path, err, want)
		}
	}
	if info, err := os.Stat(os.DevNull); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v %v", os.DevNull, info, err)
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the named pipe was replaced: %v %v", info, err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", info, err)
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Fatalf("temporary files written: %v", tmp)
	}
}
