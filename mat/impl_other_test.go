//go:build !gc || purego || !(amd64 || arm64)

package mat

import "testing"

// TestDispatchGeneric checks that builds without assembly use the generic
// kernels only.
func TestDispatchGeneric(t *testing.T) {
	if impls := Impls(); len(impls) != 1 || impls[0] != "generic" || Impl() != "generic" {
		t.Fatalf("Impls() = %v, Impl() = %q", Impls(), Impl())
	}
}
