package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// BenchmarkActivation times forward and backward over a 128×256 batch (the
// hidden layer of the MNIST network), reporting ns per element.
func BenchmarkActivation(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := randMatrix(rng, 128, 256, 2)
	y, dy, dx := mat.New(128, 256), randMatrix(rng, 128, 256, 1), mat.New(128, 256)
	for a := ActReLU; a <= ActGELU; a++ {
		l := a.NewLayer()
		b.Run(a.String(), func(b *testing.B) {
			for b.Loop() {
				l.Forward(y, x, true)
				l.Backward(dx, dy, x, y)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x.Data)), "ns/elem")
		})
	}
}

// BenchmarkForwardBackwardActivation times a training pass of the MNIST
// network 784-256-10 at batch 128 with each activation, to show what share
// of a step the activation takes (compare with relu, whose kernel is
// assembly).
func BenchmarkForwardBackwardActivation(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := randMatrix(rng, 128, 784, 1)
	labels := make([]int, 128)
	for i := range labels {
		labels[i] = i % 10
	}
	for a := ActReLU; a <= ActGELU; a++ {
		net, err := Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Activation: a, Keep: 1, InputKeep: 1}.Build(1)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(a.String(), func(b *testing.B) {
			for b.Loop() {
				net.ForwardBackward(x, labels)
			}
		})
	}
}
