//go:build noasm

package gonum

const noasm = true
