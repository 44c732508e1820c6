// Package safetensorscheck cross-checks gomlp's safetensors reader and
// writer against an independent implementation,
// github.com/nlpodyssey/safetensors. It is a module of its own so that the
// library's go.mod stays free of other modules; run it with
//
//	cd interop/safetensorscheck && go test .
package safetensorscheck
