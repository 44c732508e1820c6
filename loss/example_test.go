package loss_test

import (
	"fmt"

	"github.com/gomlp/gomlp/loss"
	"github.com/gomlp/gomlp/mat"
)

func ExampleSoftmaxCrossEntropy() {
	logits := mat.FromSlice(2, 3, []float32{
		2, 0, 0, // confident and right (label 0)
		0, 0, 0, // undecided (label 2): loss log 3
	})
	grad := mat.New(2, 3)
	l := loss.SoftmaxCrossEntropy(grad, logits, []int{0, 2})
	fmt.Printf("loss %.4f\n", l)
	fmt.Printf("gradient of row 1: %.4f\n", grad.Row(1))
	// Output:
	// loss 0.6691
	// gradient of row 1: [0.1667 0.1667 -0.3333]
}
