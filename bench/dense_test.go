package bench_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/train"
)

// BenchmarkDenseForward compares a dense layer's forward pass with ReLU
// fused into the product (mat.LinearReLU: bias and ReLU applied to each
// band of the output while it is in L1) with the same work as three calls
// (Gemm, AddRowVector, ReLU), at the network's shapes.
func BenchmarkDenseForward(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{1, 784, 256}, {32, 784, 256}, {128, 784, 256}, {128, 512, 512}, {128, 256, 10}} {
		batch, in, out := s[0], s[1], s[2]
		x, w, y := mat.New(batch, in), mat.New(in, out), mat.New(batch, out)
		for _, m := range []*mat.Matrix{x, w} {
			for i := range m.Data {
				m.Data[i] = rng.Float32() - 0.5
			}
		}
		bias := make([]float32, out)
		for _, fused := range []bool{false, true} {
			b.Run(fmt.Sprintf("shape=%dx%dx%d/fused=%v", batch, out, in, fused), func(b *testing.B) {
				for b.Loop() {
					if fused {
						mat.LinearReLU(y, x, w, bias)
					} else {
						mat.Gemm(mat.NoTrans, mat.NoTrans, 1, x, w, 0, y)
						mat.AddRowVector(y, bias)
						mat.ReLU(y, y)
					}
				}
				b.ReportMetric(2*float64(batch*in*out)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkDenseForwardPaired times the fused and the unfused dense forward
// call by call, alternating with the product alone, and reports the median
// time of each, their ratio and what the fused bias and ReLU add to the
// product: on a loaded machine, where whole runs of a benchmark vary by
// tens of percent, the medians of interleaved calls still compare like
// with like.
func BenchmarkDenseForwardPaired(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{1, 784, 256}, {32, 784, 256}, {128, 784, 256}, {128, 256, 10}} {
		batch, in, out := s[0], s[1], s[2]
		x, w, y := mat.New(batch, in), mat.New(in, out), mat.New(batch, out)
		for _, m := range []*mat.Matrix{x, w} {
			for i := range m.Data {
				m.Data[i] = rng.Float32() - 0.5
			}
		}
		bias := make([]float32, out)
		b.Run(fmt.Sprintf("shape=%dx%dx%d", batch, out, in), func(b *testing.B) {
			fused := func() { mat.LinearReLU(y, x, w, bias) }
			unfused := func() {
				mat.Gemm(mat.NoTrans, mat.NoTrans, 1, x, w, 0, y)
				mat.AddRowVector(y, bias)
				mat.ReLU(y, y)
			}
			product := func() { mat.Gemm(mat.NoTrans, mat.NoTrans, 1, x, w, 0, y) }
			m := interleavedMedians(b, fused, unfused, product)
			tf, tu := m[0], m[1]
			b.ReportMetric(tf, "fused-ns")
			b.ReportMetric(tu, "unfused-ns")
			b.ReportMetric(tf/tu, "fused/unfused")
			b.ReportMetric(tf-m[2], "fused-minus-product-ns")
		})
	}
}

// pairedMedians runs f and g alternately b.N times each and returns the
// median duration of each, in nanoseconds.
func pairedMedians(b *testing.B, f, g func()) (float64, float64) {
	m := interleavedMedians(b, f, g)
	return m[0], m[1]
}

// interleavedMedians is pairedMedians for any number of functions: each
// of fs in turn, b.N rounds, and the median time of each in ns.
func interleavedMedians(b *testing.B, fs ...func()) []float64 {
	times := make([][]float64, len(fs))
	for i, f := range fs {
		f()
		times[i] = make([]float64, 0, b.N)
	}
	b.ResetTimer()
	for range b.N {
		for i, f := range fs {
			t0 := time.Now()
			f()
			times[i] = append(times[i], float64(time.Since(t0)))
		}
	}
	b.StopTimer()
	m := make([]float64, len(fs))
	for i, t := range times {
		sort.Float64s(t)
		m[i] = t[len(t)/2]
	}
	return m
}

// BenchmarkTrainStepHog runs the 784-256-10 batch-128 training step with
// one and two threads while a CPU-bound goroutine of the same program
// spins: the situation of a program that embeds gomlp and has its own work,
// or of a machine whose second core is busy. Run it with -cpu 2 (the
// default on a 2-core machine); threads=2 should never be slower than
// threads=1.
func BenchmarkTrainStepHog(b *testing.B) {
	x, y := syntheticData(benchPool)
	for _, hog := range []bool{false, true} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("784-256-10/batch=128/hog=%v/threads=%d", hog, threads), func(b *testing.B) {
				if threads > runtime.GOMAXPROCS(0) {
					b.Skipf("GOMAXPROCS is %d", runtime.GOMAXPROCS(0))
				}
				defer mat.SetThreads(0)
				mat.SetThreads(threads)
				net, opt := momentumNet(b)
				tr, err := train.New(net, opt, train.Config{Epochs: 1, BatchSize: 128})
				if err != nil {
					b.Fatal(err)
				}
				perm := rand.New(rand.NewPCG(3, 4)).Perm(benchPool)
				xb := mat.New(128, 784)
				labels := make([]int, 128)
				step := func(i int) {
					off := (i * 128) % (benchPool - 128)
					idx := perm[off : off+128]
					mat.GatherRows(xb, x, idx)
					for r, k := range idx {
						labels[r] = int(y[k])
					}
					tr.TrainBatch(xb, labels)
				}
				step(0)
				var stop atomic.Bool
				var wg sync.WaitGroup
				if hog {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for n := 0; !stop.Load(); n++ {
						}
					}()
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					step(i)
				}
				b.StopTimer()
				stop.Store(true)
				wg.Wait()
				b.ReportMetric(float64(b.N*128)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
