package bench_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlp/gomlp/internal/gemmshape"
	"github.com/gomlp/gomlp/mat"
)

// The GEMM benchmarks report GFLOP/s (2·M·N·K per call) for
//
//	BenchmarkGemm/shape=MxNxK{NN,TN,NT}/impl={asm,generic}/threads={1,2}
//
// where the shape is M×N×K of C = op(A)·op(B) with the transposes named by
// the suffix, impl=asm is the assembly kernel set of this CPU (absent when
// there is none) and threads is mat.SetThreads. The names match the C
// reference harness in bench/ref, so benchstat can put OpenBLAS and BLIS in
// the same table:
//
//	go test -run '^$' -bench Gemm -count 5 ./bench > new.txt
//	benchstat -col /impl new.txt

// gemmShapes: squares, then the six products of one training step of the
// 784-256-10 network at batch 128 and one sample of inference.
var gemmShapes = append([]gemmshape.Shape{
	gemmshape.Square(64), gemmshape.Square(128), gemmshape.Square(256),
	gemmshape.Square(512), gemmshape.Square(1024), gemmshape.Square(2048),
}, gemmshape.Step...)

// impls maps the benchmark's impl key to a mat implementation name: "asm"
// is the best set (the one programs use), then any other assembly sets
// under their own names (impl=avx2+fma on an AVX-512 CPU), then "generic".
func impls() [][2]string {
	var out [][2]string
	for i, name := range mat.Impls() {
		switch {
		case name == "generic":
		case i == 0:
			out = append(out, [2]string{"asm", name})
		default:
			out = append(out, [2]string{name, name})
		}
	}
	return append(out, [2]string{"generic", "generic"})
}

func randMatrix(rng *rand.Rand, rows, cols int) *mat.Matrix {
	m := mat.New(rows, cols)
	for i := range m.Data {
		m.Data[i] = rng.Float32()*2 - 1
	}
	return m
}

func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range gemmShapes {
		ar, ac, br, bc := s.Stored()
		a, bm, c := randMatrix(rng, ar, ac), randMatrix(rng, br, bc), mat.New(s.M, s.N)
		flops := s.Flops()
		for _, impl := range impls() {
			threads := []int{1, 2}
			if impl[0] == "generic" {
				if s.M*s.N*s.K > 1<<30 {
					continue // 2048³ takes seconds per call in Go
				}
				threads = []int{1}
			}
			for _, th := range threads {
				b.Run(fmt.Sprintf("shape=%s/impl=%s/threads=%d", s, impl[0], th), func(b *testing.B) {
					prev, err := mat.SetImpl(impl[1])
					if err != nil {
						b.Fatal(err)
					}
					defer mat.SetImpl(prev)
					mat.SetThreads(th)
					defer mat.SetThreads(0)
					for b.Loop() {
						mat.Gemm(mat.TransposeIf(s.TransA), mat.TransposeIf(s.TransB), 1, a, bm, 0, c)
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
