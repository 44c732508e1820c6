package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// The network runs each Dense+ReLU pair as one fused pass; running the
// layers one by one (unfused) must give the same bits, in training and
// evaluation mode and through Predict.
func TestDenseReLUFusedMatchesLayers(t *testing.T) {
	defer mat.SetThreads(0)
	mat.SetThreads(1)
	n := mustBuild(t, NewSpec(37, []int{33, 20}, 10), 3)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, batch := range []int{1, 7, 64} {
		x := randMatrix(rng, batch, 37, 1)
		in := x
		for _, l := range n.Layers() {
			out := mat.New(batch, l.OutputCols(in.Cols))
			l.Forward(out, in, false)
			in = out
		}
		want := in
		for _, train := range []bool{false, true} {
			got := n.Forward(x, train)
			if !equalBits(got, want) {
				t.Fatalf("batch %d train=%v: fused Forward differs from the layers run one by one", batch, train)
			}
		}
		got := mat.New(batch, 10)
		n.Predict(got, x)
		if !equalBits(got, want) {
			t.Fatalf("batch %d: fused Predict differs from the layers run one by one", batch)
		}
	}
}

func equalBits(a, b *mat.Matrix) bool {
	if a.Rows != b.Rows || a.Cols != b.Cols {
		return false
	}
	for i := range a.Rows {
		ra, rb := a.Row(i), b.Row(i)
		for j := range ra {
			if ra[j] != rb[j] && !(ra[j] != ra[j] && rb[j] != rb[j]) {
				return false
			}
		}
	}
	return true
}
