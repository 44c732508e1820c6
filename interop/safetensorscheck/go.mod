module github.com/gomlp/gomlp/interop/safetensorscheck

go 1.25.0

require github.com/gomlp/gomlp v0.0.0

require (
	github.com/nlpodyssey/safetensors v0.0.0-20250209183917-bfb01cc25f7c
	golang.org/x/sys v0.47.0 // indirect
)

replace github.com/gomlp/gomlp => ../..
