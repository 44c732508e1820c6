package layers

import "testing"

// FuzzSpecFromMeta: whatever a checkpoint's architecture metadata says,
// SpecFromMeta, Validate, ParamShapes and Build return an error or a
// network within the limits; they never panic or allocate the impossible.
func FuzzSpecFromMeta(f *testing.F) {
	f.Add("784", "256", "10", "1", "1", "he")
	f.Add("784", "1000000000", "10", "0.5", "0.8", "normal:0.1")
	f.Add("4611686018427387904", "100000,100000", "2305843009213693952", "0", "NaN", "glorot")
	f.Add("1", "", "2", "+Inf", "1e-300", "truncated:1e308")
	f.Fuzz(func(t *testing.T, inputs, hidden, outputs, keep, inputKeep, init string) {
		s, err := SpecFromMeta(map[string]string{
			MetaArch: "mlp", MetaInputs: inputs, MetaHidden: hidden, MetaOutputs: outputs,
			MetaKeep: keep, MetaInputKeep: inputKeep, MetaInit: init,
		})
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("SpecFromMeta returned %v, which does not validate: %v", s, err)
		}
		shapes, err := s.ParamShapes()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range shapes {
			k := 1
			for _, d := range p.Shape {
				k *= d
			}
			n += k
		}
		if n > MaxParams {
			t.Fatalf("%v has %d parameters", s, n)
		}
		if n > 1<<16 {
			return // valid, but too big to build in a fuzz loop
		}
		net, err := s.Build(1)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := SpecFromMeta(s.Meta()); err != nil || got.String() != s.String() {
			t.Fatalf("round trip of %v: %v, %v", s, got, err)
		}
		if len(net.Params()) != len(shapes) {
			t.Fatalf("%d parameters, %d shapes", len(net.Params()), len(shapes))
		}
	})
}
