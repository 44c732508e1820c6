package loss

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// Gradient checks: central differences of the float64 loss over float32
// inputs; the tolerance allows for float32 rounding only.
const (
	step   = 1e-2
	tolAbs = 2e-4
	tolRel = 2e-3
)

func randMatrix(rng *rand.Rand, r, c int, scale float64) *mat.Matrix {
	m := mat.New(r, c)
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64() * scale)
	}
	return m
}

func checkGrad(t *testing.T, what string, v []float32, analytic []float32, f func() float64) {
	t.Helper()
	for i := range v {
		old := v[i]
		v[i] = old + step
		up := f()
		v[i] = old - step
		down := f()
		v[i] = old
		num := (up - down) / (float64(old+step) - float64(old-step))
		a := float64(analytic[i])
		if math.Abs(num-a) > tolAbs+tolRel*math.Abs(a) {
			t.Errorf("%s: element %d: numeric %.6g, analytic %.6g", what, i, num, a)
		}
	}
}

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	logits := randMatrix(rng, 5, 7, 2)
	labels := []int{0, 6, 3, 3, 1}
	grad := mat.New(5, 7)
	SoftmaxCrossEntropy(grad, logits, labels)
	checkGrad(t, "SoftmaxCrossEntropy", logits.Data, grad.Data, func() float64 {
		return SoftmaxCrossEntropy(nil, logits, labels)
	})
}

func TestSoftmaxCrossEntropyOneHotGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	logits := randMatrix(rng, 4, 5, 2)
	targets := mat.New(4, 5)
	for i := 0; i < 4; i++ { // smoothed labels: 0.8 on one class, 0.05 on the others
		for j := 0; j < 5; j++ {
			targets.Set(i, j, 0.05)
		}
		targets.Set(i, (3*i)%5, 0.8)
	}
	grad := mat.New(4, 5)
	SoftmaxCrossEntropyOneHot(grad, logits, targets)
	checkGrad(t, "SoftmaxCrossEntropyOneHot", logits.Data, grad.Data, func() float64 {
		return SoftmaxCrossEntropyOneHot(nil, logits, targets)
	})
}

func TestSoftmaxCrossEntropyValues(t *testing.T) {
	// Uniform logits: the loss is log(classes) and the gradient (1/k - onehot)/rows.
	logits := mat.New(2, 4)
	grad := mat.New(2, 4)
	l := SoftmaxCrossEntropy(grad, logits, []int{1, 3})
	if math.Abs(l-math.Log(4)) > 1e-7 {
		t.Errorf("uniform loss %v, want log 4 = %v", l, math.Log(4))
	}
	want := []float32{0.125, -0.375, 0.125, 0.125, 0.125, 0.125, 0.125, -0.375}
	for i, v := range want {
		if math.Abs(float64(grad.Data[i]-v)) > 1e-7 {
			t.Fatalf("gradient %v, want %v", grad.Data, want)
		}
	}
	// The one-hot form agrees with the index form.
	rng := rand.New(rand.NewPCG(3, 3))
	z := randMatrix(rng, 3, 5, 3)
	labels := []int{4, 0, 2}
	onehot := mat.New(3, 5)
	for i, y := range labels {
		onehot.Set(i, y, 1)
	}
	g1, g2 := mat.New(3, 5), mat.New(3, 5)
	a, b := SoftmaxCrossEntropy(g1, z, labels), SoftmaxCrossEntropyOneHot(g2, z, onehot)
	if math.Abs(a-b) > 1e-6 {
		t.Errorf("index form %v, one-hot form %v", a, b)
	}
	for i := range g1.Data {
		if math.Abs(float64(g1.Data[i]-g2.Data[i])) > 1e-7 {
			t.Fatalf("gradients differ: %v and %v", g1.Data, g2.Data)
		}
	}
}

// Huge logits neither overflow nor lose the answer: log-sum-exp is stable.
func TestSoftmaxCrossEntropyStable(t *testing.T) {
	logits := mat.FromSlice(2, 3, []float32{1000, 0, -1000, -5000, -4990, -5000})
	grad := mat.New(2, 3)
	l := SoftmaxCrossEntropy(grad, logits, []int{1, 1})
	// Row 0: 1000 - 0 = 1000 (log(1+e^-1000+…) ≈ 0); row 1: log(1+2e^-10) ≈ 9.08e-5.
	want := (1000 + math.Log1p(2*math.Exp(-10))) / 2
	if math.Abs(l-want) > 1e-4 {
		t.Errorf("loss %v, want %v", l, want)
	}
	for _, v := range grad.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("gradient %v is not finite", grad.Data)
		}
	}
	probs := mat.New(2, 3)
	Softmax(probs, logits)
	if probs.At(0, 0) != 1 || probs.At(0, 2) != 0 || math.Abs(float64(probs.At(1, 1))-1/(1+2*math.Exp(-10))) > 1e-6 {
		t.Errorf("softmax %v", probs.Data)
	}
}

func TestSoftmaxCrossEntropyNaN(t *testing.T) {
	nan := float32(math.NaN())
	for _, row := range [][]float32{{nan, 0, 1}, {float32(math.Inf(1)), 0, 1}} {
		l := SoftmaxCrossEntropy(nil, mat.FromSlice(1, 3, row), []int{1})
		if !math.IsNaN(l) && !math.IsInf(l, 0) {
			t.Errorf("logits %v: loss %v, want NaN or Inf", row, l)
		}
	}
}

func TestSoftmaxCrossEntropyBadLabelPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "label 3") {
			t.Errorf("panic %v, want one naming label 3", r)
		}
	}()
	SoftmaxCrossEntropy(nil, mat.New(1, 3), []int{3})
}

func TestPenaltyGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	w := randMatrix(rng, 1, 40, 1).Data
	for i, v := range w { // away from L1's kink at 0
		if math.Abs(float64(v)) < 0.05 {
			w[i] += 0.1
		}
	}
	const lambda = 0.3
	g := make([]float32, len(w))
	AddL1Grad(lambda, w, g)
	checkGrad(t, "L1", w, g, func() float64 { return lambda * L1(w) })
	g = make([]float32, len(w))
	AddL2Grad(lambda, w, g)
	checkGrad(t, "L2", w, g, func() float64 { return lambda * L2(w) })
}

func TestPenaltyValues(t *testing.T) {
	w := []float32{3, -4, 0}
	if L1(w) != 7 || L2(w) != 12.5 {
		t.Errorf("L1 %v (want 7), L2 %v (want 12.5)", L1(w), L2(w))
	}
	g := []float32{1, 1, 1}
	AddL1Grad(0.5, w, g)
	if g[0] != 1.5 || g[1] != 0.5 || g[2] != 1 {
		t.Errorf("L1 gradient added: %v", g)
	}
	g = []float32{1, 1, 1}
	AddL2Grad(0.5, w, g)
	if g[0] != 2.5 || g[1] != -1 || g[2] != 1 {
		t.Errorf("L2 gradient added: %v", g)
	}
}

func TestMetrics(t *testing.T) {
	scores := mat.FromSlice(4, 3, []float32{
		0.1, 0.7, 0.2,
		5, 5, 1, // tie: the first wins
		float32(math.NaN()), 0, 1,
		0, 0, 0,
	})
	if c := Correct(scores, []int{1, 0, 2, 1}); c != 3 {
		t.Errorf("Correct = %d, want 3", c)
	}
	if a := Accuracy([]int{1, 2, 3, 4}, []int{1, 2, 0, 4}); a != 0.75 {
		t.Errorf("Accuracy = %v, want 0.75", a)
	}
	c := NewConfusion(3)
	if err := c.Add([]int{0, 1, 1, 2}, []int{0, 1, 2, 2}); err != nil {
		t.Fatal(err)
	}
	if c.Counts[2][1] != 1 || c.Counts[2][2] != 1 || c.Total() != 4 || c.Accuracy() != 0.75 {
		t.Errorf("confusion %v", c.Counts)
	}
	if err := c.Add([]int{3}, []int{0}); err == nil || c.Total() != 4 {
		t.Errorf("out-of-range prediction: error %v, total %d", err, c.Total())
	}
	want := " pred: 0 1 2\ntrue 0 1 0 0\ntrue 1 0 1 0\ntrue 2 0 1 1\n"
	if s := c.String(); s != want {
		t.Errorf("String:\n%s\nwant:\n%s", s, want)
	}
}

// TestSoftmaxCrossEntropyForms checks that the loss is the same bits with
// and without a gradient, with the gradient in logits' own memory and in
// views with a stride, across the block of rows the gradient path works in,
// and that the gradients agree bit for bit; and that Softmax agrees with the
// gradient's softmax part.
func TestSoftmaxCrossEntropyForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, rows := range []int{1, 63, 64, 65, 130} {
		logits := randMatrix(rng, rows, 10, 3)
		labels := make([]int, rows)
		for i := range labels {
			labels[i] = rng.IntN(10)
		}
		plain := SoftmaxCrossEntropy(nil, logits, labels)
		grad := mat.New(rows, 10)
		withGrad := SoftmaxCrossEntropy(grad, logits, labels)
		inPlace := mat.New(rows, 10)
		copy(inPlace.Data, logits.Data)
		aliased := SoftmaxCrossEntropy(inPlace, inPlace, labels)
		wide := mat.New(rows, 13)
		view := wide.View(0, 1, rows, 10)
		strided := SoftmaxCrossEntropy(&view, logits, labels)
		if plain != withGrad || plain != aliased || plain != strided {
			t.Fatalf("rows %d: loss %v without gradient, %v with, %v in place, %v into a view", rows, plain, withGrad, aliased, strided)
		}
		probs := mat.New(rows, 10)
		Softmax(probs, logits)
		for i := range rows {
			for j := range 10 {
				g := grad.Data[i*10+j]
				if g != inPlace.Data[i*10+j] || g != view.Row(i)[j] {
					t.Fatalf("rows %d: gradient [%d,%d] %v, in place %v, in a view %v", rows, i, j, g, inPlace.Data[i*10+j], view.Row(i)[j])
				}
				p := probs.Data[i*10+j]
				if j == labels[i] {
					p--
				}
				if want := p / float32(rows); math.Abs(float64(g-want)) > 1e-6/float64(rows) {
					t.Fatalf("rows %d: gradient [%d,%d] %v, softmax gives %v", rows, i, j, g, want)
				}
			}
		}
	}
}
