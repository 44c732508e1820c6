package table

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func readCSV(t *testing.T, csv string, opt Options) (*Table, error) {
	t.Helper()
	return Read(strings.NewReader(csv), "t.csv", opt)
}

func TestReadClassesAndTargets(t *testing.T) {
	tb, err := readCSV(t, "\ufeffa, b ,kind\n1,2,cat\n3, 4 ,dog\n\n\"5\",6,cat\n", Options{Label: "kind"})
	if err != nil {
		t.Fatal(err)
	}
	if tb.Task != Classify || !slices.Equal(tb.Classes, []string{"cat", "dog"}) || !slices.Equal(tb.Data.Y, []int{0, 1, 0}) ||
		!slices.Equal(tb.Features, []string{"a", "b"}) || tb.Data.X.At(2, 0) != 5 || !strings.Contains(tb.Why, `"cat" on line 2`) {
		t.Errorf("got %+v %v", tb, tb.Data)
	}
	// Few distinct integers: classes, ordered by value, "2.0" the same as "2".
	tb, err = readCSV(t, "y,x\n10,1\n2,2\n2.0,3\n", Options{Label: "y"})
	if err != nil || tb.Task != Classify || !slices.Equal(tb.Classes, []string{"2", "10"}) || !slices.Equal(tb.Data.Y, []int{1, 0, 0}) {
		t.Errorf("integers: %+v, %v", tb, err)
	}
	// Fractions: regression.
	tb, err = readCSV(t, "x,y\n1,0.5\n2,1.5\n", Options{Label: "y"})
	if err != nil || tb.Task != Regress || tb.Data.Targets.At(1, 0) != 1.5 || tb.Data.Y != nil {
		t.Errorf("fractions: %+v, %v", tb, err)
	}
	// Many distinct integers: regression; unless asked.
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 150 {
		b.WriteString("1," + strconv.Itoa(1000+i) + "\n")
	}
	if tb, err = readCSV(t, b.String(), Options{Label: "y"}); err != nil || tb.Task != Regress {
		t.Errorf("150 integers: %v %v", tb.Task, err)
	}
	if tb, err = readCSV(t, b.String(), Options{Label: "y", Task: Classify}); err != nil || tb.Task != Classify || len(tb.Classes) != 150 {
		t.Errorf("150 integers as classes: %v %v", tb.Task, err)
	}
	// A model's features and classes: columns by name, labels by the model's classes.
	tb, err = readCSV(t, "kind,b,a,extra\ndog,2,1,x\n", Options{Label: "kind", Features: []string{"a", "b"}, Classes: []string{"cat", "dog"}})
	if err != nil || tb.Data.X.At(0, 0) != 1 || tb.Data.X.At(0, 1) != 2 || tb.Data.Y[0] != 1 {
		t.Errorf("model columns: %+v %v", tb, err)
	}
	// Prediction: the label column may be missing.
	tb, err = readCSV(t, "a,b\n1,2\n", Options{Label: "kind", LabelOptional: true, Features: []string{"a", "b"}})
	if err != nil || tb.Data.Y != nil || tb.Data.Targets != nil || tb.Data.Len() != 1 {
		t.Errorf("no label: %+v %v", tb, err)
	}
}

func TestBadTables(t *testing.T) {
	for _, c := range []struct {
		csv  string
		opt  Options
		want string
	}{
		{"", Options{Label: "y"}, "t.csv: the file is empty"},
		{"a,y\n", Options{Label: "y"}, "no data rows"},
		{"a,y\n1,2\n3\n", Options{Label: "y"}, "line 3: 1 cells, but the header has 2 columns"},
		{"a,y\n1,2\n3,4,5\n", Options{Label: "y"}, "line 3: 3 cells"},
		{"a,y\n1,2\nx1,2\n", Options{Label: "y"}, `line 3, column "a": "x1" is not a number`},
		{"a,y\n1,2\n,2\n", Options{Label: "y"}, `line 3, column "a": the cell is empty`},
		{"a,y\n1,2\nNaN,2\n", Options{Label: "y"}, `line 3, column "a": "NaN" is not a finite number`},
		{"a,y\n1,2\n1e39,2\n", Options{Label: "y"}, `beyond float32's range`},
		{"a,b\n1,2\n", Options{Label: "y"}, `line 1: no column named "y" (the columns are "a", "b")`},
		{"a,y\n1,2\n", Options{}, "no label column named"},
		{"a,a\n1,2\n", Options{Label: "y"}, `two columns are named "a"`},
		{"a,,y\n1,2,3\n", Options{Label: "y"}, "line 1, column 2: the header cell is empty"},
		{"a,y\n1,\"2\n", Options{Label: "y"}, "line 2, column"},
		{"y\n1\n", Options{Label: "y"}, "no feature columns"},
		{"a,y\n1,cat\n2,cat\n", Options{Label: "y"}, `every label is "cat"`},
		{"a,y\n1,cat\n2,\n", Options{Label: "y"}, `line 3, column "y": the label is empty`},
		{"a,y\n1,1.5\n2,cat\n", Options{Label: "y", Task: Regress}, `line 3, column "y": "cat" is not a number`},
		{"a,y\n1,cat\n2,cow\n", Options{Label: "y", Classes: []string{"cat", "dog"}}, `line 3, column "y": label "cow" is not one of the model's classes ("cat", "dog")`},
		{"b,y\n1,2\n", Options{Label: "y", Features: []string{"a"}}, `no column named "a", which the model takes as a feature`},
	} {
		_, err := readCSV(t, c.csv, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want %q", c.csv, err, c.want)
		}
	}
	long := "a,y\n" + strings.Repeat("1", MaxLineBytes+10)
	if _, err := readCSV(t, long, Options{Label: "y"}); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("a huge line: %v", err)
	}
}

func TestReadFileRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(dir, Options{Label: "y"}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	if _, err := ReadFile(dir+"/missing.csv", Options{Label: "y"}); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing: %v", err)
	}
}
