//go:build unix

package ckpt

import (
	"testing"

	"github.com/gomlp/gomlp/internal/regular/regulartest"
)

// Save refuses a named pipe and a link to /dev/null (a character device)
// before it writes anything.
func TestSaveRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo, link := regulartest.SpecialFiles(t, dir, ".gmlp")
	for path, kind := range map[string]string{fifo: "a named pipe", link: "a character device"} {
		err := Save(path, smallCheckpoint())
		want := "ckpt: save: " + path + " is " + kind + ", not a regular file: refusing to replace it"
		if err == nil || err.Error() != want {
			t.Errorf("Save(%s): %v, want %q", path, err, want)
		}
	}
	regulartest.CheckUnchanged(t, fifo, link)
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Fatalf("temporary files written: %v", tmp)
	}
}
