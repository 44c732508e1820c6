// Package meta reads numbers from a checkpoint's string metadata, the one
// way layers, sgd and train do it: a missing key, a malformed number and a
// number out of its documented range each give an error that names the key,
// the value and the range.
package meta

import (
	"fmt"
	"math"
	"strconv"
)

// Get returns meta[key], or an error saying the key is missing.
func Get(meta map[string]string, pkg, key string) (string, error) {
	v, ok := meta[key]
	if !ok {
		return "", fmt.Errorf("%s: metadata has no %q key", pkg, key)
	}
	return v, nil
}

// Int reads meta[key] as a decimal integer in [lo, hi].
func Int(meta map[string]string, pkg, key string, lo, hi int) (int, error) {
	v, err := Get(meta, pkg, key)
	if err != nil {
		return 0, err
	}
	return ParseInt(v, pkg, key, lo, hi)
}

// ParseInt reads v, the value of key, as a decimal integer in [lo, hi].
func ParseInt(v, pkg, key string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: metadata %s=%q is not an integer from %d to %d", pkg, key, v, lo, hi)
	}
	return n, nil
}

// Uint64 reads meta[key] as a decimal unsigned 64-bit integer.
func Uint64(meta map[string]string, pkg, key string) (uint64, error) {
	v, err := Get(meta, pkg, key)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: metadata %s=%q is not an unsigned 64-bit integer", pkg, key, v)
	}
	return n, nil
}

// Float reads meta[key] as a number other than NaN (infinities pass: the
// caller checks its range).
func Float(meta map[string]string, pkg, key string) (float64, error) {
	v, err := Get(meta, pkg, key)
	if err != nil {
		return 0, err
	}
	return ParseFloat(v, pkg, key)
}

// ParseFloat reads v, the value of key, as a number other than NaN.
func ParseFloat(v, pkg, key string) (float64, error) {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(x) {
		return 0, fmt.Errorf("%s: metadata %s=%q is not a number", pkg, key, v)
	}
	return x, nil
}
