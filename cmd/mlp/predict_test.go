package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
)

func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := h / 4; y < 3*h/4; y++ {
		img.SetGray(w/2, y, color.Gray{255})
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// A file name cannot forge a result line: names with a newline or
// invisible characters are quoted.
func TestPredictQuotesNames(t *testing.T) {
	dir := t.TempDir()
	model := saveToyModel(t, dir)
	forged := filepath.Join(dir, "a.png: 7  (7 100.0%)\nb.png")
	writePNG(t, forged, 28, 28)
	rc, out, errOut := mlp("predict", "-model", model, forged)
	if rc != 0 {
		t.Fatalf("status %d: %s", rc, errOut)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, `"`) || !strings.Contains(out, `\nb.png": 3`) {
		t.Errorf("output %q: want one line with the name quoted", out)
	}
}

// A directory, or an image larger than -max-pixels, is refused with a
// message that says so; -max-pixels raises the limit.
func TestPredictRefusals(t *testing.T) {
	dir := t.TempDir()
	model := saveToyModel(t, dir)
	big := filepath.Join(dir, "big.png")
	writePNG(t, big, 300, 200)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{dir}, dir + " is a directory, not a regular file"},
		{[]string{"-max-pixels", "50000", big}, "300×200 is 60000 pixels, more than the limit of 50000 (raise it with -max-pixels)"},
		{[]string{"-max-pixels", "0", big}, "-max-pixels 0: must be at least 1"},
	} {
		rc, _, errOut := mlp(append([]string{"predict", "-model", model}, c.args...)...)
		if rc != 1 || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("predict %v: status %d, %q; want %q", c.args, rc, errOut, c.want)
		}
	}
	if rc, out, errOut := mlp("predict", "-model", model, "-max-pixels", "60000", big); rc != 0 || !strings.Contains(out, ": 3") {
		t.Errorf("-max-pixels 60000: status %d, %q %q", rc, out, errOut)
	}
}

// Names that differ only by invisible characters do not look the same in
// inspect: they are shown quoted, with escapes.
func TestInspectEscapesInvisibleNames(t *testing.T) {
	c := &ckpt.Checkpoint{Metadata: map[string]string{"k\u00a0ey": "v"}, Tensors: []ckpt.Tensor{
		{Name: "w", Shape: []int{1}, Data: []float32{1}},
		{Name: "w\u200b", Shape: []int{1}, Data: []float32{2}},
		{Name: "\ufeffw", Shape: []int{1}, Data: []float32{3}},
	}}
	path, _ := writeCheckpoint(t, c)
	out, err := inspect(t, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"w\u200b"`, `"\ufeffw"`, `"k\u00a0ey"`, "\n  w "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
