package layers_test

import (
	"fmt"
	"sort"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
)

// Build a 784-256-10 network and list its parameters: the names a
// checkpoint stores.
func ExampleSpec_Build() {
	spec := layers.NewSpec(784, []int{256}, 10)
	net, err := spec.Build(1)
	if err != nil {
		panic(err)
	}
	for _, p := range net.Params() {
		fmt.Println(p.Name, p.Shape)
	}
	// Output:
	// dense_0/weights [784 256]
	// dense_0/biases [256]
	// dense_1/weights [256 10]
	// dense_1/biases [10]
}

// The architecture travels as checkpoint metadata; SpecFromMeta rebuilds it.
func ExampleSpecFromMeta() {
	spec := layers.Spec{Inputs: 784, Hidden: []int{512, 512}, Outputs: 10, Keep: 0.5, InputKeep: 1}
	meta := spec.Meta()
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("%s=%q\n", k, meta[k])
	}

	again, err := layers.SpecFromMeta(meta)
	if err != nil {
		panic(err)
	}
	fmt.Println(again)
	// Output:
	// arch="mlp"
	// arch.hidden="512,512"
	// arch.init="he"
	// arch.input_keep="1"
	// arch.inputs="784"
	// arch.keep="0.5"
	// arch.outputs="10"
	// 784-512-512-10 keep=0.5
}

// Predict works on any batch size, from any number of goroutines.
func ExampleNetwork_Predict() {
	net, err := layers.NewSpec(4, []int{8}, 3).Build(1)
	if err != nil {
		panic(err)
	}
	x := mat.FromSlice(1, 4, []float32{0.1, 0.2, 0.3, 0.4}) // one example
	probs := mat.New(1, 3)
	net.Predict(probs, x)

	sum := 0.0
	for _, p := range probs.Row(0) {
		sum += float64(p)
	}
	class := make([]int, 1)
	net.Classify(class, x)
	fmt.Printf("%d probabilities summing to %.3f; Classify picks the largest: %v\n",
		probs.Cols, sum, probs.At(0, class[0]) == max(probs.At(0, 0), probs.At(0, 1), probs.At(0, 2)))
	// Output:
	// 3 probabilities summing to 1.000; Classify picks the largest: true
}
