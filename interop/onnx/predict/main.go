// Command predict is part of the ONNX cross-checks: it writes the MNIST
// test images as raw little-endian float32, runs a gomlp model (a checkpoint
// or an ONNX file, imported) on a raw float32 input, and compares raw
// float32 outputs, so that Node (ONNX Runtime) and Python (PyTorch) scripts
// can be checked against gomlp's Predict.
//
//	go run ./interop/onnx/predict -mnist-x x.f32 -mnist-y y.u8
//	go run ./interop/onnx/predict -model M.gmlp|M.onnx -x x.f32 -out probs.f32
//	go run ./interop/onnx/predict -model M.onnx -x x.f32 -ref probs.f32 -tol 1e-5
//	go run ./interop/onnx/predict -every-activation M.gmlp
//
// -every-activation writes an untrained 784-64-64-64-64-64-10 network with
// a Normalizer fitted to the MNIST training images and one hidden layer per
// activation the library has (ReLU, Tanh, Sigmoid, LeakyReLU, GELU).
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/onnx"
	"github.com/gomlp/gomlp/onnxnet"
	"github.com/gomlp/gomlp/train"
)

func main() {
	mnistX := flag.String("mnist-x", "", "write the MNIST test images (10000×784 float32) here")
	mnistY := flag.String("mnist-y", "", "write the MNIST test labels (10000 bytes) here")
	model := flag.String("model", "", "a gomlp checkpoint or an ONNX model")
	x := flag.String("x", "", "raw float32 input, rows of the model's input width")
	out := flag.String("out", "", "write Predict's output here (raw float32)")
	ref := flag.String("ref", "", "compare Predict's output with this raw float32 file")
	tol := flag.Float64("tol", 1e-5, "with -ref: the largest absolute difference allowed")
	every := flag.String("every-activation", "", "write a network with every activation and a normaliser here")
	flag.Parse()
	if *every != "" {
		if err := everyActivation(*every); err != nil {
			fmt.Fprintln(os.Stderr, "predict:", err)
			os.Exit(1)
		}
	}
	if err := run(*mnistX, *mnistY, *model, *x, *out, *ref, *tol); err != nil {
		fmt.Fprintln(os.Stderr, "predict:", err)
		os.Exit(1)
	}
}

func run(mnistX, mnistY, model, xPath, out, ref string, tol float64) error {
	if mnistX != "" || mnistY != "" {
		_, test, err := mnist.Load(context.Background(), mnist.Options{})
		if err != nil {
			return err
		}
		if mnistX != "" {
			if err := os.WriteFile(mnistX, floatBytes(test.X.Data), 0o644); err != nil {
				return err
			}
		}
		if mnistY != "" {
			labels := make([]byte, len(test.Y))
			for i, y := range test.Y {
				labels[i] = byte(y)
			}
			if err := os.WriteFile(mnistY, labels, 0o644); err != nil {
				return err
			}
		}
	}
	if model == "" {
		return nil
	}
	net, err := load(model)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(xPath)
	if err != nil {
		return err
	}
	cols := net.Inputs()
	if len(raw)%(4*cols) != 0 {
		return fmt.Errorf("%s: %d bytes is not a whole number of %d-float rows", xPath, len(raw), cols)
	}
	x := mat.FromSlice(len(raw)/(4*cols), cols, bytesFloat(raw))
	probs := mat.New(x.Rows, net.Outputs())
	net.Predict(probs, x)
	if out != "" {
		if err := os.WriteFile(out, floatBytes(probs.Data), 0o644); err != nil {
			return err
		}
	}
	if ref == "" {
		return nil
	}
	rawRef, err := os.ReadFile(ref)
	if err != nil {
		return err
	}
	want := bytesFloat(rawRef)
	if len(want) != len(probs.Data) {
		return fmt.Errorf("%s: %d values, gomlp gives %d", ref, len(want), len(probs.Data))
	}
	maxDiff, argmaxDiff := 0.0, 0
	for i := 0; i < x.Rows; i++ {
		got, exp := probs.Row(i), want[i*probs.Cols:(i+1)*probs.Cols]
		for j := range got {
			maxDiff = math.Max(maxDiff, math.Abs(float64(got[j]-exp[j])))
		}
		if argmax(got) != argmax(exp) {
			argmaxDiff++
		}
	}
	fmt.Printf("%s: %d rows, max |gomlp - reference| = %.3g, argmax differs on %d\n", model, x.Rows, maxDiff, argmaxDiff)
	if !(maxDiff <= tol) || argmaxDiff > 0 {
		return fmt.Errorf("%s: differs from %s (tolerance %g, argmax identical required)", model, ref, tol)
	}
	return nil
}

func load(path string) (*layers.Network, error) {
	head := make([]byte, 512)
	if f, err := os.Open(path); err == nil {
		n, _ := f.Read(head)
		f.Close()
		head = head[:n]
	}
	if onnx.LooksLikeModel(head) {
		m, err := onnx.ReadFile(path)
		if err != nil {
			return nil, err
		}
		net, _, err := onnxnet.Import(m)
		return net, err
	}
	c, err := ckpt.Load(path)
	if err != nil {
		return nil, err
	}
	return train.LoadNetwork(c)
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

func floatBytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func bytesFloat(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

func everyActivation(path string) error {
	acts := []layers.Activation{layers.ActReLU, layers.ActTanh, layers.ActSigmoid, layers.ActLeakyReLU, layers.ActGELU}
	spec := layers.Spec{Inputs: mnist.Pixels, Hidden: []int{64, 64, 64, 64, 64}, Outputs: mnist.NumClasses, Keep: 1, InputKeep: 1, Activations: acts, Normalize: true}
	net, err := spec.Build(7)
	if err != nil {
		return err
	}
	trainSet, _, err := mnist.Load(context.Background(), mnist.Options{})
	if err != nil {
		return err
	}
	if err := net.FitNormalizer(trainSet.X); err != nil {
		return err
	}
	meta := spec.Meta()
	meta["writer"] = "gomlp"
	c := &ckpt.Checkpoint{Metadata: meta}
	for _, t := range net.Tensors() {
		c.Tensors = append(c.Tensors, ckpt.Tensor{Name: t.Name, Shape: t.Shape, DType: ckpt.Float32, Data: t.Data})
	}
	return ckpt.Save(path, c)
}
