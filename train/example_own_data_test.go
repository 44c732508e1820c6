package train_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/dataset"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// ownRows makes a table as a user might have it: rows of float64 on very
// different scales, and int labels (1 if the point lies above a curve).
func ownRows(n int) ([][]float64, []int) {
	rows, labels := make([][]float64, n), make([]int, n)
	for i := range rows {
		a, b := math.Sin(float64(i)*1.7), 500+400*math.Cos(float64(i)*0.37)
		rows[i] = []float64{a, b}
		if b > 500+300*a {
			labels[i] = 1
		}
	}
	return rows, labels
}

// Train on your own rows with the normaliser inside the model, save, load
// and predict: the loaded model standardises raw rows by itself.
func Example_ownData() {
	rows, labels := ownRows(1000)
	data, err := dataset.ForClassification(rows, labels) // checks shapes, NaN and Inf
	if err != nil {
		panic(err)
	}
	trainSet, test, _ := data.Split(200) // the last 200 rows for the test (data.Shuffle(seed) first if they are ordered)
	net, _ := layers.Spec{Inputs: 2, Hidden: []int{32}, Outputs: 2, Normalize: true, Keep: 1, InputKeep: 1}.Build(1)
	if err := net.FitNormalizer(trainSet.X); err != nil { // mean and 1/std, stored in the model
		panic(err)
	}
	opt, _ := sgd.New(net.Params(), sgd.DefaultConfig(sgd.Adam, 0.01))
	tr, _ := train.New(net, opt, train.Config{Epochs: 40, BatchSize: 32, Seed: 1})
	if _, err := tr.Fit(context.Background(), trainSet, dataset.Dataset{}); err != nil {
		panic(err)
	}
	path := filepath.Join(os.TempDir(), "own-data-example.gmlp")
	defer os.Remove(path)
	c, _ := tr.Checkpoint(nil)
	if err := ckpt.Save(path, c); err != nil {
		panic(err)
	}
	loaded, _ := ckpt.Load(path)
	model, _ := train.LoadNetwork(loaded) // the normaliser comes back with the weights
	pred := make([]int, 2)
	model.Classify(pred, mat.FromSlice(2, 2, []float32{0.9, 100, -0.9, 900})) // raw, unscaled rows
	_, acc, _ := train.Evaluate(model, test)
	fmt.Printf("predicted %v, test accuracy above 95%%: %v\n", pred, acc > 0.95)
	// Output: predicted [0 1], test accuracy above 95%: true
}
