package mnist

import (
	"fmt"

	"github.com/gomlp/gomlp/mat"
)

// Sizes of the standard sets, and the default validation split.
const (
	TrainSize      = 60000
	TestSize       = 10000
	DefaultValSize = 5000
)

// Dataset is a set of labelled images: row i of X (784 pixels in [0, 1])
// shows the digit Y[i].
type Dataset struct {
	X *mat.Matrix // N×784
	Y []uint8     // N class indices 0..9
}

// Len returns the number of examples.
func (d Dataset) Len() int { return len(d.Y) }

// Split divides d into its first Len()-n examples and its last n, the
// usual way to hold out a validation set (n = DefaultValSize for MNIST).
// Both parts are views that share d's memory: nothing is copied, and
// writing to one writes to d. n must lie in 0..Len().
func (d Dataset) Split(n int) (first, last Dataset, err error) {
	if n < 0 || n > d.Len() {
		return Dataset{}, Dataset{}, fmt.Errorf("mnist: cannot hold out %d of %d examples", n, d.Len())
	}
	cut := d.Len() - n
	a, b := d.X.RowView(0, cut), d.X.RowView(cut, d.Len())
	return Dataset{X: &a, Y: d.Y[:cut:cut]}, Dataset{X: &b, Y: d.Y[cut:]}, nil
}

// ClassCounts returns how many examples there are of each digit.
func (d Dataset) ClassCounts() [NumClasses]int {
	var c [NumClasses]int
	for _, y := range d.Y {
		c[y]++
	}
	return c
}
