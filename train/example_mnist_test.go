package train_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"runtime"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// trainMNIST is the README's example: load MNIST (from $MNIST_DIR, the
// cache, or the network), hold out a validation set, train 784-256-10 with
// momentum, weight decay and a cosine schedule, stop early, and measure the
// test accuracy of the best epoch's weights.
func trainMNIST(epochs int) (float64, error) {
	ctx := context.Background()
	all, test, err := mnist.Load(ctx, mnist.Options{Download: true})
	if err != nil {
		return 0, err
	}
	trainSet, val, err := all.Split(mnist.DefaultValSize)
	if err != nil {
		return 0, err
	}

	net, err := layers.NewSpec(784, []int{256}, 10).Build(1)
	if err != nil {
		return 0, err
	}
	stepsPerEpoch := (trainSet.Len() + 127) / 128
	opt, err := sgd.New(net.Params(), sgd.Config{
		Method: sgd.Momentum, LR: 0.2, Momentum: 0.9, WeightDecay: 5e-4,
		Schedule: sgd.Cosine(epochs*stepsPerEpoch, 0),
	})
	if err != nil {
		return 0, err
	}
	tr, err := train.New(net, opt, train.Config{Epochs: epochs, BatchSize: 128, Patience: 5})
	if err != nil {
		return 0, err
	}
	if _, err := tr.Fit(ctx, trainSet, val); err != nil {
		return 0, err
	}
	_, acc, err := train.Evaluate(net, test)
	return acc, err
}

// Train the tutorial's network on MNIST (about 12 s on two cores; the data
// is downloaded and cached on first use).
func Example_mnist() {
	acc, err := trainMNIST(20)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("test accuracy: %.2f%%\n", 100*acc)
}

// The example runs (shortened) wherever the real data is at hand.
func TestMNISTExample(t *testing.T) {
	if os.Getenv("MNIST_DIR") == "" || testing.Short() || runtime.GOARCH != "amd64" || mat.Impl() == "generic" {
		t.Skip("needs $MNIST_DIR and the amd64 assembly kernels (the full data set is slow otherwise)")
	}
	acc, err := trainMNIST(2)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.96 {
		t.Errorf("test accuracy %.2f%% after 2 epochs, want at least 96%%", 100*acc)
	}
}
