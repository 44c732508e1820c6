package interop_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/interop"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// A weights-only file holds the parameters and the architecture and nothing
// of the optimizer: half the size of a training checkpoint with momentum,
// and LoadNetwork rebuilds the same network from it.
func TestSaveNetworkIsWeightsOnly(t *testing.T) {
	net, err := layers.NewSpec(2, []int{64}, 2).Build(1)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := sgd.New(net.Params(), sgd.DefaultConfig(sgd.Momentum, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.New(net, opt, train.Config{Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), circleData(1, 200), train.Dataset{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	full, slim := filepath.Join(dir, "full.gmlp"), filepath.Join(dir, "slim.gmlp")
	c, err := tr.Checkpoint(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ckpt.Save(full, c); err != nil {
		t.Fatal(err)
	}
	if err := interop.SaveNetwork(slim, net, nil); err != nil {
		t.Fatal(err)
	}
	back, err := ckpt.Load(slim)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range back.Tensors {
		if strings.Count(tn.Name, "/") != 1 {
			t.Errorf("weights-only file holds %q", tn.Name)
		}
	}
	if len(back.Tensors) != len(net.Params()) {
		t.Errorf("%d tensors, want %d", len(back.Tensors), len(net.Params()))
	}
	for key := range back.Metadata {
		if strings.HasPrefix(key, "sgd.") || strings.HasPrefix(key, "train.") {
			t.Errorf("weights-only file has metadata %q", key)
		}
	}
	fi, _ := os.Stat(full)
	si, _ := os.Stat(slim)
	if si.Size()*3 > fi.Size()*2 {
		t.Errorf("weights-only %d bytes, full checkpoint %d: want at most two thirds", si.Size(), fi.Size())
	}
	loaded, err := train.LoadNetwork(back)
	if err != nil {
		t.Fatal(err)
	}
	x := circleData(3, 50).X
	a, b := mat.New(50, 2), mat.New(50, 2)
	net.Predict(a, x)
	loaded.Predict(b, x)
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			t.Fatalf("output %d: %v after loading, %v before", i, b.Data[i], a.Data[i])
		}
	}
	// A network not built from a Spec cannot be described.
	if err := interop.SaveNetwork(filepath.Join(dir, "x.gmlp"), layers.New(layers.NewDense(2, 2, layers.He(), rand.New(rand.NewPCG(1, 1))), layers.NewReLU()), nil); err == nil {
		t.Error("saved a network without a Spec")
	}
}

// Save a trained network for deployment: architecture and weights only.
// Embed the file with go:embed and read it with ckpt.Read (see package
// serve's example), or load it with ckpt.Load and LoadNetwork.
func ExampleSaveNetwork() {
	net, err := layers.NewSpec(784, []int{32}, 10).Build(1)
	if err != nil {
		log.Fatal(err)
	}
	// ... train it ...
	path := filepath.Join(os.TempDir(), "digits.gmlp")
	if err := interop.SaveNetwork(path, net, nil); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(path)
	c, err := ckpt.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	back, err := train.LoadNetwork(c)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(c.Tensors), "tensors;", back.Inputs(), "inputs,", back.Outputs(), "classes")
	// Output: 4 tensors; 784 inputs, 10 classes
}

// circleData returns n points of two features: class 1 inside the unit
// circle, class 0 outside (up to radius 2).
func circleData(seed uint64, n int) train.Dataset {
	rng := rand.New(rand.NewPCG(seed, 0))
	d := train.Dataset{X: mat.New(n, 2), Y: make([]int, n)}
	for i := range n {
		a, b := 4*rng.Float32()-2, 4*rng.Float32()-2
		d.X.Set(i, 0, a)
		d.X.Set(i, 1, b)
		if a*a+b*b < 1 {
			d.Y[i] = 1
		}
	}
	return d
}
