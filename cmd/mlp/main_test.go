package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/train"
)

// noData makes any attempt to load MNIST fail the test: bad input must be
// refused before data is touched.
func noData(t *testing.T) {
	t.Helper()
	old := loadData
	loadData = func(context.Context, string, io.Writer, bool) (train.Dataset, train.Dataset, error) {
		t.Errorf("reached data loading")
		return train.Dataset{}, train.Dataset{}, fmt.Errorf("no data in this test")
	}
	t.Cleanup(func() { loadData = old })
}

// mlp runs a command line and returns its exit status, stdout and stderr.
func mlp(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	rc := run(args, &out, &errOut)
	return rc, out.String(), errOut.String()
}

// Every failure is one line on stderr starting with "mlp: ", status 1.
func TestErrorsAreOneLine(t *testing.T) {
	noData(t)
	dir := t.TempDir()
	notModel := filepath.Join(dir, "x.gmlp")
	if err := os.WriteFile(notModel, []byte("PK\x03\x04 a zip, not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"frobnicate"},
		{"train", "-bogus"},
		{"train", "-epochs", "0"},
		{"train", "-batch", "-3"},
		{"train", "-val", "60000"},
		{"train", "-strict"},
		{"train", "-hidden", "256,x"},
		{"train", "-keep", "1.5", "-data", dir},
		{"train", "-schedule", "linear", "-data", dir},
		{"train", "-resume", notModel},
		{"train", "-resume", notModel, "-lr", "0.1"},
		{"train", "stray"},
		{"eval", "-model", filepath.Join(dir, "missing.gmlp")},
		{"eval", "-model", notModel},
		{"eval", "extra"},
		{"predict"},
		{"predict", "-top", "11", "a.png"},
		{"predict", filepath.Join(dir, "missing.png")},
		{"predict", notModel},
		{"inspect", notModel},
		{"inspect"},
		{"serve", "-max-batch", "0"},
		{"serve", "-model", filepath.Join(dir, "missing.gmlp")},
		{"serve", "-model", notModel},
		{"serve", "stray"},
	} {
		rc, _, stderr := mlp(args...)
		if rc != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "mlp: ") {
			t.Errorf("mlp %s: status %d, stderr %q; want 1 and one line starting \"mlp: \"", strings.Join(args, " "), rc, stderr)
		}
	}
}

func TestHelp(t *testing.T) {
	if rc, out, _ := mlp("help"); rc != 0 || !strings.Contains(out, "mlp train [flags]") {
		t.Errorf("mlp help: %d %q", rc, out)
	}
	for _, cmd := range []string{"train", "eval", "predict", "inspect"} {
		rc, out, errOut := mlp(cmd, "-h")
		if rc != 0 || !strings.HasPrefix(out, "usage: mlp "+cmd) || errOut != "" {
			t.Errorf("mlp %s -h: status %d, stdout %q, stderr %q", cmd, rc, out, errOut)
		}
	}
	if rc, out, _ := mlp("train", "-h"); rc != 0 || !strings.Contains(out, "-keep") || !strings.Contains(out, "-init") {
		t.Errorf("mlp train -h does not explain -keep and -init:\n%s", out)
	}
	if rc, _, errOut := mlp(); rc != 2 || !strings.Contains(errOut, "Usage:") {
		t.Errorf("mlp without arguments: %d %q", rc, errOut)
	}
}

func TestScheduleInEpochs(t *testing.T) {
	for in, want := range map[string]string{
		"constant":      "constant",
		"cosine":        "cosine:4300:0",
		"cosine:0.01":   "cosine:4300:0.01",
		"step:5:0.5":    "step:2150:0.5",
		"exp:1:0.9":     "exp:430:0.9",
		"step:0.5:0.1":  "step:215:0.1",
		"exp:0.001:0.9": "exp:1:0.9",
	} {
		s, err := train.EpochSchedule(in, 10, 430)
		if err != nil || s.String() != want {
			t.Errorf("%q: got %v, %v; want %s", in, s, err, want)
		}
	}
	for _, bad := range []string{"linear", "cosine:1:2", "step:5", "step:-1:0.5", "exp:x:0.9", "step:5:2", "constant:1"} {
		if _, err := train.EpochSchedule(bad, 10, 430); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// predict classifies image files with a saved network: here one whose
// output follows the image's mean brightness, so the answer is known.
func TestPredictImages(t *testing.T) {
	dir := t.TempDir()
	model := saveToyModel(t, dir)
	img := image.NewGray(image.Rect(0, 0, 60, 90))
	for y := 10; y < 80; y++ {
		for x := 25; x < 35; x++ {
			img.SetGray(x, y, color.Gray{255})
		}
	}
	path := filepath.Join(dir, "one.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rc, out, errOut := mlp("predict", "-model", model, "-top", "2", path)
	if rc != 0 {
		t.Fatalf("status %d: %s", rc, errOut)
	}
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `: 3  \(3 [0-9.]+%, [0-9] [0-9.]+%\)\n$`)
	if !re.MatchString(out) {
		t.Errorf("output %q does not match %v", out, re)
	}
}

// saveToyModel writes a 784-10 network (no hidden layer) whose weights make
// class 3 win for any bright pixel: all weights 0 except column 3.
func saveToyModel(t *testing.T, dir string) string {
	spec := layers.Spec{Inputs: mnist.Pixels, Outputs: mnist.NumClasses, Keep: 1, InputKeep: 1}
	net, err := spec.Build(1)
	if err != nil {
		t.Fatal(err)
	}
	ts := net.Tensors()
	for _, tn := range ts {
		clear(tn.Data)
		if tn.Name == "dense_0/weights" {
			for i := 0; i < mnist.Pixels; i++ {
				tn.Data[i*mnist.NumClasses+3] = 0.1
			}
		}
	}
	c := &ckpt.Checkpoint{Metadata: spec.Meta()}
	for _, tn := range ts {
		c.Tensors = append(c.Tensors, ckpt.Tensor{Name: tn.Name, Shape: tn.Shape, Data: tn.Data})
	}
	path := filepath.Join(dir, "toy.gmlp")
	if err := ckpt.Save(path, c); err != nil {
		t.Fatal(err)
	}
	return path
}

// An error line is capped, on a rune boundary, saying how much was cut.
func TestCapLine(t *testing.T) {
	long := strings.Repeat("é", 3000) // 6000 bytes
	got := capLine(long, 2001)
	if !strings.HasPrefix(got, strings.Repeat("é", 1000)+"…") || !strings.HasSuffix(got, "(4000 more bytes)") {
		t.Errorf("capLine: %.40q…%q", got, got[len(got)-30:])
	}
	if capLine("short", 10) != "short" {
		t.Error("a short line was changed")
	}
}
