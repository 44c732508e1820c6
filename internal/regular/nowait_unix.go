//go:build unix

package regular

import (
	"os"
	"syscall"
)

// OpenNoWait opens path read-only with O_NONBLOCK, so that opening a named
// pipe with no writer returns at once instead of blocking forever. The
// caller checks what it opened and calls Blocking before reading a regular
// file.
func OpenNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// Blocking clears O_NONBLOCK on f.
func Blocking(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
