//go:build unix

package main

import (
	"os"
	"syscall"
)

// openNonblock opens path read-only with O_NONBLOCK: opening a FIFO then
// returns at once; for a regular file the flag changes nothing.
func openNonblock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
