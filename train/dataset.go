package train

import (
	"fmt"

	"github.com/gomlp/gomlp/mat"
)

// Dataset is a labelled set of examples: row i of X (one feature per
// column) has class Y[i]. Package mnist produces the same two fields.
type Dataset struct {
	X *mat.Matrix // N×features
	Y []uint8     // N class indices
}

// Len returns the number of examples.
func (d Dataset) Len() int { return len(d.Y) }

// check returns an error unless d fits a network with the given input
// width and number of classes.
func (d Dataset) check(name string, inputs, classes int) error {
	if d.X == nil {
		if len(d.Y) == 0 {
			return nil
		}
		return fmt.Errorf("train: %s set has %d labels but no examples", name, len(d.Y))
	}
	if d.X.Rows != len(d.Y) {
		return fmt.Errorf("train: %s set has %d examples but %d labels", name, d.X.Rows, len(d.Y))
	}
	if d.X.Rows > 0 && d.X.Cols != inputs {
		return fmt.Errorf("train: %s set has %d features per example; the network takes %d", name, d.X.Cols, inputs)
	}
	for i, y := range d.Y {
		if int(y) >= classes {
			return fmt.Errorf("train: %s set: example %d has label %d; the network has %d classes (0..%d)", name, i, y, classes, classes-1)
		}
	}
	return nil
}
