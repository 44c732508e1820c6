package dataset

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestForClassificationChecksRows(t *testing.T) {
	d, err := ForClassification([][]float64{{1, 2}, {3, 4}, {5, 6}}, []int{0, 2, 1})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 3 || d.Features() != 2 || d.Classes() != 3 || d.X.At(2, 1) != 6 || d.IsRegression() {
		t.Errorf("got %+v", d)
	}
	for _, c := range []struct {
		rows   [][]float32
		labels []int
		want   string
	}{
		{[][]float32{{1, 2}, {3}}, []int{0, 1}, "row 1 has 1 values; row 0 has 2"},
		{[][]float32{{1, 2}, {3, float32(math.NaN())}}, []int{0, 1}, "row 1, column 1 is NaN"},
		{[][]float32{{float32(math.Inf(-1)), 2}}, []int{0}, "row 0, column 0 is -Inf"},
		{[][]float32{{1, 2}}, []int{-1}, "row 0: label -1"},
		{[][]float32{{1, 2}}, []int{0, 1}, "1 rows but 2 labels"},
		{nil, nil, "no rows"},
	} {
		if _, err := ForClassification(c.rows, c.labels); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: %v, want %q", c.rows, c.labels, err, c.want)
		}
	}
	// float64 values beyond float32's range are infinite there.
	if _, err := ForRegression1([][]float64{{1e300}}, []float64{1}); err == nil || !strings.Contains(err.Error(), "row 0, column 0") {
		t.Errorf("1e300: %v", err)
	}
	if _, err := ForRegression1([][]float64{{1}}, []float64{math.NaN()}); err == nil || !strings.Contains(err.Error(), "target row 0, column 0 is NaN") {
		t.Errorf("NaN target: %v", err)
	}
}

func TestSplitShuffleSlice(t *testing.T) {
	rows := make([][]float64, 10)
	y := make([]float64, 10)
	for i := range rows {
		rows[i] = []float64{float64(i), float64(10 * i)}
		y[i] = float64(100 * i)
	}
	d, err := ForRegression1(rows, y)
	if err != nil {
		t.Fatal(err)
	}
	d.Shuffle(7)
	e, _ := ForRegression1(rows, y)
	e.Shuffle(7)
	var order []int
	for i := range 10 {
		// Rows and targets move together.
		if d.X.At(i, 1) != 10*d.X.At(i, 0) || d.Targets.At(i, 0) != 100*d.X.At(i, 0) {
			t.Fatalf("row %d torn apart: %v %v", i, d.X.Row(i), d.Targets.Row(i))
		}
		if d.X.At(i, 0) != e.X.At(i, 0) {
			t.Fatal("the same seed gave another order")
		}
		order = append(order, int(d.X.At(i, 0)))
	}
	sorted := slices.Sorted(slices.Values(order))
	if !slices.Equal(sorted, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) || slices.Equal(order, sorted) {
		t.Errorf("shuffled order %v", order)
	}
	a, b, err := d.Split(3)
	if err != nil || a.Len() != 7 || b.Len() != 3 || b.Targets.Rows != 3 || b.X.At(0, 0) != d.X.At(7, 0) {
		t.Errorf("Split(3): %d+%d, %v", a.Len(), b.Len(), err)
	}
	if _, _, err := d.Split(11); err == nil {
		t.Error("Split(11) of 10")
	}
	a, b, _ = d.SplitFraction(0.25)
	if a.Len() != 7 || b.Len() != 3 { // round(2.5) = 3
		t.Errorf("SplitFraction(0.25): %d+%d", a.Len(), b.Len())
	}
	c, _ := ForClassification(rows, []int{0, 1, 1, 2, 2, 2, 0, 0, 0, 0})
	if got := c.ClassCounts(); !slices.Equal(got, []int{5, 2, 3}) {
		t.Errorf("ClassCounts %v", got)
	}
	if err := (Dataset{X: c.X, Y: c.Y, Targets: d.Targets}).Check(); err == nil {
		t.Error("labels and targets at once accepted")
	}
}
