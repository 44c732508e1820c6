package layers

import (
	"fmt"
	"math"

	"github.com/gomlp/gomlp/mat"
)

// Input from outside the program (a request, a file) may be malformed, and
// Predict and Classify panic on a wrong shape, as on any programmer error.
// The functions below check such input first and return an error instead;
// a server calls them (or PredictChecked and ClassifyChecked) and keeps the
// panicking fast path for data it built itself.

// CheckInput returns an error, naming the row and column, if x is not an
// input the network accepts: a width other than Inputs(), or a NaN or
// infinite value. It allocates nothing.
func (n *Network) CheckInput(x *mat.Matrix) error {
	if x == nil {
		return fmt.Errorf("layers: no input")
	}
	if n.inputs >= 0 && x.Cols != n.inputs {
		return fmt.Errorf("layers: input rows have %d values; the network takes %d", x.Cols, n.inputs)
	}
	if !x.IsValid() {
		return fmt.Errorf("layers: input is not a valid %dx%d matrix (stride %d, %d elements)", x.Rows, x.Cols, x.Stride, len(x.Data))
	}
	for i := range x.Rows {
		if err := checkRow(i, x.Row(i)); err != nil {
			return err
		}
	}
	return nil
}

// InputMatrix copies rows, such as the rows of a JSON request, into a new
// matrix for Predict or Classify, and returns an error naming the first
// row of the wrong length (Inputs() values are needed) or holding a NaN or
// infinity, and the column.
func (n *Network) InputMatrix(rows [][]float32) (*mat.Matrix, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("layers: no input rows")
	}
	width := n.inputs
	if width < 0 {
		width = len(rows[0])
	}
	for i, r := range rows {
		if len(r) != width {
			return nil, fmt.Errorf("layers: input row %d has %d values; the network takes %d", i, len(r), width)
		}
		if err := checkRow(i, r); err != nil {
			return nil, err
		}
	}
	x := mat.New(len(rows), width)
	for i, r := range rows {
		copy(x.Row(i), r)
	}
	return x, nil
}

func checkRow(i int, r []float32) error {
	for j, v := range r {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("layers: input row %d, column %d is %v; inputs must be finite", i, j, v)
		}
	}
	return nil
}

// PredictChecked is Predict for input from outside: it returns CheckInput's
// error, or an error if dst is not x.Rows × Outputs(), instead of panicking.
func (n *Network) PredictChecked(dst, x *mat.Matrix) error {
	if err := n.CheckInput(x); err != nil {
		return err
	}
	if dst == nil || dst.Rows != x.Rows || (n.outputs >= 0 && dst.Cols != n.outputs) {
		return fmt.Errorf("layers: output matrix is not %d×%d", x.Rows, n.outputs)
	}
	n.Predict(dst, x)
	return nil
}

// ClassifyChecked is Classify for input from outside: it returns
// CheckInput's error, or an error if len(dst) != x.Rows, instead of
// panicking.
func (n *Network) ClassifyChecked(dst []int, x *mat.Matrix) error {
	if err := n.CheckInput(x); err != nil {
		return err
	}
	if len(dst) != x.Rows {
		return fmt.Errorf("layers: %d classes asked for %d input rows", len(dst), x.Rows)
	}
	n.Classify(dst, x)
	return nil
}
