// Package table reads numeric tables from CSV files into a dataset.Dataset:
// a header row naming the columns, numeric feature columns, and one label
// column holding class names or numbers (classification) or float targets
// (regression). Every problem is an error naming the line and the column.
package table

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlp/gomlp/dataset"
	"github.com/gomlp/gomlp/internal/regular"
	"github.com/gomlp/gomlp/mat"
)

// Limits on what a table may hold, checked as it is read, so that memory
// follows the real data.
const (
	MaxColumns     = 1 << 16 // columns in the header
	MaxCells       = 1 << 28 // feature values in all (1 GiB of float32)
	MaxClasses     = 1 << 16 // distinct class labels
	MaxLineBytes   = 1 << 22 // bytes in one line (4 MiB)
	AutoMaxClasses = 100     // Auto classifies integer labels with at most this many distinct values
)

// Task says what the label column holds.
type Task uint8

const (
	Auto     Task = iota // decide from the label column (see Options.Task)
	Classify             // class labels: names or numbers
	Regress              // float targets
)

// String returns "auto", "classify" or "regress".
func (t Task) String() string {
	switch t {
	case Classify:
		return "classify"
	case Regress:
		return "regress"
	}
	return "auto"
}

// ParseTask reads the form String writes.
func ParseTask(s string) (Task, error) {
	for _, t := range []Task{Auto, Classify, Regress} {
		if s == t.String() {
			return t, nil
		}
	}
	return 0, fmt.Errorf("table: task %q: want classify, regress or auto", s)
}

// Options says how to read a table.
type Options struct {
	// Label names the label column. It is required unless LabelOptional.
	Label string

	// LabelOptional reads a table that may lack the label column (for
	// prediction); if it is there, it is read as for training.
	LabelOptional bool

	// Task says what the label column holds. Auto decides: a column with
	// any non-numeric value, or of integers with at most AutoMaxClasses
	// distinct values, holds classes; other numbers are regression targets.
	Task Task

	// Features, if set, names the feature columns to read, in this order
	// (the columns a model was trained on); other columns are ignored. If
	// empty, every column but the label is a feature, in file order.
	Features []string

	// Ignore names columns to leave out (text columns, identifiers, other
	// targets). A name that is not in the header is an error.
	Ignore []string

	// Classes, if set, are the class names of a trained classifier, in
	// class order: a label outside them is an error. If empty, the classes
	// are the distinct labels, sorted (numerically if all are numbers).
	Classes []string
}

// Table is a table read from CSV.
type Table struct {
	Data     dataset.Dataset // features in X; labels in Y or targets in Targets (neither without a label column)
	Features []string        // names of the columns of Data.X
	Label    string          // name of the label column ("" if it was absent)
	Task     Task            // Classify or Regress (Auto if there was no label column)
	Classes  []string        // class names, by class index (classification)
	Why      string          // why the task was chosen, e.g. `3 distinct integer values`
}

// ReadFile reads the CSV file at path (see Read).
func ReadFile(path string, opt Options) (*Table, error) {
	f, err := regular.Open(path) // a named pipe must not make it wait for a writer
	if err != nil {
		return nil, fmt.Errorf("table: %v (a CSV table must be a regular file)", err)
	}
	defer f.Close()
	return Read(f, path, opt)
}

// Read reads a CSV table from r; name (a file name) starts every error.
// The first row is the header. Cells may be quoted; spaces around numbers
// are allowed; a UTF-8 byte-order mark is skipped. Empty lines are
// skipped.
func Read(r io.Reader, name string, opt Options) (*Table, error) {
	t, err := read(r, opt)
	if err != nil {
		return nil, fmt.Errorf("table: %s: %w", name, err)
	}
	return t, nil
}

func read(r io.Reader, opt Options) (*Table, error) {
	if opt.Label == "" && !opt.LabelOptional {
		return nil, errors.New("no label column named (say which column holds the labels)")
	}
	cr := csv.NewReader(&limitedLines{r: r})
	cr.FieldsPerRecord = -1 // checked here, with a better message
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty: want a header row naming the columns, then one row per example")
	}
	if err != nil {
		return nil, csvError(err)
	}
	header = slices.Clone(header)
	if len(header) > MaxColumns {
		return nil, fmt.Errorf("line 1: %d columns; at most %d are supported", len(header), MaxColumns)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		if h == "" {
			return nil, fmt.Errorf("line 1, column %d: the header cell is empty; every column needs a name", i+1)
		}
		if _, dup := cols[h]; dup {
			return nil, fmt.Errorf("line 1: two columns are named %q", h)
		}
		cols[h] = i
	}
	label := -1
	if opt.Label != "" {
		i, ok := cols[opt.Label]
		switch {
		case ok:
			label = i
		case !opt.LabelOptional:
			return nil, fmt.Errorf("line 1: no column named %q (the columns are %s); name the label column with one of them", opt.Label, quoteList(header, 10))
		}
	}
	ignore := map[int]bool{}
	for _, name := range opt.Ignore {
		i, ok := cols[name]
		if !ok {
			return nil, fmt.Errorf("line 1: no column named %q to ignore (the columns are %s)", name, quoteList(header, 10))
		}
		if i == label {
			return nil, fmt.Errorf("the label column %q cannot be ignored", name)
		}
		ignore[i] = true
	}
	var feat []int
	var featNames []string
	if len(opt.Features) > 0 {
		for _, f := range opt.Features {
			i, ok := cols[f]
			if !ok {
				return nil, fmt.Errorf("line 1: no column named %q, which the model takes as a feature (the columns are %s)", f, quoteList(header, 10))
			}
			feat, featNames = append(feat, i), append(featNames, f)
		}
	} else {
		for i, h := range header {
			if i != label && !ignore[i] {
				feat, featNames = append(feat, i), append(featNames, h)
			}
		}
	}
	if len(feat) == 0 {
		return nil, errors.New("line 1: no feature columns beside the label")
	}

	var x []float32
	var labels []string
	var lines []int // the line of each row, for label errors
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, fmt.Errorf("line %d: %d cells, but the header has %d columns", line, len(rec), len(header))
		}
		if len(x)+len(feat) > MaxCells {
			return nil, fmt.Errorf("line %d: more than %d feature values; the table is too large", line, MaxCells)
		}
		for _, i := range feat {
			v, err := parseCell(rec[i])
			if err != nil {
				return nil, fmt.Errorf("line %d, column %q: %v", line, header[i], err)
			}
			x = append(x, v)
		}
		if label >= 0 {
			cell := strings.TrimSpace(rec[label])
			if cell == "" {
				return nil, fmt.Errorf("line %d, column %q: the label is empty; fill it in or drop the row", line, header[label])
			}
			labels = append(labels, strings.Clone(cell)) // not a view that keeps the whole line alive
			lines = append(lines, line)
		}
		rows++
	}
	if rows == 0 {
		return nil, errors.New("no data rows after the header")
	}
	t := &Table{Features: featNames, Data: dataset.Dataset{X: mat.FromSlice(rows, len(feat), x)}}
	if label < 0 {
		return t, nil
	}
	t.Label = header[label]
	if err := t.readLabels(labels, opt, func(row int) int { return lines[row] }); err != nil {
		return nil, err
	}
	return t, nil
}

// readLabels decides the task and fills in Y or Targets. lineOf gives a
// data row's line for errors.
func (t *Table) readLabels(cells []string, opt Options, lineOf func(int) int) error {
	nums := make([]float64, len(cells))
	numeric, integers := true, true
	firstText := -1
	for i, c := range cells {
		v, err := strconv.ParseFloat(c, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			numeric, integers = false, false
			if firstText < 0 {
				firstText = i
			}
			continue
		}
		nums[i] = v
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			integers = false
		}
	}
	task := opt.Task
	if len(opt.Classes) > 0 {
		task = Classify
	}
	distinct := map[string]bool{}
	if task == Auto {
		for i, c := range cells {
			key := c
			if numeric {
				key = strconv.FormatFloat(nums[i], 'g', -1, 64)
			}
			distinct[key] = true
			if len(distinct) > AutoMaxClasses {
				break
			}
		}
		switch {
		case !numeric:
			task, t.Why = Classify, fmt.Sprintf("non-numeric label %q on line %d", cells[firstText], lineOf(firstText))
		case integers && len(distinct) <= AutoMaxClasses:
			task, t.Why = Classify, fmt.Sprintf("integer labels with %d distinct values (at most %d)", len(distinct), AutoMaxClasses)
		case integers:
			task, t.Why = Regress, fmt.Sprintf("integer labels with more than %d distinct values", AutoMaxClasses)
		default:
			task, t.Why = Regress, "labels with fractional values"
		}
	} else {
		t.Why = "as asked"
	}
	t.Task = task
	if task == Regress {
		if !numeric {
			return fmt.Errorf("line %d, column %q: %q is not a number, but regression needs numeric targets (use classification for class names)", lineOf(firstText), t.Label, cells[firstText])
		}
		targets := mat.New(len(cells), 1)
		for i, v := range nums {
			if float32(v) != float32(v) || math.IsInf(float64(float32(v)), 0) {
				return fmt.Errorf("line %d, column %q: %v is beyond float32's range", lineOf(i), t.Label, v)
			}
			targets.Data[i] = float32(v)
		}
		t.Data.Targets = targets
		return nil
	}
	// Classification: canonical class names, so that "1" and "1.0" are one class.
	names := make([]string, len(cells))
	for i, c := range cells {
		names[i] = c
		if numeric {
			names[i] = strconv.FormatFloat(nums[i], 'g', -1, 64)
		}
	}
	classes := opt.Classes
	if len(classes) == 0 {
		seen := map[string]bool{}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				classes = append(classes, n)
				if len(classes) > MaxClasses {
					return fmt.Errorf("column %q: more than %d distinct labels; is it a regression target?", t.Label, MaxClasses)
				}
			}
		}
		if numeric {
			slices.SortFunc(classes, func(a, b string) int {
				x, _ := strconv.ParseFloat(a, 64)
				y, _ := strconv.ParseFloat(b, 64)
				return cmpFloat(x, y)
			})
		} else {
			slices.Sort(classes)
		}
	}
	if len(classes) < 2 && len(opt.Classes) == 0 {
		return fmt.Errorf("column %q: every label is %q; a classifier needs at least 2 classes", t.Label, classes[0])
	}
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	y := make([]int, len(names))
	for i, n := range names {
		k, ok := index[n]
		if !ok {
			return fmt.Errorf("line %d, column %q: label %q is not one of the model's classes (%s)", lineOf(i), t.Label, cells[i], quoteList(classes, 10))
		}
		y[i] = k
	}
	t.Classes = slices.Clone(classes)
	t.Data.Y = y
	return nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseCell reads one feature value.
func parseCell(s string) (float32, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("the cell is empty; missing values are not supported: fill them in or drop the row")
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s is beyond float32's range", strconv.Quote(s))
		}
		return 0, fmt.Errorf("%s is not a number; feature columns must be numeric (leave the column out, or encode it as numbers)", strconv.Quote(short(s)))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is not a finite number; fill in or drop such rows", strconv.Quote(s))
	}
	return float32(v), nil
}

func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func quoteList(names []string, n int) string {
	var q []string
	for i, s := range names {
		if i == n {
			q = append(q, fmt.Sprintf("… and %d more", len(names)-n))
			break
		}
		q = append(q, strconv.Quote(short(s)))
	}
	return strings.Join(q, ", ")
}

// csvError rewrites encoding/csv's errors as "line N: what".
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// limitedLines passes r through but fails on a line longer than
// MaxLineBytes, so a file without newlines cannot make encoding/csv
// buffer all of it.
type limitedLines struct {
	r   io.Reader
	run int // bytes since the last newline
}

func (l *limitedLines) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		l.run = n - i - 1
	} else {
		l.run += n
	}
	if l.run > MaxLineBytes {
		return 0, fmt.Errorf("a line is longer than %d bytes", MaxLineBytes)
	}
	return n, err
}
