// Package regular keeps gomlp's readers and savers to regular files.
//
// A reader that opens a named pipe (FIFO) waits forever for a writer, and a
// device never ends: Open opens without waiting and checks what it opened,
// so a path swapped between a check and the open cannot fool it. The
// savers write a temporary file and rename it over the destination; a
// rename replaces whatever the name pointed to, so CheckDestination refuses
// a destination such as /dev/null, a named pipe or a directory before
// anything is written.
package regular

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CheckDestination returns an error naming path and what it is when path exists and is
// not a regular file. The path is followed through symbolic links: a link
// to a regular file passes, a link to a device is refused. A path that does
// not exist, or cannot be examined, passes; creating the file then reports
// any problem with it.
func CheckDestination(path string) error {
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

// Open opens path for reading and checks, on the opened descriptor, that it
// is a regular file; otherwise it returns an error "PATH is KIND, not a
// regular file". The open does not wait (see OpenNoWait), and the returned
// file reads in the usual blocking mode.
func Open(path string) (*os.File, error) {
	f, err := OpenNoWait(path)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%s is %s, not a regular file", path, Kind(info.Mode()))
	}
	if err == nil {
		err = Blocking(f)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// WriteFile writes path atomically: fill writes the content, through a
// buffer, to a temporary file beside path, which is synced and renamed into
// place. A destination that CheckDestination refuses is refused before
// anything is written; on any error path is left as it was.
func WriteFile(path string, fill func(io.Writer) error) (err error) {
	if err := CheckDestination(path); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = fill(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
