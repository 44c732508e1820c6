// Package dest checks a file's destination before a saver writes it.
//
// The savers of ckpt, safetensors and torchpt write a temporary file and
// rename it over the destination. A rename replaces whatever the name
// pointed to, so a destination such as /dev/null, a named pipe or a
// directory must be refused before anything is written.
package dest

import (
	"fmt"
	"os"
)

// Check returns an error naming path and what it is when path exists and is
// not a regular file. The path is followed through symbolic links: a link
// to a regular file passes, a link to a device is refused. A path that does
// not exist, or cannot be examined, passes; creating the file then reports
// any problem with it.
func Check(path string) error {
	info, err := os.Stat(path)
	if err != nil || info.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%s is %s, not a regular file: refusing to replace it", path, Kind(info.Mode()))
}

// Kind names what a file of mode m is, for messages: "a directory",
// "a named pipe", "a character device", "a device", "a socket",
// "a symbolic link", "a regular file", or "not a regular file" for
// anything else.
func Kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsRegular():
		return "a regular file"
	}
	return "not a regular file"
}
