package train

import (
	"errors"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/loss"
	"github.com/gomlp/gomlp/mat"
)

// evalBatch is how many rows are evaluated at a time: large enough for an
// efficient Gemm, small enough to keep the buffers modest.
const evalBatch = 1000

// Evaluate returns the mean loss and the accuracy of net on d, with
// dropout off. It uses the network's training buffers, so it must not run
// while the network trains.
func Evaluate(net *layers.Network, d Dataset) (meanLoss, accuracy float64, err error) {
	if err := d.check("evaluation", net.Inputs(), net.Outputs()); err != nil {
		return 0, 0, err
	}
	if d.Len() == 0 {
		return 0, 0, errors.New("train: the evaluation set is empty")
	}
	var e evaluator
	l, a := e.run(net, d)
	return l, a, nil
}

// Confusion returns the confusion matrix of net's predictions on d.
// Unlike Evaluate it goes through Network.Classify, so it may run while
// other goroutines use the network for inference.
func Confusion(net *layers.Network, d Dataset) (*loss.Confusion, error) {
	if err := d.check("evaluation", net.Inputs(), net.Outputs()); err != nil {
		return nil, err
	}
	c := loss.NewConfusion(net.Outputs())
	pred := make([]int, evalBatch)
	labels := make([]int, evalBatch)
	for r0 := 0; r0 < d.Len(); r0 += evalBatch {
		r1 := min(r0+evalBatch, d.Len())
		x := d.X.RowView(r0, r1)
		p, l := pred[:r1-r0], labels[:r1-r0]
		net.Classify(p, &x)
		for i, y := range d.Y[r0:r1] {
			l[i] = int(y)
		}
		if err := c.Add(p, l); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// evaluator holds the reused memory of a validation pass.
type evaluator struct {
	view   mat.Matrix
	labels []int
}

// run evaluates net on the checked, non-empty d in chunks.
func (e *evaluator) run(net *layers.Network, d Dataset) (meanLoss, accuracy float64) {
	if len(e.labels) < evalBatch {
		e.labels = make([]int, evalBatch)
	}
	var lossSum float64
	var correct int
	for r0 := 0; r0 < d.Len(); r0 += evalBatch {
		r1 := min(r0+evalBatch, d.Len())
		e.view = d.X.RowView(r0, r1)
		labels := e.labels[:r1-r0]
		for i, y := range d.Y[r0:r1] {
			labels[i] = int(y)
		}
		l, c := net.Evaluate(&e.view, labels)
		lossSum += l * float64(r1-r0)
		correct += c
	}
	n := float64(d.Len())
	return lossSum / n, float64(correct) / n
}
