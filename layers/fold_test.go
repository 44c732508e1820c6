package layers

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// A folded network computes what the original does, without the fixed
// affine layers, and keeps the parameter names.
func TestFolded(t *testing.T) {
	for _, s := range []Spec{
		{Inputs: 5, Hidden: []int{7, 6}, Outputs: 2, Activation: ActGELU, Head: HeadMSE, Normalize: true, ScaleTargets: true, Keep: 0.8, InputKeep: 0.9},
		{Inputs: 5, Hidden: []int{7}, Outputs: 3, Activation: ActTanh, Normalize: true, Keep: 1, InputKeep: 1},
		{Inputs: 5, Outputs: 1, Head: HeadHuber, Normalize: true, ScaleTargets: true, Keep: 1, InputKeep: 1},
	} {
		net := mustBuild(t, s, 2)
		rng := rand.New(rand.NewPCG(4, 4))
		x := randMatrix(rng, 9, 5, 3)
		for i := range x.Data {
			x.Data[i] = x.Data[i]*float32(1+i%5*100) + 1000 // features on very different scales
		}
		if err := net.FitNormalizer(x); err != nil {
			t.Fatal(err)
		}
		if s.ScaleTargets {
			tg := randMatrix(rng, 9, s.Outputs, 50)
			if err := net.FitTargets(tg); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range net.Params() {
			if !p.Regularize {
				copy(p.Value.Data, randMatrix(rng, 1, len(p.Value.Data), 0.3).Data)
			}
		}
		folded, err := net.Folded()
		if err != nil {
			t.Fatal(err)
		}
		if folded.Normalizer() != nil || folded.TargetScaler() != nil || len(folded.Tensors()) != len(net.Params()) {
			t.Errorf("%v: folded network still has fixed layers: %s", s, typesOf(folded))
		}
		if strings.Join(paramList(folded), " ") != strings.Join(paramList(net), " ") {
			t.Errorf("%v: names %v, want %v", s, paramList(folded), paramList(net))
		}
		want, got := mat.New(9, s.Outputs), mat.New(9, s.Outputs)
		net.Predict(want, x)
		folded.Predict(got, x)
		// Features offset by 1000 with a spread of ~1 lose about three
		// digits of float32 when the offset moves into the bias.
		for i := range got.Data {
			if d := math.Abs(float64(got.Data[i] - want.Data[i])); d > 1e-3*math.Max(1, math.Abs(float64(want.Data[i]))) {
				t.Fatalf("%v: output %d: folded %v, original %v", s, i, got.Data[i], want.Data[i])
			}
		}
		// The copy shares nothing: changing it leaves the original alone.
		folded.Params()[0].Value.Data[0] += 1
		net.Predict(got, x)
		if got.Data[0] != want.Data[0] {
			t.Errorf("%v: the folded copy shares memory with the original", s)
		}
	}
	if _, err := New(NewDense(2, 2, He(), rand.New(rand.NewPCG(1, 1))), NewNormalizer(2), NewReLU()).Folded(); err == nil {
		t.Error("a Normalizer with no Dense after it folded")
	}
}
