//go:build !gc || purego || !(amd64 || arm64)

package mat

// archKernelSets: no assembly on this build, only the generic kernels.
func archKernelSets() []*kernelSet { return nil }

// expVector: no exp kernel on this build (see kernelSet.vectorExp).
func expVector(dst, src []float32) int { return 0 }
