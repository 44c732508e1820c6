// Package dataset holds examples for training and evaluation: one Dataset
// type for classification (integer class labels) and regression (float
// targets), built from plain Go rows with every value checked, and split
// and shuffled reproducibly. Packages train and mnist use this type.
package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlp/gomlp/mat"
)

// MaxClasses is the largest number of classes a label may index (labels
// run from 0 to MaxClasses-1); it keeps a bad label from sizing a huge
// output layer or confusion matrix.
const MaxClasses = 1 << 20

// Dataset is a set of examples: row i of X holds the features of example
// i. A classification set has a class label Y[i] in 0..classes-1 per row
// and no Targets; a regression set has a row of Targets (N×outputs) per row
// and no Y.
type Dataset struct {
	X       *mat.Matrix // N×features
	Y       []int       // N class labels (classification)
	Targets *mat.Matrix // N×outputs float targets (regression)
}

// Len returns the number of examples.
func (d Dataset) Len() int {
	switch {
	case d.X != nil:
		return d.X.Rows
	case d.Targets != nil:
		return d.Targets.Rows
	}
	return len(d.Y)
}

// Features returns the number of features per example (0 if there is no X).
func (d Dataset) Features() int {
	if d.X == nil {
		return 0
	}
	return d.X.Cols
}

// IsRegression reports whether d has float targets rather than labels.
func (d Dataset) IsRegression() bool { return d.Targets != nil }

// Classes returns one more than the largest label (0 without labels): the
// number of classes a classifier for d needs at least.
func (d Dataset) Classes() int {
	n := 0
	for _, y := range d.Y {
		n = max(n, y+1)
	}
	return n
}

// ClassCounts returns how many examples there are of each class
// 0..Classes()-1.
func (d Dataset) ClassCounts() []int {
	c := make([]int, d.Classes())
	for _, y := range d.Y {
		if y >= 0 {
			c[y]++
		}
	}
	return c
}

// Split divides d into its first Len()-n examples and its last n, the
// usual way to hold out a validation or test set (shuffle first if the
// order means something). Both parts are views that share d's memory:
// nothing is copied. n must lie in 0..Len().
func (d Dataset) Split(n int) (first, last Dataset, err error) {
	if n < 0 || n > d.Len() {
		return Dataset{}, Dataset{}, fmt.Errorf("dataset: cannot hold out %d of %d examples", n, d.Len())
	}
	return d.Slice(0, d.Len()-n), d.Slice(d.Len()-n, d.Len()), nil
}

// SplitFraction is Split with n = round(frac·Len()), frac in [0, 1].
func (d Dataset) SplitFraction(frac float64) (first, last Dataset, err error) {
	if !(frac >= 0 && frac <= 1) {
		return Dataset{}, Dataset{}, fmt.Errorf("dataset: split fraction %v is not in [0, 1]", frac)
	}
	return d.Split(int(math.Round(frac * float64(d.Len()))))
}

// Slice returns examples [i, j) as a view sharing d's memory. It panics if
// the range is outside 0..Len().
func (d Dataset) Slice(i, j int) Dataset {
	if i < 0 || j < i || j > d.Len() {
		panic(fmt.Sprintf("dataset: Slice(%d, %d) of %d examples", i, j, d.Len()))
	}
	var s Dataset
	if d.X != nil {
		v := d.X.RowView(i, j)
		s.X = &v
	}
	if d.Targets != nil {
		v := d.Targets.RowView(i, j)
		s.Targets = &v
	}
	if d.Y != nil {
		s.Y = d.Y[i:j:j]
	}
	return s
}

// Shuffle reorders the examples of d in place (X, Y and Targets alike) by
// a permutation drawn from seed: the same seed and length always give the
// same order.
func (d Dataset) Shuffle(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x73687566666c65))
	rng.Shuffle(d.Len(), d.swap)
}

// swap exchanges examples i and j.
func (d Dataset) swap(i, j int) {
	swapRows := func(m *mat.Matrix) {
		if m != nil {
			a, b := m.Row(i), m.Row(j)
			for k := range a {
				a[k], b[k] = b[k], a[k]
			}
		}
	}
	swapRows(d.X)
	swapRows(d.Targets)
	if d.Y != nil {
		d.Y[i], d.Y[j] = d.Y[j], d.Y[i]
	}
}

// Check reports the first problem that keeps d from being used: shapes that
// disagree, labels out of range or both kinds of target at once. Values are
// checked by the constructors, not here.
func (d Dataset) Check() error {
	if d.Y != nil && d.Targets != nil {
		return fmt.Errorf("dataset: both class labels and regression targets are set; use one")
	}
	if d.X == nil && d.Len() > 0 {
		return fmt.Errorf("dataset: %d targets but no examples (X is nil)", d.Len())
	}
	if d.X != nil {
		switch {
		case d.Targets != nil && d.Targets.Rows != d.X.Rows:
			return fmt.Errorf("dataset: %d examples but %d rows of targets", d.X.Rows, d.Targets.Rows)
		case d.Targets == nil && len(d.Y) != d.X.Rows:
			return fmt.Errorf("dataset: %d examples but %d labels", d.X.Rows, len(d.Y))
		}
	}
	for i, y := range d.Y {
		if y < 0 || y >= MaxClasses {
			return fmt.Errorf("dataset: example %d has label %d; labels must be in 0..%d", i, y, MaxClasses-1)
		}
	}
	return nil
}

// Float is the element type of the rows the constructors accept.
type Float interface{ ~float32 | ~float64 }

// ForClassification copies rows (one example each, all of one length) and
// their class labels (0, 1, 2, …) into a Dataset. It returns an error
// naming the row for a row of another length, a NaN or infinite value, a
// negative label or a count that disagrees.
func ForClassification[T Float](rows [][]T, labels []int) (Dataset, error) {
	if len(labels) != len(rows) {
		return Dataset{}, fmt.Errorf("dataset: %d rows but %d labels", len(rows), len(labels))
	}
	x, err := matrixFromRows("row", rows)
	if err != nil {
		return Dataset{}, err
	}
	for i, y := range labels {
		if y < 0 || y >= MaxClasses {
			return Dataset{}, fmt.Errorf("dataset: row %d: label %d is not in 0..%d (labels number the classes from 0)", i, y, MaxClasses-1)
		}
	}
	return Dataset{X: x, Y: append([]int(nil), labels...)}, nil
}

// ForRegression copies rows and their float targets (one row of outputs
// per example, all of one length) into a Dataset, with the checks of
// ForClassification.
func ForRegression[T Float](rows, targets [][]T) (Dataset, error) {
	if len(targets) != len(rows) {
		return Dataset{}, fmt.Errorf("dataset: %d rows but %d rows of targets", len(rows), len(targets))
	}
	x, err := matrixFromRows("row", rows)
	if err != nil {
		return Dataset{}, err
	}
	t, err := matrixFromRows("target row", targets)
	if err != nil {
		return Dataset{}, err
	}
	return Dataset{X: x, Targets: t}, nil
}

// ForRegression1 is ForRegression for one target per example.
func ForRegression1[T Float](rows [][]T, targets []T) (Dataset, error) {
	t := make([][]T, len(targets))
	for i := range targets {
		t[i] = targets[i : i+1 : i+1]
	}
	return ForRegression(rows, t)
}

// matrixFromRows copies rows into a new matrix, checking lengths and values.
func matrixFromRows[T Float](what string, rows [][]T) (*mat.Matrix, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("dataset: no rows")
	}
	cols := len(rows[0])
	if cols == 0 {
		return nil, fmt.Errorf("dataset: %s 0 is empty", what)
	}
	m := mat.New(len(rows), cols)
	for i, r := range rows {
		if len(r) != cols {
			return nil, fmt.Errorf("dataset: %s %d has %d values; %s 0 has %d", what, i, len(r), what, cols)
		}
		dst := m.Row(i)
		for j, v := range r {
			f := float32(v)
			if math.IsNaN(float64(v)) || math.IsInf(float64(f), 0) {
				return nil, fmt.Errorf("dataset: %s %d, column %d is %v; fill in or drop missing values first", what, i, j, v)
			}
			dst[j] = f
		}
	}
	return m, nil
}
