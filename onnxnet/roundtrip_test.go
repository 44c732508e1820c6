package onnxnet

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/onnx"
)

func randomInput(rows, cols int, seed uint64) *mat.Matrix {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := mat.New(rows, cols)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

func randomizeBiases(net *layers.Network, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 2))
	for _, p := range net.Params() {
		if !p.Regularize {
			for i := range p.Value.Data {
				p.Value.Data[i] = rng.Float32() - 0.5
			}
		}
	}
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func predict(net *layers.Network, x *mat.Matrix) []float32 {
	out := mat.New(x.Rows, net.Outputs())
	net.Predict(out, x)
	return out.Data
}

// Export, encode, decode and import give back the same network, bit for bit.
func TestRoundTrip(t *testing.T) {
	for _, spec := range []layers.Spec{
		layers.NewSpec(784, []int{256}, 10),
		{Inputs: 784, Hidden: []int{512, 512}, Outputs: 10, Keep: 0.5, InputKeep: 0.8},
		layers.NewSpec(7, nil, 3),
	} {
		net, err := spec.Build(3)
		if err != nil {
			t.Fatal(err)
		}
		randomizeBiases(net, 4)
		m, err := Export(net, ExportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := onnx.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := onnx.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		if got := back.Metadata()[layers.MetaHidden]; got != m.Metadata()[layers.MetaHidden] {
			t.Errorf("%v: arch.hidden %q after the round trip", spec, got)
		}
		net2, rep, err := Import(back)
		if err != nil {
			t.Fatalf("%v: %v", spec, err)
		}
		t.Logf("%v:\n%s", spec, rep)
		x := randomInput(5, spec.Inputs, 1)
		if d := maxDiff(predict(net, x), predict(net2, x)); d != 0 {
			t.Errorf("%v: predictions differ by %g after the round trip", spec, d)
		}
	}
}
