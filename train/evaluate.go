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
// dropout off (for a regression network the accuracy is 0: see
// Regression). It uses the network's training buffers, so it must not run
// while the network trains.
func Evaluate(net *layers.Network, d Dataset) (meanLoss, accuracy float64, err error) {
	if err := checkData(d, "evaluation", net.Inputs(), net.Outputs(), net.IsRegression()); err != nil {
		return 0, 0, err
	}
	if d.Len() == 0 {
		return 0, 0, errors.New("train: the evaluation set is empty")
	}
	var e evaluator
	if net.IsRegression() {
		l, _ := e.runTargets(net, d)
		return l, 0, nil
	}
	l, a := e.run(net, d)
	return l, a, nil
}

// Confusion returns the confusion matrix of net's predictions on d.
// Unlike Evaluate it goes through Network.Classify, so it may run while
// other goroutines use the network for inference.
func Confusion(net *layers.Network, d Dataset) (*loss.Confusion, error) {
	if err := checkData(d, "evaluation", net.Inputs(), net.Outputs(), false); err != nil {
		return nil, err
	}
	c := loss.NewConfusion(net.Outputs())
	pred := make([]int, evalBatch)
	for r0 := 0; r0 < d.Len(); r0 += evalBatch {
		r1 := min(r0+evalBatch, d.Len())
		x := d.X.RowView(r0, r1)
		p := pred[:r1-r0]
		net.Classify(p, &x)
		if err := c.Add(p, d.Y[r0:r1]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Regression scores a regression network's predictions on d: mean squared
// error, mean absolute error and R². Like Confusion it goes through
// Network.Predict, so it may run beside other inference.
func Regression(net *layers.Network, d Dataset) (*loss.RegressionScore, error) {
	if err := checkData(d, "evaluation", net.Inputs(), net.Outputs(), true); err != nil {
		return nil, err
	}
	if d.Len() == 0 {
		return nil, errors.New("train: the evaluation set is empty")
	}
	var s loss.RegressionScore
	out := mat.New(min(evalBatch, d.Len()), net.Outputs())
	for r0 := 0; r0 < d.Len(); r0 += evalBatch {
		r1 := min(r0+evalBatch, d.Len())
		x, t, p := d.X.RowView(r0, r1), d.Targets.RowView(r0, r1), out.RowView(0, r1-r0)
		net.Predict(&p, &x)
		if err := s.Add(&p, &t); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// evaluator holds the reused memory of a validation pass.
type evaluator struct {
	view, tview mat.Matrix
}

// run evaluates net on the checked, non-empty d in chunks.
func (e *evaluator) run(net *layers.Network, d Dataset) (meanLoss, accuracy float64) {
	var lossSum float64
	var correct int
	for r0 := 0; r0 < d.Len(); r0 += evalBatch {
		r1 := min(r0+evalBatch, d.Len())
		e.view = d.X.RowView(r0, r1)
		l, c := net.Evaluate(&e.view, d.Y[r0:r1])
		lossSum += l * float64(r1-r0)
		correct += c
	}
	n := float64(d.Len())
	return lossSum / n, float64(correct) / n
}

// runTargets evaluates a regression network on the checked, non-empty d:
// the mean loss and R².
func (e *evaluator) runTargets(net *layers.Network, d Dataset) (meanLoss, r2 float64) {
	var lossSum float64
	var s loss.RegressionScore
	for r0 := 0; r0 < d.Len(); r0 += evalBatch {
		r1 := min(r0+evalBatch, d.Len())
		e.view, e.tview = d.X.RowView(r0, r1), d.Targets.RowView(r0, r1)
		l, pred := net.EvaluateTargets(&e.view, &e.tview)
		lossSum += l * float64(r1-r0)
		s.Add(pred, &e.tview)
	}
	return lossSum / float64(d.Len()), s.R2()
}
