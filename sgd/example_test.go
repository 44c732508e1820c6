package sgd_test

import (
	"fmt"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/sgd"
)

// A schedule from a flag: halve the rate every 1000 steps.
func ExampleParseSchedule() {
	s, err := sgd.ParseSchedule("step:1000:0.5")
	if err != nil {
		panic(err)
	}
	for _, step := range []int{0, 999, 1000, 2500} {
		fmt.Printf("step %4d: %.4f\n", step, s.Rate(0.1, step))
	}
	// Output:
	// step    0: 0.1000
	// step  999: 0.1000
	// step 1000: 0.0500
	// step 2500: 0.0250
}

// The optimizer's state is a list of named tensors, saved beside the
// parameters to resume training exactly.
func ExampleOptimizer_State() {
	net, err := layers.NewSpec(784, []int{256}, 10).Build(1)
	if err != nil {
		panic(err)
	}
	opt, err := sgd.New(net.Params(), sgd.DefaultConfig(sgd.Momentum, 0.05))
	if err != nil {
		panic(err)
	}
	for _, t := range opt.State() {
		fmt.Println(t.Name, t.Shape)
	}
	// Output:
	// dense_0/weights/momentum [784 256]
	// dense_0/biases/momentum [256]
	// dense_1/weights/momentum [256 10]
	// dense_1/biases/momentum [10]
}
