package bench_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// The element-kernel benchmarks report the bytes each call reads and
// writes per second (B/s, from b.SetBytes), for
//
//	BenchmarkElem/op=OP/n=N/impl={asm,generic}
//
// on a 128×(N/128) matrix (or N-element slices): n=32768 is the
// 128×256 hidden activation of a training step, n=200704 the 784×256
// weight matrix an optimizer step updates, n=1024 an 8×128 matrix in L1.
func BenchmarkElem(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	type op struct {
		name  string
		bytes int // bytes moved per element
		run   func(x, y, z *mat.Matrix, v []float32)
	}
	ops := []op{
		{"relu", 8, func(x, y, z *mat.Matrix, v []float32) { mat.ReLU(z, x) }},
		{"reluGrad", 12, func(x, y, z *mat.Matrix, v []float32) { mat.ReLUGrad(z, y, x) }},
		{"addRowVector", 8, func(x, y, z *mat.Matrix, v []float32) { mat.AddRowVector(z, v) }},
		{"colSums", 4, func(x, y, z *mat.Matrix, v []float32) { mat.ColSums(v, x) }},
		{"axpy", 12, func(x, y, z *mat.Matrix, v []float32) { mat.Axpy(0.001, x.Data, z.Data) }},
		{"scale", 8, func(x, y, z *mat.Matrix, v []float32) { mat.Scale(0.999, z.Data) }},
		{"add", 12, func(x, y, z *mat.Matrix, v []float32) { mat.Add(z.Data, x.Data) }},
	}
	for _, n := range []int{1024, 32768, 200704} {
		rows := 128
		if n <= 1024 {
			rows = 8
		}
		cols := n / rows
		x, y, z := randMatrix(rng, rows, cols), randMatrix(rng, rows, cols), randMatrix(rng, rows, cols)
		v := make([]float32, cols)
		for _, o := range ops {
			for _, impl := range impls() {
				b.Run(fmt.Sprintf("op=%s/n=%d/impl=%s", o.name, n, impl[0]), func(b *testing.B) {
					prev, err := mat.SetImpl(impl[1])
					if err != nil {
						b.Fatal(err)
					}
					defer mat.SetImpl(prev)
					b.SetBytes(int64(o.bytes * n))
					for b.Loop() {
						o.run(x, y, z, v)
					}
				})
			}
		}
	}
}
