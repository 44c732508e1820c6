package ckpt_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlp/gomlp/ckpt"
)

// Save a model's tensors with the metadata gomlp writes, load the file and
// restore it into a model whose head changed (finetuning).
func Example() {
	dir, err := os.MkdirTemp("", "ckpt-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.gmlp")

	c := &ckpt.Checkpoint{
		Metadata: map[string]string{"writer": "gomlp", "arch": "mlp", "arch.inputs": "2", "arch.hidden": "", "arch.outputs": "3", "train.step": "1200"},
		Tensors: []ckpt.Tensor{
			{Name: "dense_0/weights", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}},
			{Name: "dense_0/biases", Shape: []int{3}, Data: []float32{0.1, 0.2, 0.3}},
		},
	}
	if err := ckpt.Save(path, c); err != nil {
		panic(err)
	}

	loaded, err := ckpt.Load(path)
	if err != nil {
		panic(err)
	}
	fmt.Println("step:", loaded.Metadata["train.step"])

	// The new model keeps the weights but has a fresh 4-class bias.
	weights, biases := make([]float32, 6), make([]float32, 4)
	model := []ckpt.Tensor{
		{Name: "dense_0/weights", Shape: []int{2, 3}, Data: weights},
		{Name: "dense_0/biases", Shape: []int{4}, Data: biases},
	}
	if _, err := loaded.Restore(model); err != nil {
		fmt.Println("strict restore refused")
	}
	report, err := loaded.Restore(model, ckpt.Skip("dense_0/biases"))
	if err != nil {
		panic(err)
	}
	fmt.Println("restored:", report.Restored, "skipped:", report.Skipped)
	fmt.Println("weights:", weights)
	// Output:
	// step: 1200
	// strict restore refused
	// restored: [dense_0/weights] skipped: [dense_0/biases]
	// weights: [1 2 3 4 5 6]
}
