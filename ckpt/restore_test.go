package ckpt

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// model is a stand-in for a network's parameters: destinations whose Data
// the "model" owns.
func model(shapes map[string][]int) []Tensor {
	var ts []Tensor
	for name, shape := range shapes {
		t := Tensor{Name: name, Shape: shape}
		t.Data = make([]float32, t.Len())
		for i := range t.Data {
			t.Data[i] = float32(len(name)*1000 + i) // recognisable initial values
		}
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	return ts
}

func snapshot(ts []Tensor) [][]byte {
	var s [][]byte
	for _, t := range ts {
		s = append(s, float32Bits(t.Data), slices.Clone(t.Raw))
	}
	return s
}

func unchanged(t *testing.T, before [][]byte, ts []Tensor) {
	t.Helper()
	after := snapshot(ts)
	for i := range before {
		if !bytes.Equal(before[i], after[i]) {
			t.Fatal("the model changed after a failed restore")
		}
	}
}

// savedModel is a checkpoint of a small two-layer network, loaded from a file.
func savedModel(t *testing.T) (*Checkpoint, string) {
	path := filepath.Join(t.TempDir(), "model.gmlp")
	src := model(map[string][]int{
		"dense_0/weights": {4, 256}, "dense_0/biases": {256},
		"dense_1/weights": {256, 10}, "dense_1/biases": {10},
	})
	for i := range src {
		for j := range src[i].Data {
			src[i].Data[j] = -float32(j) - 0.5
		}
	}
	mustSave(t, path, &Checkpoint{Tensors: src})
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return c, path
}

func TestRestoreStrict(t *testing.T) {
	c, _ := savedModel(t)
	m := model(map[string][]int{
		"dense_0/weights": {4, 256}, "dense_0/biases": {256},
		"dense_1/weights": {256, 10}, "dense_1/biases": {10},
	})
	rep, err := c.Restore(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Restored) != 4 || len(rep.Skipped)+len(rep.Missing)+len(rep.Unexpected) != 0 {
		t.Fatalf("report %+v", rep)
	}
	for _, d := range m {
		if !bytes.Equal(float32Bits(d.Data), float32Bits(c.Tensor(d.Name).Data)) {
			t.Fatalf("%q not restored", d.Name)
		}
	}
}

func TestRestoreReportsEverythingAndChangesNothing(t *testing.T) {
	c, path := savedModel(t)
	c.Tensors = append(c.Tensors, Tensor{Name: "step", DType: Int64, Raw: make([]byte, 8)})
	c.Tensor("dense_0/biases").Data[7] = float32(math.Inf(1))
	m := model(map[string][]int{
		"dense_0/weights": {4, 256},  // fine, but must not be copied
		"dense_0/biases":  {256},     // +Inf in the checkpoint
		"dense_1/weights": {128, 10}, // shape differs
		"head/weights":    {128, 3},  // missing from the checkpoint
		"step":            {},        // dtype differs
	})
	// dense_1/biases is unexpected (in the checkpoint, not in the model).
	before := snapshot(m)
	rep, err := c.Restore(m)
	var re *RestoreError
	if !errors.As(err, &re) {
		t.Fatalf("Restore: %v", err)
	}
	unchanged(t, before, m)
	if len(rep.Restored) != 0 {
		t.Fatalf("report on failure: %+v", rep)
	}
	want := []string{
		`"dense_0/biases": checkpoint element 7 [7] is +Inf`,
		`"dense_1/biases": in the checkpoint [10] but not in the model`,
		`"dense_1/weights": checkpoint [256 10], model [128 10]`,
		`"head/weights": missing from the checkpoint (model [128 3])`,
		`"step": checkpoint int64 [], model float32 []`,
	}
	if !slices.Equal(re.Problems, want) {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(re.Problems, "\n"), strings.Join(want, "\n"))
	}
	msg := err.Error()
	for _, s := range []string{
		"cannot restore from " + path + " (5 problems; the model was not changed)",
		"\n" + `"dense_1/weights": checkpoint [256 10], model [128 10]`,
		"the run that wrote it had diverged: use an earlier checkpoint",
		`ckpt.Skip("dense_1/*")`, "ckpt.AllowMissing()", "ckpt.AllowUnexpected()", "ckpt.Rename(", "ckpt.AllowNonFinite()",
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("error lacks %q:\n%s", s, msg)
		}
	}
	if n := strings.Count(msg, path); n != 1 {
		t.Errorf("the path appears %d times, want once:\n%s", n, msg)
	}
	if n := strings.Count(msg, "\n"); n != 6 {
		t.Errorf("error has %d lines, want 7 (header, 5 problems, hint):\n%s", n+1, msg)
	}
}

func TestRestoreFinetuning(t *testing.T) {
	c, _ := savedModel(t)
	// A new head with 3 classes instead of 10, and an extra layer.
	m := model(map[string][]int{
		"dense_0/weights": {4, 256}, "dense_0/biases": {256},
		"dense_1/weights": {256, 3}, "dense_1/biases": {3},
		"dense_2/weights": {3, 3},
	})
	before := snapshot(m)
	rep, err := c.Restore(m, Skip("dense_1/*"), AllowMissing())
	if err != nil {
		t.Fatal(err)
	}
	wantRep := Report{
		Restored: []string{"dense_0/biases", "dense_0/weights"},
		Skipped:  []string{"dense_1/biases", "dense_1/weights"},
		Missing:  []string{"dense_2/weights"},
	}
	if !slices.Equal(rep.Restored, wantRep.Restored) || !slices.Equal(rep.Skipped, wantRep.Skipped) ||
		!slices.Equal(rep.Missing, wantRep.Missing) || len(rep.Unexpected) != 0 {
		t.Fatalf("report %+v, want %+v", rep, wantRep)
	}
	after := snapshot(m)
	for i, d := range m {
		changed := !bytes.Equal(before[2*i], after[2*i])
		if changed != strings.HasPrefix(d.Name, "dense_0/") {
			t.Errorf("%q changed = %v", d.Name, changed)
		}
	}
}

func TestRestoreRenameAndUnexpected(t *testing.T) {
	c, _ := savedModel(t)
	m := model(map[string][]int{"enc/weights": {4, 256}, "enc/biases": {256}})
	rep, err := c.Restore(m, Rename("dense_0/", "enc/"), AllowUnexpected())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Restored, []string{"enc/biases", "enc/weights"}) || !slices.Equal(rep.Unexpected, []string{"dense_1/biases", "dense_1/weights"}) {
		t.Fatalf("report %+v", rep)
	}
	if m[1].Data[5] != c.Tensor("dense_0/weights").Data[5] {
		t.Fatal("renamed tensor not restored")
	}
	// A shape error names both the model name and the checkpoint name.
	m = model(map[string][]int{"enc/weights": {4, 255}, "enc/biases": {256}})
	_, err = c.Restore(m, Rename("dense", "x"), Rename("dense_0/", "enc/"), AllowUnexpected())
	if err == nil || !strings.Contains(err.Error(), `"enc/weights": checkpoint [4 256], model [4 255] (checkpoint name "dense_0/weights")`) {
		t.Fatalf("rename mismatch: %v", err)
	}
	// Two checkpoint tensors mapped onto one model name.
	_, err = c.Restore(m, Rename("dense_0/", "enc/"), Rename("dense_1/", "enc/"))
	if err == nil || !strings.Contains(err.Error(), "both map to this name") {
		t.Fatalf("collision: %v", err)
	}
}

func TestRestoreMisuse(t *testing.T) {
	c, _ := savedModel(t)
	if _, err := c.Restore(nil, Skip("[")); err == nil || !strings.Contains(err.Error(), "Skip") {
		t.Fatalf("bad pattern: %v", err)
	}
	m := model(map[string][]int{"dense_0/weights": {4, 256}})
	m = append(m, m[0])
	m[1].Data = m[1].Data[:10] // wrong buffer length: reported, not a panic
	_, err := c.Restore(m, AllowUnexpected())
	if err == nil || !strings.Contains(err.Error(), "listed twice") {
		t.Fatalf("duplicate destination: %v", err)
	}
	m = model(map[string][]int{"dense_0/weights": {4, 256}})
	m[0].Data = m[0].Data[:10]
	_, err = c.Restore(m, AllowUnexpected())
	if err == nil || !strings.Contains(err.Error(), "buffer does not hold shape [4 256]") {
		t.Fatalf("short destination: %v", err)
	}
	// A checkpoint built by hand, not loaded: no file name in the error.
	hand := &Checkpoint{Tensors: []Tensor{{Name: "x", Shape: []int{2}, Data: []float32{1, 2}}}}
	_, err = hand.Restore([]Tensor{{Name: "x", Shape: []int{3}, Data: make([]float32, 3)}})
	if err == nil || !strings.HasPrefix(err.Error(), "ckpt: cannot restore from the checkpoint (1 problem;") || !strings.Contains(err.Error(), "\n\"x\": checkpoint [2], model [3]") {
		t.Fatalf("hand-built: %v", err)
	}
	// Non-float32 tensors restore through Raw, and NaN passes with AllowNonFinite.
	hand = &Checkpoint{Tensors: []Tensor{
		{Name: "n", Shape: []int{1}, Data: []float32{float32(math.NaN())}},
		{Name: "s", DType: Int64, Raw: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
	}}
	dst := []Tensor{{Name: "n", Shape: []int{1}, Data: []float32{0}}, {Name: "s", DType: Int64, Raw: make([]byte, 8)}}
	if _, err := hand.Restore(dst, AllowNonFinite()); err != nil || dst[1].Raw[7] != 8 || !math.IsNaN(float64(dst[0].Data[0])) {
		t.Fatalf("raw/NaN restore: %v %v", err, dst)
	}
}

// TestRestoreErrorCapped: a checkpoint with very many bad tensors gives an
// error of MaxProblems lines and a count, not one line per tensor.
func TestRestoreErrorCapped(t *testing.T) {
	const n = 5000
	c := &Checkpoint{file: "many.gmlp"}
	var into []Tensor
	for i := range n {
		name := fmt.Sprintf("t%05d", i)
		c.Tensors = append(c.Tensors, Tensor{Name: name, Shape: []int{1}, Data: []float32{1}})
		into = append(into, Tensor{Name: name, Shape: []int{2}, Data: make([]float32, 2)})
	}
	_, err := c.Restore(into)
	var re *RestoreError
	if !errors.As(err, &re) {
		t.Fatalf("Restore: %v", err)
	}
	if len(re.Problems) != MaxProblems || re.More != n-MaxProblems {
		t.Errorf("%d problems listed and %d more, want %d and %d", len(re.Problems), re.More, MaxProblems, n-MaxProblems)
	}
	msg := err.Error()
	if !strings.Contains(msg, fmt.Sprintf("(%d problems;", n)) || !strings.Contains(msg, fmt.Sprintf("… and %d more", n-MaxProblems)) {
		t.Errorf("error does not count the problems:\n%s", msg)
	}
	if len(msg) > 4096 {
		t.Errorf("error of %d bytes", len(msg))
	}
}

// TestCheckCopiesNothing: Check reports what Restore would, from names and
// shapes alone (no buffers), and copies nothing.
func TestCheckCopiesNothing(t *testing.T) {
	c := &Checkpoint{Tensors: []Tensor{
		{Name: "a", Shape: []int{2}, Data: []float32{1, 2}},
		{Name: "b", Shape: []int{3}, Data: []float32{1, 2, 3}},
	}}
	rep, err := c.Check([]Tensor{{Name: "a", Shape: []int{2}}, {Name: "b", Shape: []int{3}}})
	if err != nil || !slices.Equal(rep.Restored, []string{"a", "b"}) {
		t.Fatalf("Check = %+v, %v", rep, err)
	}
	_, err = c.Check([]Tensor{{Name: "a", Shape: []int{2}}, {Name: "b", Shape: []int{1 << 30}}})
	if err == nil || !strings.Contains(err.Error(), `"b": checkpoint [3], model [1073741824]`) {
		t.Fatalf("Check with a wrong shape: %v", err)
	}
	dst := []Tensor{{Name: "a", Shape: []int{2}, Data: make([]float32, 2)}, {Name: "b", Shape: []int{3}, Data: make([]float32, 3)}}
	if _, err := c.Check(dst); err != nil || dst[0].Data[0] != 0 || dst[1].Data[2] != 0 {
		t.Fatalf("Check copied: %v %v", dst, err)
	}
	c.Tensors[0].Data[1] = float32(math.NaN())
	if _, err := c.Check(dst); err == nil || !strings.Contains(err.Error(), "is NaN") {
		t.Fatalf("Check with a NaN: %v", err)
	}
}
