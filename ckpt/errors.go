package ckpt

import (
	"errors"
	"fmt"
)

// Kinds of error, for errors.Is. An error from Load or Read about the file's
// contents is a *FileError that wraps exactly one of the first five (I/O
// errors, such as a missing file, are returned wrapped as they are). Save and
// Encode wrap ErrNonFinite when they refuse NaN or infinite values.
var (
	ErrNotCheckpoint = errors.New("not a gomlp checkpoint")
	ErrTruncated     = errors.New("truncated checkpoint")
	ErrChecksum      = errors.New("checkpoint checksum mismatch")
	ErrMalformed     = errors.New("malformed checkpoint")
	ErrUnsupported   = errors.New("unsupported checkpoint")
	ErrNonFinite     = errors.New("non-finite value")
)

// A FileError says why a file is not a valid checkpoint.
type FileError struct {
	File string // the path given to Load, or "" for Read
	Kind error  // one of ErrNotCheckpoint, ErrTruncated, ErrChecksum, ErrMalformed, ErrUnsupported
	Msg  string // what is wrong, one line, without the file name
}

func (e *FileError) Error() string {
	if e.File == "" {
		return "ckpt: " + e.Msg
	}
	return "ckpt: " + e.File + ": " + e.Msg
}

func (e *FileError) Unwrap() error { return e.Kind }

// fileErrorf builds a FileError; the file name is filled in by the caller.
func fileErrorf(kind error, format string, args ...any) *FileError {
	return &FileError{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
