module github.com/gomlp/gomlp/bench/ort

go 1.25.0

require github.com/gomlp/gomlp v0.0.0

require golang.org/x/sys v0.47.0 // indirect

replace github.com/gomlp/gomlp => ../..
