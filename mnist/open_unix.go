//go:build unix

package mnist

import (
	"os"
	"syscall"
)

// openNonblock opens path read-only with O_NONBLOCK, which makes opening a
// FIFO return at once; for a regular file the flag changes nothing.
func openNonblock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
