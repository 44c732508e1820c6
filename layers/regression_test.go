package layers

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// TestRegressionNetworkGradient checks every parameter gradient of a
// regression network with a normaliser and each smooth activation, through
// ForwardBackwardTargets and both regression losses. (LeakyReLU and ReLU
// are left to TestActivationGradients, which keeps inputs off their kink; a
// whole network's perturbed pre-activations cross it.)
func TestRegressionNetworkGradient(t *testing.T) {
	for _, head := range []Head{HeadMSE, HeadHuber} {
		for _, act := range []Activation{ActTanh, ActSigmoid, ActGELU} {
			s := Spec{Inputs: 4, Hidden: []int{6, 5}, Outputs: 2, Activation: act, Head: head, Normalize: true, ScaleTargets: true, Init: Glorot(), Keep: 1, InputKeep: 1}
			net := mustBuild(t, s, 3)
			rng := rand.New(rand.NewPCG(uint64(act), uint64(head)))
			x := randMatrix(rng, 7, 4, 3)
			for i := range x.Data {
				x.Data[i] += 10 // an offset for the normaliser to remove
			}
			if err := net.FitNormalizer(x); err != nil {
				t.Fatal(err)
			}
			for _, p := range net.Params() {
				if !p.Regularize {
					copy(p.Value.Data, randMatrix(rng, 1, len(p.Value.Data), 0.3).Data)
				}
			}
			targets := randMatrix(rng, 7, 2, 2)
			if err := net.FitTargets(targets); err != nil {
				t.Fatal(err)
			}
			if sc := net.TargetScaler().Scale(); sc[0] == 1 || sc[1] == 1 {
				t.Fatalf("target scale %v not fitted", sc)
			}
			run := func() float64 { return net.ForwardBackwardTargets(x, targets) }
			run()
			var analytic [][]float32
			for _, p := range net.Params() {
				analytic = append(analytic, append([]float32(nil), p.Grad.Data...))
			}
			for i, p := range net.Params() {
				checkGrad(t, s.String()+" "+p.Name, numericGrad(p.Value.Data, run), analytic[i])
			}
		}
	}
}

func TestRegressionHeadsPassOutputsThrough(t *testing.T) {
	s := Spec{Inputs: 3, Hidden: []int{4}, Outputs: 2, Head: HeadMSE, Keep: 1, InputKeep: 1}
	net := mustBuild(t, s, 1)
	x := randMatrix(rand.New(rand.NewPCG(1, 1)), 5, 3, 1)
	got := mat.New(5, 2)
	net.Predict(got, x)
	// The same network with its head removed gives the same raw outputs.
	bare := New(net.Layers()[:len(net.Layers())-1]...)
	want := mat.New(5, 2)
	bare.Predict(want, x)
	for i := range got.Data {
		if got.Data[i] != want.Data[i] {
			t.Fatalf("output %d: %v, want %v", i, got.Data[i], want.Data[i])
		}
	}
	if l, pred := net.EvaluateTargets(x, want); l != 0 || pred.At(4, 1) != want.At(4, 1) {
		t.Errorf("loss against its own outputs %v", l)
	}
}

func TestNormalizerFit(t *testing.T) {
	x := mat.FromSlice(4, 3, []float32{
		1, 100, 5,
		2, 300, 5,
		3, 100, 5,
		4, 300, 5,
	})
	n := NewNormalizer(3)
	if err := n.Fit(x); err != nil {
		t.Fatal(err)
	}
	wantMean := []float32{2.5, 200, 5}
	wantScale := []float32{float32(1 / math.Sqrt(1.25)), 0.01, 1} // population std; a constant column keeps scale 1
	for j := range 3 {
		if math.Abs(float64(n.Mean()[j]-wantMean[j])) > 1e-5 || math.Abs(float64(n.Scale()[j]-wantScale[j])) > 1e-6 {
			t.Errorf("feature %d: mean %v scale %v, want %v %v", j, n.Mean()[j], n.Scale()[j], wantMean[j], wantScale[j])
		}
	}
	y := mat.New(4, 3)
	n.Forward(y, x, false)
	for j := range 2 {
		var sum, sq float64
		for i := range 4 {
			v := float64(y.At(i, j))
			sum += v
			sq += v * v
		}
		if math.Abs(sum/4) > 1e-6 || math.Abs(sq/4-1) > 1e-5 {
			t.Errorf("feature %d: mean %v, variance %v after normalising", j, sum/4, sq/4)
		}
	}
	if err := n.FitMinMax(x); err != nil {
		t.Fatal(err)
	}
	n.Forward(y, x, false)
	if y.At(0, 0) != 0 || y.At(3, 0) != 1 || y.At(1, 1) != 1 || y.At(2, 2) != 0 {
		t.Errorf("min-max: %v", y.Data)
	}
	x.Set(2, 1, float32(math.NaN()))
	if err := n.Fit(x); err == nil || !strings.Contains(err.Error(), "row 2, feature 1") {
		t.Errorf("NaN: %v", err)
	}
	if err := n.Fit(mat.New(2, 4)); err == nil || !strings.Contains(err.Error(), "4 features") {
		t.Errorf("wrong width: %v", err)
	}
	if err := mustBuild(t, Spec{Inputs: 3, Outputs: 2, Keep: 1, InputKeep: 1}, 1).FitNormalizer(x); err == nil || !strings.Contains(err.Error(), "Spec.Normalize") {
		t.Errorf("no normaliser: %v", err)
	}
}

// TestNormalizerInsideTheModel checks that the normaliser's tensors are
// listed with the parameters (so checkpoints carry them), are not trained,
// and that Predict applies them.
func TestNormalizerInsideTheModel(t *testing.T) {
	s := Spec{Inputs: 2, Hidden: []int{3}, Outputs: 2, Normalize: true, Keep: 1, InputKeep: 1}
	net := mustBuild(t, s, 1)
	ts := net.Tensors()
	if ts[0].Name != NormalizerMean || ts[1].Name != NormalizerScale || len(ts) != 2+len(net.Params()) {
		t.Fatalf("tensors %v", ts)
	}
	for _, p := range net.Params() {
		if strings.HasPrefix(p.Name, "normalize/") {
			t.Errorf("%s is a trainable parameter", p.Name)
		}
	}
	x := mat.FromSlice(2, 2, []float32{10, 1000, 12, 3000})
	before := mat.New(2, 2)
	net.Predict(before, x)
	if err := net.FitNormalizer(x); err != nil {
		t.Fatal(err)
	}
	// Equivalent: an unnormalised network fed the standardised inputs.
	plain := mustBuild(t, Spec{Inputs: 2, Hidden: []int{3}, Outputs: 2, Keep: 1, InputKeep: 1}, 1)
	std := mat.FromSlice(2, 2, []float32{-1, -1, 1, 1})
	want, got := mat.New(2, 2), mat.New(2, 2)
	plain.Predict(want, std)
	net.Predict(got, x)
	for i := range got.Data {
		if math.Abs(float64(got.Data[i]-want.Data[i])) > 1e-6 {
			t.Fatalf("Predict with the normaliser: %v, want %v", got.Data, want.Data)
		}
	}
	if got.Data[0] == before.Data[0] {
		t.Error("fitting the normaliser changed nothing")
	}
}

func TestNewRejectsTwoNormalizers(t *testing.T) {
	expectPanic(t, "two normalisers", `two tensors are named "normalize/mean"`, func() {
		New(NewNormalizer(2), NewNormalizer(2), NewDense(2, 2, He(), rand.New(rand.NewPCG(1, 1))), NewSoftmaxCE())
	})
}
