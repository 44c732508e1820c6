package interop_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlp/gomlp/interop"
	"github.com/gomlp/gomlp/layers"
)

// A network goes out as a PyTorch file and comes back, with the mapping
// that mlp import prints.
func Example() {
	dir, _ := os.MkdirTemp("", "interop")
	defer os.RemoveAll(dir)
	net, _ := layers.NewSpec(784, []int{256}, 10).Build(1)
	path := filepath.Join(dir, "mnist.pt")
	if err := interop.WriteFile(path, net); err != nil {
		fmt.Println(err)
		return
	}

	f, err := interop.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	back, mapping, err := interop.FromTensors(f.Tensors, interop.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Format)
	for _, line := range mapping.Lines() {
		fmt.Println(line)
	}
	spec, _ := back.Spec()
	fmt.Println(spec)
	// Output:
	// PyTorch (torch.save zip)
	// layer 0: dense_0/weights [784 256] ← 0.weight [256 784] transposed; dense_0/biases ← 0.bias, ReLU
	// layer 1: dense_1/weights [256 10] ← 2.weight [10 256] transposed; dense_1/biases ← 2.bias, softmax
	// 784-256-10
}
