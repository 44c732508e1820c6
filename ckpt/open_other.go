//go:build !unix

package ckpt

import "os"

// allocatedBytes: unknown here, so large tensors are always verified first.
func allocatedBytes(os.FileInfo) (int64, bool) { return 0, false }
