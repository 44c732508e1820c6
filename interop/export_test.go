package interop

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
)

// TestExportFolds checks that a network with a Normalizer, every
// activation, and (for regression) a TargetScaler exports to tensors that,
// read back as the plain Sequential they describe, compute the unfolded
// network's outputs up to float32 rounding.
func TestExportFolds(t *testing.T) {
	for _, head := range []layers.Head{layers.HeadSoftmax, layers.HeadMSE, layers.HeadHuber} {
		for _, act := range []layers.Activation{layers.ActReLU, layers.ActTanh, layers.ActSigmoid, layers.ActLeakyReLU, layers.ActGELU} {
			spec := layers.NewSpec(5, []int{7, 6}, 3)
			spec.Activation, spec.Head, spec.Normalize = act, head, true
			spec.ScaleTargets = head != layers.HeadSoftmax
			net, err := spec.Build(9)
			if err != nil {
				t.Fatal(err)
			}
			x := randomInput(40, 5)
			for i := range x.Data {
				x.Data[i] = x.Data[i]*50 + 20 // far from standardised, so the fold matters
			}
			if err := net.FitNormalizer(x); err != nil {
				t.Fatal(err)
			}
			if spec.ScaleTargets {
				y := randomInput(40, 3)
				for i := range y.Data {
					y.Data[i] = y.Data[i]*300 - 1000
				}
				if err := net.FitTargets(y); err != nil {
					t.Fatal(err)
				}
			}
			ts, err := ToTensors(net)
			if err != nil {
				t.Fatalf("%v %v: %v", act, head, err)
			}
			mods, _ := Sequential(net)
			want := []string{"nn.Linear(5, 7)", "", "nn.Linear(7, 6)", "", "nn.Linear(6, 3)"}
			if len(mods) != len(want) || mods[0] != want[0] || mods[2] != want[2] || mods[4] != want[4] || mods[1] != mods[3] || !strings.Contains(mods[1], torchNames[act]) {
				t.Fatalf("%v %v: modules %q", act, head, mods)
			}
			for i, name := range []string{"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"} {
				if ts[i].Name != name {
					t.Fatalf("tensor %d is %s, want %s", i, ts[i].Name, name)
				}
			}
			back, _, err := FromTensors(ts, Options{Activation: act.String(), Head: head.String()})
			if err != nil {
				t.Fatal(err)
			}
			if back.Normalizer() != nil || back.TargetScaler() != nil {
				t.Fatal("the exported tensors read back with a normalizer or target scaler")
			}
			ref, got := Logits(net, x), Logits(back, x)
			scale := 0.0
			for _, v := range ref.Data {
				scale = math.Max(scale, math.Abs(float64(v)))
			}
			for i := range ref.Data {
				if d := math.Abs(float64(got.Data[i] - ref.Data[i])); d > 1e-5*math.Max(1, scale) {
					t.Fatalf("%v %v: output %d: folded %v, unfolded %v", act, head, i, got.Data[i], ref.Data[i])
				}
			}
			if head != layers.HeadSoftmax {
				p := mat.New(x.Rows, 3)
				net.Predict(p, x)
				for i := range p.Data {
					if d := math.Abs(float64(got.Data[i] - p.Data[i])); d > 1e-5*math.Max(1, scale) {
						t.Fatalf("%v %v: output %d: %v, Predict %v", act, head, i, got.Data[i], p.Data[i])
					}
				}
			}
			meta := ExportMeta(net)
			if !strings.Contains(meta["gomlp.sequential"], torchNames[act]) || !strings.Contains(meta["gomlp.folded"], "normalizer") ||
				strings.Contains(meta["gomlp.folded"], "target") != spec.ScaleTargets {
				t.Errorf("%v %v: metadata %v", act, head, meta)
			}
		}
	}
}

// TestExportRefuses checks that what nn.Sequential cannot express is an
// error, not a wrong file.
func TestExportRefuses(t *testing.T) {
	d := func(in, out int) *layers.Dense {
		return layers.NewDense(in, out, layers.He(), rand.New(rand.NewPCG(1, 1)))
	}
	for _, c := range []struct {
		net  *layers.Network
		want string
	}{
		{layers.New(layers.NewNormalizer(3), layers.NewSoftmaxCE()), "Normalizer"},
		{layers.New(d(3, 2), &layers.ReLU{}, layers.NewTargetScaler(2), layers.NewSoftmaxCE()), "TargetScaler"},
		{layers.New(&layers.ReLU{}, layers.NewSoftmaxCE()), "no Dense layer"},
	} {
		if _, err := ToTensors(c.net); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one mentioning %q", err, c.want)
		}
	}
}
