package mnist

import (
	"fmt"
	"os"
)

// openRegular opens path for reading and makes sure, on the opened
// descriptor, that it is a regular file. Where the system has it the open
// is non-blocking, so a FIFO or device under a data file's name is refused
// at once instead of waiting forever for a writer (and a path swapped
// between a check and the open cannot make it wait either).
func openRegular(path string) (*os.File, error) {
	f, err := openNonblock(path)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileKind(info.Mode()))
	}
	return f, nil
}

// fileKind names what a non-regular file is, for messages.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "not a plain file"
}
