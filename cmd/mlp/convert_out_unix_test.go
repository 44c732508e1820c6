//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// import and export refuse a named pipe and a link to /dev/null as -out,
// even with -force, and leave them as they were.
func TestConvertOutSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	gmlp, pt := convertSources(t, dir)
	fifo := filepath.Join(dir, "fifo.gmlp")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	null := filepath.Join(dir, "null.pt")
	if err := os.Symlink(os.DevNull, null); err != nil {
		t.Fatal(err)
	}
	refuse := func(cmd, path, kind string) string {
		return cmd + ": -out " + path + " is " + kind + ", not a regular file: refusing to replace it"
	}
	mlpRefuses(t, refuse("import", fifo, "a named pipe"), "import", pt, "-out", fifo, "-force")
	mlpRefuses(t, refuse("export", null, "a character device"), "export", "-model", gmlp, "-out", null, "-force")
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", err)
	}
	if info, err := os.Lstat(null); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if info, err := os.Stat(os.DevNull); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a character device: %v", os.DevNull, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("files written in %s: %v", dir, entries)
	}
}
