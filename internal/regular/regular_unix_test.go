//go:build unix

package regular

import (
	"os"
	"testing"

	"github.com/gomlp/gomlp/internal/regular/regulartest"
)

func TestCheckDestinationUnix(t *testing.T) {
	fifo, link := regulartest.SpecialFiles(t, t.TempDir(), "")
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
