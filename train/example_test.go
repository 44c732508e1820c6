package train_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// toyData returns n points of two features: class 1 inside the unit
// circle, class 0 outside (up to radius 2).
func toyData(seed uint64, n int) train.Dataset {
	rng := rand.New(rand.NewPCG(seed, 0))
	d := train.Dataset{X: mat.New(n, 2), Y: make([]int, n)}
	for i := 0; i < n; {
		a, b := 4*rng.Float32()-2, 4*rng.Float32()-2
		r := a*a + b*b
		if r > 4 || (r > 0.8 && r < 1.25) { // leave a margin around the circle
			continue
		}
		d.X.Set(i, 0, a)
		d.X.Set(i, 1, b)
		if r < 1 {
			d.Y[i] = 1
		}
		i++
	}
	return d
}

// Train a small network with early stopping and report progress through
// the epoch callback; the library itself prints nothing.
func Example() {
	trainSet, val := toyData(1, 1000), toyData(2, 300)

	net, err := layers.NewSpec(2, []int{16, 16}, 2).Build(1)
	if err != nil {
		panic(err)
	}
	opt, err := sgd.New(net.Params(), sgd.DefaultConfig(sgd.Adam, 0.02))
	if err != nil {
		panic(err)
	}
	tr, err := train.New(net, opt, train.Config{
		Epochs:    30,
		BatchSize: 50,
		Seed:      1,
		Patience:  5,
		OnEpoch: func(s train.EpochStats) error {
			// A program would print s.Loss, s.ValAccuracy, s.SamplesPerSec
			// here, or save a checkpoint when s.Improved.
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	res, err := tr.Fit(context.Background(), trainSet, val)
	if err != nil {
		panic(err)
	}
	fmt.Printf("best validation accuracy above 99%%: %v\n", res.BestAccuracy > 0.99)

	// Predict on one new point, the centre of the circle.
	class := make([]int, 1)
	net.Classify(class, mat.FromSlice(1, 2, []float32{0, 0}))
	fmt.Println("class of (0, 0):", class[0])
	// Output:
	// best validation accuracy above 99%: true
	// class of (0, 0): 1
}
