package loss

import (
	"fmt"
	"strings"

	"github.com/gomlp/gomlp/mat"
)

// Correct counts the rows of scores (logits or probabilities) whose largest
// element is at the column labels[i].
func Correct(scores *mat.Matrix, labels []int) int {
	if len(labels) != scores.Rows {
		panic(fmt.Sprintf("loss: Correct: %d labels for %s scores", len(labels), scores.Shape()))
	}
	n := 0
	for i, y := range labels {
		if mat.Argmax(scores.Row(i)) == y {
			n++
		}
	}
	return n
}

// Accuracy returns the fraction of predictions equal to their labels
// (0 for none).
func Accuracy(pred, labels []int) float64 {
	if len(pred) != len(labels) {
		panic(fmt.Sprintf("loss: Accuracy: %d predictions for %d labels", len(pred), len(labels)))
	}
	if len(pred) == 0 {
		return 0
	}
	n := 0
	for i, p := range pred {
		if p == labels[i] {
			n++
		}
	}
	return float64(n) / float64(len(pred))
}

// Confusion is a confusion matrix: Counts[label][prediction] is how often
// an example of class label was predicted as class prediction.
type Confusion struct {
	Counts [][]int
}

// NewConfusion returns an empty confusion matrix for the given number of classes.
func NewConfusion(classes int) *Confusion {
	c := &Confusion{Counts: make([][]int, classes)}
	for i := range c.Counts {
		c.Counts[i] = make([]int, classes)
	}
	return c
}

// Add counts each (labels[i], pred[i]) pair. It returns an error, and counts
// nothing, if a class is out of range.
func (c *Confusion) Add(pred, labels []int) error {
	if len(pred) != len(labels) {
		return fmt.Errorf("loss: Confusion.Add: %d predictions for %d labels", len(pred), len(labels))
	}
	k := len(c.Counts)
	for i := range pred {
		if uint(pred[i]) >= uint(k) || uint(labels[i]) >= uint(k) {
			return fmt.Errorf("loss: Confusion.Add: example %d: label %d, prediction %d: classes are 0..%d", i, labels[i], pred[i], k-1)
		}
	}
	for i, p := range pred {
		c.Counts[labels[i]][p]++
	}
	return nil
}

// Total returns the number of examples counted.
func (c *Confusion) Total() int {
	n := 0
	for _, row := range c.Counts {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Accuracy returns the fraction of counted examples on the diagonal.
func (c *Confusion) Accuracy() float64 {
	n, ok := c.Total(), 0
	if n == 0 {
		return 0
	}
	for i, row := range c.Counts {
		ok += row[i]
	}
	return float64(ok) / float64(n)
}

// String formats the matrix as a table, one row per true label and one
// column per prediction.
func (c *Confusion) String() string {
	width := 1
	for _, row := range c.Counts {
		for _, v := range row {
			width = max(width, len(fmt.Sprint(v)))
		}
	}
	width = max(width, len(fmt.Sprint(len(c.Counts)-1)))
	var b strings.Builder
	fmt.Fprintf(&b, "%*s", width+5, "pred:")
	for j := range c.Counts {
		fmt.Fprintf(&b, " %*d", width, j)
	}
	b.WriteByte('\n')
	for i, row := range c.Counts {
		fmt.Fprintf(&b, "true %*d", width, i)
		for _, v := range row {
			fmt.Fprintf(&b, " %*d", width, v)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
