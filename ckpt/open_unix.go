//go:build unix

package ckpt

import (
	"os"
	"syscall"
)

// allocatedBytes returns how many bytes the file occupies on disk.
func allocatedBytes(fi os.FileInfo) (int64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int64(st.Blocks) * 512, true
}
