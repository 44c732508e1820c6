package bench_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// The model benchmarks run on synthetic MNIST-shaped data: 784 features in
// [0, 1), 10 classes. Run with -cpu 1,2 to see the thread scaling (the Gemm
// uses GOMAXPROCS threads).

const benchPool = 4096 // examples the batches are drawn from (about 12 MB)

func syntheticData(n int) (*mat.Matrix, []uint8) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.New(n, 784)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	y := make([]uint8, n)
	for i := range y {
		y[i] = uint8(rng.IntN(10))
	}
	return x, y
}

// BenchmarkTrainStep measures one full training step as train.Fit runs it:
// gathering a shuffled batch into a reused buffer, forward, loss, backward
// and an SGD-with-momentum update.
func BenchmarkTrainStep(b *testing.B) {
	x, y := syntheticData(benchPool)
	cases := []struct {
		name  string
		spec  layers.Spec
		batch int
	}{
		{"784-256-10", layers.Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}, 1},
		{"784-256-10", layers.Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}, 8},
		{"784-256-10", layers.Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}, 32},
		{"784-256-10", layers.Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}, 128},
		{"784-256-10", layers.Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}, 512},
		{"784-512-512-10-dropout", layers.Spec{Inputs: 784, Hidden: []int{512, 512}, Outputs: 10, Keep: 0.5, InputKeep: 1}, 128},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("%s/batch=%d", c.name, c.batch), func(b *testing.B) {
			net, err := c.spec.Build(1)
			if err != nil {
				b.Fatal(err)
			}
			opt, err := sgd.New(net.Params(), sgd.Config{Method: sgd.Momentum, LR: 0.01, Momentum: 0.9})
			if err != nil {
				b.Fatal(err)
			}
			tr, err := train.New(net, opt, train.Config{Epochs: 1, BatchSize: c.batch})
			if err != nil {
				b.Fatal(err)
			}
			perm := rand.New(rand.NewPCG(3, 4)).Perm(benchPool)
			xb := mat.New(c.batch, 784)
			labels := make([]int, c.batch)
			step := func(i int) {
				off := (i * c.batch) % (benchPool - c.batch)
				idx := perm[off : off+c.batch]
				mat.GatherRows(xb, x, idx)
				for r, k := range idx {
					labels[r] = int(y[k])
				}
				tr.TrainBatch(xb, labels)
			}
			step(0) // warm up: buffers are sized on the first step
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step(i)
			}
			b.ReportMetric(float64(b.N*c.batch)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkTrainStepGemmOnly replays just the Gemm calls of one
// BenchmarkTrainStep step, same shapes, same order (per Dense layer: the
// forward X·W, the weight gradient Xᵀ·dY and, except for the first layer,
// the input gradient dY·Wᵀ). Comparing its time with BenchmarkTrainStep's
// gives the share of the step spent outside Gemm (activations, loss,
// biases, optimizer, batch gathering).
func BenchmarkTrainStepGemmOnly(b *testing.B) {
	cases := []struct {
		name  string
		sizes []int
		batch int
	}{
		{"784-256-10", []int{784, 256, 10}, 32},
		{"784-256-10", []int{784, 256, 10}, 128},
		{"784-256-10", []int{784, 256, 10}, 512},
		{"784-512-512-10-dropout", []int{784, 512, 512, 10}, 128},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("%s/batch=%d", c.name, c.batch), func(b *testing.B) {
			layers := len(c.sizes) - 1
			acts := make([]*mat.Matrix, layers+1) // acts[i]: input of Dense i
			grads := make([]*mat.Matrix, layers+1)
			w := make([]*mat.Matrix, layers)
			dw := make([]*mat.Matrix, layers)
			for i, n := range c.sizes {
				acts[i] = mat.New(c.batch, n)
				grads[i] = mat.New(c.batch, n)
				if i < layers {
					w[i] = mat.New(n, c.sizes[i+1])
					dw[i] = mat.New(n, c.sizes[i+1])
				}
			}
			step := func() {
				for i := 0; i < layers; i++ {
					mat.Gemm(mat.NoTrans, mat.NoTrans, 1, acts[i], w[i], 0, acts[i+1])
				}
				for i := layers - 1; i >= 0; i-- {
					mat.Gemm(mat.Trans, mat.NoTrans, 1, acts[i], grads[i+1], 0, dw[i])
					if i > 0 {
						mat.Gemm(mat.NoTrans, mat.Trans, 1, grads[i+1], w[i], 0, grads[i])
					}
				}
			}
			step()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step()
			}
			b.ReportMetric(float64(b.N*c.batch)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkPredict measures inference through Network.Predict (class
// probabilities) on a trained-size 784-256-10 network.
func BenchmarkPredict(b *testing.B) {
	x, _ := syntheticData(1000)
	net, err := layers.Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}.Build(1)
	if err != nil {
		b.Fatal(err)
	}
	for _, batch := range []int{1, 8, 32, 128, 512, 1000} {
		b.Run(fmt.Sprintf("784-256-10/batch=%d", batch), func(b *testing.B) {
			in := x.RowView(0, batch)
			out := mat.New(batch, 10)
			net.Predict(out, &in)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				net.Predict(out, &in)
			}
			samples := float64(b.N * batch)
			b.ReportMetric(samples/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/samples, "ns/sample")
		})
	}
}
