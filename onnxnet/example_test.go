package onnxnet_test

import (
	"fmt"
	"log"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/onnx"
	"github.com/gomlp/gomlp/onnxnet"
)

// A network to ONNX bytes and back.
func Example() {
	net, err := layers.NewSpec(784, []int{32}, 10).Build(1)
	if err != nil {
		log.Fatal(err)
	}
	m, err := onnxnet.Export(net, onnxnet.ExportOptions{})
	if err != nil {
		log.Fatal(err)
	}
	data, err := onnx.Encode(m) // or onnx.WriteFile("model.onnx", m)
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range m.Graph.Nodes {
		fmt.Println(n.OpType, n.Inputs)
	}

	m2, err := onnx.Decode(data) // or onnx.ReadFile("model.onnx")
	if err != nil {
		log.Fatal(err)
	}
	back, report, err := onnxnet.Import(m2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(report)
	x := mat.New(1, 784)
	p, q := mat.New(1, 10), mat.New(1, 10)
	net.Predict(p, x)
	back.Predict(q, x)
	fmt.Println("same probabilities:", fmt.Sprint(p.Data) == fmt.Sprint(q.Data))
	// Output:
	// Gemm [input dense_0/weights dense_0/biases]
	// Relu [Gemm_0_out]
	// Gemm [Relu_0_out dense_1/weights dense_1/biases]
	// Softmax [Gemm_1_out]
	// dense_0/weights [784 32] ← Gemm "dense_0" B="dense_0/weights"
	// dense_0/biases [32] ← C="dense_0/biases"
	// dense_1/weights [32 10] ← Gemm "dense_1" B="dense_1/weights"
	// dense_1/biases [10] ← C="dense_1/biases"
	// activations: Relu
	// head: Softmax "Softmax_0" → SoftmaxCE (Predict gives the same probabilities)
	// same probabilities: true
}
