//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ckpt

import "os"

// canTellLiveTemps: without file locks Save cannot tell a crashed save's
// temporary file from one being written, so it leaves them all alone.
const canTellLiveTemps = false

func lockTemp(*os.File) {}

func abandoned(string) bool { return false }
