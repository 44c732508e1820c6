package ckpt

import (
	"errors"
	"io"
	"os"
	"syscall"
)

const seekDataWhence = 3 // SEEK_DATA

// seekData asks the file system where the data after off starts, so that
// holes of sparse files need not be read. The file offset it moves is not
// used: all reads are ReadAt.
func seekData(r io.ReaderAt, off int64) (int64, bool) {
	f, ok := r.(*os.File)
	if !ok {
		return 0, false
	}
	data, err := f.Seek(off, seekDataWhence)
	if errors.Is(err, syscall.ENXIO) { // only a hole up to the end of the file
		if fi, err := f.Stat(); err == nil {
			return fi.Size(), true
		}
	}
	return data, err == nil
}
