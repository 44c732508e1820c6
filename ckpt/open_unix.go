//go:build unix

package ckpt

import (
	"os"
	"syscall"
)

// openNoWait opens path for reading without waiting: opening a FIFO that
// has no writer would otherwise block forever.
func openNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// blockingMode clears O_NONBLOCK once the file is known to be regular.
func blockingMode(f *os.File) error {
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

// allocatedBytes returns how many bytes the file occupies on disk.
func allocatedBytes(fi os.FileInfo) (int64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int64(st.Blocks) * 512, true
}
