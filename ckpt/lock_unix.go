//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ckpt

import (
	"os"
	"syscall"
)

// canTellLiveTemps: here a saving process holds a lock on its temporary file
// until it closes it, and the kernel drops the lock when the process dies.
const canTellLiveTemps = true

func lockTemp(f *os.File) {
	// Best effort: without the lock, cleanup still waits for staleAge.
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// abandoned reports whether no process holds the lock on the file.
func abandoned(name string) bool {
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
