//go:build !unix

package regular

import "os"

// OpenNoWait opens path read-only (no named pipes to wait on here).
func OpenNoWait(path string) (*os.File, error) { return os.Open(path) }

// Blocking does nothing here.
func Blocking(*os.File) error { return nil }
