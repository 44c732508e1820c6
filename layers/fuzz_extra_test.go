package layers

import "testing"

// FuzzSpecFromMetaHeadsAndActivations: the activation, head, normaliser
// and target-scaler keys never make SpecFromMeta or Build panic, and a
// spec that validates rebuilds from its own metadata with the same layers.
func FuzzSpecFromMetaHeadsAndActivations(f *testing.F) {
	f.Add("4,3", "2", "tanh,gelu", "mse", "affine", "1")
	f.Add("4", "1", "relu", "softmax", "none", "0")
	f.Add("", "1", "leaky_relu", "huber", "affine", "1")
	f.Add("4,4,4", "3", "sigmoid,,relu", "poisson", "zca", "2")
	f.Fuzz(func(t *testing.T, hidden, outputs, act, head, normalize, scale string) {
		s, err := SpecFromMeta(map[string]string{
			MetaArch: "mlp", MetaInputs: "3", MetaHidden: hidden, MetaOutputs: outputs,
			MetaActivation: act, MetaHead: head, MetaNormalize: normalize, MetaScaleTargets: scale,
		})
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("SpecFromMeta returned %v, which does not validate: %v", s, err)
		}
		shapes, err := s.TensorShapes()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range shapes {
			n += NumElements(p.Shape)
		}
		if n > 1<<16 {
			return // valid, but too big to build in a fuzz loop
		}
		net, err := s.Build(1)
		if err != nil {
			t.Fatal(err)
		}
		if len(net.Tensors()) != len(shapes) {
			t.Fatalf("%v: %d tensors, %d shapes", s, len(net.Tensors()), len(shapes))
		}
		back, err := SpecFromMeta(s.Meta())
		if err != nil || back.String() != s.String() {
			t.Fatalf("round trip of %v: %v, %v", s, back, err)
		}
	})
}
