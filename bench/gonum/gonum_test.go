// Package gonum measures gonum's Sgemm at gomlp's benchmark shapes, so that
// gomlp's generic (pure-Go) kernels can be compared with the usual pure-Go
// alternative. It is a separate module: gomlp itself never depends on gonum.
//
//	cd bench/gonum
//	go test -run '^$' -bench . -cpu 1 -count 5              # impl=gonum (its SSE assembly)
//	go test -run '^$' -bench . -cpu 1 -count 5 -tags noasm  # impl=gonum-noasm (pure Go)
package gonum

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

var shapes = []struct {
	m, n, k        int
	transA, transB bool
}{
	{256, 256, 256, false, false},
	{1024, 1024, 1024, false, false},
	{128, 256, 784, false, false},
	{784, 256, 128, true, false},
	{128, 784, 256, false, true},
	{128, 10, 256, false, false},
	{256, 10, 128, true, false},
	{128, 256, 10, false, true},
	{1, 256, 784, false, false},
}

func BenchmarkGemm(b *testing.B) {
	var impl blas.Float32Level3 = gonum.Implementation{}
	name := "gonum"
	if noasm {
		name = "gonum-noasm"
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = rng.Float32()*2 - 1
		}
		return s
	}
	for _, s := range shapes {
		t := func(x bool) (blas.Transpose, string) {
			if x {
				return blas.Trans, "T"
			}
			return blas.NoTrans, "N"
		}
		ta, sa := t(s.transA)
		tb, sb := t(s.transB)
		shape := fmt.Sprintf("%dx%dx%d%s%s", s.m, s.n, s.k, sa, sb)
		b.Run(fmt.Sprintf("shape=%s/impl=%s/threads=%d", shape, name, runtime.GOMAXPROCS(0)), func(b *testing.B) {
			a, bb, c := fill(s.m*s.k), fill(s.k*s.n), make([]float32, s.m*s.n)
			lda, ldb := s.k, s.n
			if s.transA {
				lda = s.m
			}
			if s.transB {
				ldb = s.k
			}
			for b.Loop() {
				impl.Sgemm(ta, tb, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
