//go:build gc && !purego

package mat

// archKernelSets returns the assembly kernel sets this CPU supports, best first.
// (Placeholder: the assembly kernels are being written.)
func archKernelSets() []*kernelSet { return nil }
