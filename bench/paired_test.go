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

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// The paired benchmarks time two variants call by call, alternating, and
// report the median of each and their ratio (see pairedMedians): the way
// to compare on a loaded machine. Run them with -benchtime Nx.

// BenchmarkGemmPaired compares the best assembly set with the next one
// (avx512 against avx2+fma) at the Gemm benchmark's shapes, one thread.
func BenchmarkGemmPaired(b *testing.B) {
	sets := mat.Impls()
	if len(sets) < 3 {
		b.Skip("one assembly set on this CPU")
	}
	defer mat.SetThreads(0)
	mat.SetThreads(1)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range gemmShapes {
		if s.M*s.N*s.K > 1<<30 {
			continue
		}
		ar, ac, br, bc := s.Stored()
		a, bm, c := randMatrix(rng, ar, ac), randMatrix(rng, br, bc), mat.New(s.M, s.N)
		flops := s.Flops()
		b.Run(fmt.Sprintf("shape=%s/%s-vs-%s", s, sets[0], sets[1]), func(b *testing.B) {
			defer mat.SetImpl(sets[0])
			call := func(set string) func() {
				return func() {
					mat.SetImpl(set)
					mat.Gemm(mat.TransposeIf(s.TransA), mat.TransposeIf(s.TransB), 1, a, bm, 0, c)
				}
			}
			t0, t1 := pairedMedians(b, call(sets[0]), call(sets[1]))
			b.ReportMetric(flops/t0, "GFLOP/s-"+sets[0])
			b.ReportMetric(flops/t1, "GFLOP/s-"+sets[1])
			b.ReportMetric(t1/t0, "speedup")
		})
	}
}

// BenchmarkTrainStepPaired compares the 784-256-10 batch-128 training step
// on two threads with the same on one thread, step by step, without and
// with a CPU-bound goroutine of the same program spinning beside it. The
// control compares one thread with one thread beside the spinning
// goroutine: how far from 1 the speedup strays by chance. Run with
// GOMAXPROCS 2 or more.
func BenchmarkTrainStepPaired(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs GOMAXPROCS >= 2")
	}
	x, y := syntheticData(benchPool)
	for _, c := range []struct {
		name    string
		hog     bool
		threads int // of the side compared with one thread
	}{{"hog=false", false, 2}, {"hog=true", true, 2}, {"hog=true/control=1thread", true, 1}} {
		hog := c.hog
		b.Run("784-256-10/batch=128/"+c.name, func(b *testing.B) {
			defer mat.SetThreads(0)
			net, opt := momentumNet(b)
			tr, err := train.New(net, opt, train.Config{Epochs: 1, BatchSize: 128})
			if err != nil {
				b.Fatal(err)
			}
			perm := rand.New(rand.NewPCG(3, 4)).Perm(benchPool)
			xb := mat.New(128, 784)
			labels := make([]int, 128)
			i := 0
			step := func(threads int) func() {
				return func() {
					mat.SetThreads(threads)
					off := (i * 128) % (benchPool - 128)
					i++
					idx := perm[off : off+128]
					mat.GatherRows(xb, x, idx)
					for r, k := range idx {
						labels[r] = int(y[k])
					}
					tr.TrainBatch(xb, labels)
				}
			}
			var stop atomic.Bool
			var wg sync.WaitGroup
			if hog {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !stop.Load() {
					}
				}()
			}
			t2, t1 := pairedMedians(b, step(c.threads), step(1))
			stop.Store(true)
			wg.Wait()
			b.ReportMetric(128e9/t1, "samples/s-1thread")
			b.ReportMetric(128e9/t2, fmt.Sprintf("samples/s-%dthreads", c.threads))
			b.ReportMetric(t1/t2, "speedup")
		})
	}
}

// BenchmarkTrainStepPhases times the three phases of the 784-256-10
// batch-128 training step (gathering the batch's rows from a 12 MB pool,
// the forward and backward pass, the optimizer's update), steps
// alternating between one and two threads, and reports the median of each
// phase in µs: what of the step scales with the threads and what does not.
func BenchmarkTrainStepPhases(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs GOMAXPROCS >= 2")
	}
	defer mat.SetThreads(0)
	x, y := syntheticData(benchPool)
	net, opt := momentumNet(b)
	perm := rand.New(rand.NewPCG(3, 4)).Perm(benchPool)
	xb := mat.New(128, 784)
	labels := make([]int, 128)
	phases := []string{"gather", "forward-backward", "update"}
	var times [2][3][]float64 // [threads-1][phase]
	b.ResetTimer()
	for i := 0; i < 2*b.N; i++ {
		th := i % 2
		mat.SetThreads(th + 1)
		off := (i * 128) % (benchPool - 128)
		idx := perm[off : off+128]
		t0 := time.Now()
		mat.GatherRows(xb, x, idx)
		for r, k := range idx {
			labels[r] = int(y[k])
		}
		t1 := time.Now()
		net.ForwardBackward(xb, labels)
		t2 := time.Now()
		opt.Step()
		t3 := time.Now()
		for p, d := range []time.Duration{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)} {
			times[th][p] = append(times[th][p], float64(d.Nanoseconds())/1e3)
		}
	}
	b.StopTimer()
	for th := range times {
		for p, ts := range times[th] {
			sort.Float64s(ts)
			b.ReportMetric(ts[len(ts)/2], fmt.Sprintf("us-%s-%dthread", phases[p], th+1))
		}
	}
}

// BenchmarkPredictMedian reports the median time of Network.Predict on one
// thread, call by call, for a 784-256-10 network.
func BenchmarkPredictMedian(b *testing.B) {
	x, _ := syntheticData(1000)
	net, err := layers.NewSpec(784, []int{256}, 10).Build(1)
	if err != nil {
		b.Fatal(err)
	}
	defer mat.SetThreads(0)
	mat.SetThreads(1)
	for _, batch := range []int{1, 32, 128} {
		b.Run(fmt.Sprintf("784-256-10/batch=%d", batch), func(b *testing.B) {
			in := x.RowView(0, batch)
			out := mat.New(batch, 10)
			call := func() { net.Predict(out, &in) }
			t, _ := pairedMedians(b, call, func() {})
			b.ReportMetric(t/1e3, "us/call")
			b.ReportMetric(t/1e3/float64(batch), "us/sample")
		})
	}
}

// BenchmarkGemmMedian reports the median GFLOP/s of single Gemm calls of
// the best set on one and two threads, at the Gemm benchmark's network
// shapes: robust to the load phases of a shared machine, and comparable
// between two builds run alternately.
func BenchmarkGemmMedian(b *testing.B) {
	defer mat.SetThreads(0)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range gemmShapes {
		if s.M*s.N*s.K > 1<<30 || (s.M == s.N && s.N == s.K && s.M != 1024) {
			continue
		}
		ar, ac, br, bc := s.Stored()
		a, bm, c := randMatrix(rng, ar, ac), randMatrix(rng, br, bc), mat.New(s.M, s.N)
		flops := s.Flops()
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("shape=%s/threads=%d", s, threads), func(b *testing.B) {
				mat.SetThreads(threads)
				call := func() { mat.Gemm(mat.TransposeIf(s.TransA), mat.TransposeIf(s.TransB), 1, a, bm, 0, c) }
				t, _ := pairedMedians(b, call, func() {})
				b.ReportMetric(flops/t, "GFLOP/s")
			})
		}
	}
}

// BenchmarkGemmMomentum reports the median GFLOP/s of single Gemm calls,
// one thread, of the weight gradients of a 784-256-10 network at batch 128
// as a momentum optimizer has the backward pass compute them: Aᵀ·B added
// to beta 0.9 times the velocity in C.
func BenchmarkGemmMomentum(b *testing.B) {
	defer mat.SetThreads(0)
	mat.SetThreads(1)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{784, 256, 128}, {256, 10, 128}} {
		m, n, k := s[0], s[1], s[2]
		a, bm, c := randMatrix(rng, k, m), randMatrix(rng, k, n), randMatrix(rng, m, n)
		b.Run(fmt.Sprintf("shape=%dx%dx%dTN/beta=0.9", m, n, k), func(b *testing.B) {
			call := func() { mat.Gemm(mat.Trans, mat.NoTrans, 1, a, bm, 0.9, c) }
			t, _ := pairedMedians(b, call, func() {})
			b.ReportMetric(2*float64(m*n*k)/t, "GFLOP/s")
			b.ReportMetric(t/1e3, "us/call")
		})
	}
}

// momentumNet builds the 784-256-10 network of the training-step
// benchmarks and a momentum optimizer for it.
func momentumNet(b *testing.B) (*layers.Network, *sgd.Optimizer) {
	net, err := layers.NewSpec(784, []int{256}, 10).Build(1)
	if err != nil {
		b.Fatal(err)
	}
	opt, err := sgd.New(net.Params(), sgd.Config{Method: sgd.Momentum, LR: 0.01})
	if err != nil {
		b.Fatal(err)
	}
	return net, opt
}

// BenchmarkGemvAllocations reports per-call medians of the batch-1 first
// layer's product (1×256×784, one thread) on eight separate allocations
// of the weights: the median, fastest and slowest of the eight. 800 KB of
// weights nearly fill a 1 MB L2, and which of them collide in it depends
// on where the pages happen to lie, so one allocation's time is partly
// luck (4.2 to 6.9 µs on the Zen 5 VM). Each b.N round runs 16 calls in a row
// on each allocation in turn (after two untimed ones), the pattern of a
// program predicting one sample after another.
func BenchmarkGemvAllocations(b *testing.B) {
	defer mat.SetThreads(0)
	mat.SetThreads(1)
	rng := rand.New(rand.NewPCG(1, 1))
	const allocs, run = 8, 16
	x, c := randMatrix(rng, 1, 784), mat.New(1, 256)
	ws := make([]*mat.Matrix, allocs)
	times := make([][]float64, allocs)
	for i := range ws {
		ws[i] = randMatrix(rng, 784, 256)
	}
	b.ResetTimer()
	for range b.N {
		for i, w := range ws {
			for j := range run + 2 {
				t0 := time.Now()
				mat.Gemm(mat.NoTrans, mat.NoTrans, 1, x, w, 0, c)
				if j >= 2 {
					times[i] = append(times[i], float64(time.Since(t0)))
				}
			}
		}
	}
	b.StopTimer()
	m := make([]float64, allocs)
	for i, t := range times {
		sort.Float64s(t)
		m[i] = t[len(t)/2]
	}
	sort.Float64s(m)
	b.ReportMetric(m[allocs/2]/1e3, "us-median")
	b.ReportMetric(m[0]/1e3, "us-fastest")
	b.ReportMetric(m[allocs-1]/1e3, "us-slowest")
}
