//go:build unix

package torchpt

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlp/gomlp/internal/regular/regulartest"
)

// Save refuses a named pipe and a link to /dev/null (a character device)
// before it writes anything.
func TestSaveRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo, link := regulartest.SpecialFiles(t, dir, "")
	saveRefused(t, dir, fifo, "a named pipe")
	saveRefused(t, dir, link, "a character device")
	regulartest.CheckUnchanged(t, fifo, link)
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
