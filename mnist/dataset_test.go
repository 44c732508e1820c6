package mnist

import (
	"slices"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

func TestSplit(t *testing.T) {
	d := Dataset{X: mat.New(10, Pixels), Y: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}
	for i := range d.X.Rows {
		d.X.Set(i, 0, float32(i))
	}
	first, last, err := d.Split(3)
	if err != nil {
		t.Fatal(err)
	}
	if first.Len() != 7 || first.X.Rows != 7 || last.Len() != 3 || last.X.Rows != 3 {
		t.Fatalf("split 10 into %d/%d labels, %d/%d images", first.Len(), last.Len(), first.X.Rows, last.X.Rows)
	}
	if last.Y[0] != 7 || last.X.At(0, 0) != 7 || first.X.At(6, 0) != 6 {
		t.Fatal("split at the wrong place")
	}
	// Views: writes show through, and appending to the first part's labels
	// must not overwrite the second part's.
	last.X.Set(2, 5, 42)
	if d.X.At(9, 5) != 42 {
		t.Error("validation part does not share the data set's memory")
	}
	_ = append(first.Y, 99)
	if d.Y[7] != 7 {
		t.Error("appending to the training labels overwrote a validation label")
	}
	for _, n := range []int{0, 10} {
		a, b, err := d.Split(n)
		if err != nil || a.Len()+b.Len() != 10 || b.Len() != n || a.X.Rows != a.Len() || b.X.Rows != n {
			t.Errorf("Split(%d): %d+%d, %v", n, a.Len(), b.Len(), err)
		}
	}
	for _, n := range []int{-1, 11} {
		if _, _, err := d.Split(n); err == nil {
			t.Errorf("Split(%d) of 10: no error", n)
		}
	}
}

func TestClassCounts(t *testing.T) {
	d := Dataset{Y: []int{3, 1, 3, 9, 0, 3}}
	if got, want := d.ClassCounts(), []int{1, 1, 0, 3, 0, 0, 0, 0, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
