module github.com/gomlp/gomlp/bench/gonum

go 1.25.0

require gonum.org/v1/gonum v0.17.0
