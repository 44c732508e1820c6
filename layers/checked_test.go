package layers

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// Input from outside gives errors naming the row and column, never a panic.
func TestCheckedInput(t *testing.T) {
	n := mustBuild(t, NewSpec(4, []int{3}, 2), 1)
	good := [][]float32{{1, 2, 3, 4}, {0, 0, 0, 0}}
	x, err := n.InputMatrix(good)
	if err != nil {
		t.Fatal(err)
	}
	classes := make([]int, 2)
	if err := n.ClassifyChecked(classes, x); err != nil {
		t.Fatal(err)
	}
	want := make([]int, 2)
	n.Classify(want, x)
	if classes[0] != want[0] || classes[1] != want[1] {
		t.Errorf("ClassifyChecked %v, Classify %v", classes, want)
	}
	if err := n.PredictChecked(mat.New(2, 2), x); err != nil {
		t.Fatal(err)
	}
	nan, inf := float32(math.NaN()), float32(math.Inf(-1))
	for _, c := range []struct {
		rows [][]float32
		want string
	}{
		{[][]float32{{1, 2, 3, 4}, {1, 2, 3}}, "input row 1 has 3 values; the network takes 4"},
		{[][]float32{{1, 2, 3, 4, 5}}, "input row 0 has 5 values"},
		{[][]float32{{1, 2, 3, 4}, {1, 2, nan, 4}}, "input row 1, column 2 is NaN"},
		{[][]float32{{inf, 2, 3, 4}}, "input row 0, column 0 is -Inf"},
		{nil, "no input rows"},
	} {
		if _, err := n.InputMatrix(c.rows); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("InputMatrix(%v): %v, want %q", c.rows, err, c.want)
		}
	}
	wide := mat.New(2, 5)
	bad := mat.New(2, 4)
	bad.Set(1, 3, nan)
	for _, c := range []struct {
		x    *mat.Matrix
		want string
	}{
		{wide, "input rows have 5 values; the network takes 4"},
		{bad, "input row 1, column 3 is NaN"},
		{&mat.Matrix{Rows: 2, Cols: 4, Stride: math.MaxInt, Data: make([]float32, 4)}, "not a valid 2x4 matrix"},
	} {
		if err := n.PredictChecked(mat.New(c.x.Rows, 2), c.x); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("PredictChecked: %v, want %q", err, c.want)
		}
		if err := n.ClassifyChecked(make([]int, c.x.Rows), c.x); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ClassifyChecked: %v, want %q", err, c.want)
		}
	}
	if err := n.ClassifyChecked(make([]int, 1), x); err == nil {
		t.Error("ClassifyChecked with a short dst: no error")
	}
	if err := n.PredictChecked(mat.New(2, 3), x); err == nil {
		t.Error("PredictChecked with a wrong dst: no error")
	}
}
