//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls out until re matches, for up to a minute.
func waitFor(t *testing.T, out *syncBuffer, re *regexp.Regexp) []string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m
		}
	}
	t.Fatalf("no %v in output %q", re, out.String())
	return nil
}

// mlp serve answers, reloads on SIGHUP (keeping the old network when the
// file went bad), and stops cleanly on SIGTERM.
func TestServeCommand(t *testing.T) {
	dir := t.TempDir()
	model := saveToyModel(t, dir)
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- runServe([]string{"-model", model, "-addr", "127.0.0.1:0"}, &stdout, &stderr) }()
	addr := waitFor(t, &stdout, regexp.MustCompile(`on http://(127\.0\.0\.1:\d+)/`))[1]
	base := "http://" + addr

	post := func(ctype string, body []byte) (int, string) {
		t.Helper()
		resp, err := http.Post(base+"/v1/predict", ctype, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	row := make([]float32, 784)
	row[100] = 1
	body, _ := json.Marshal(map[string]any{"inputs": [][]float32{row}})
	if code, out := post("application/json", body); code != 200 || !strings.HasPrefix(out, `{"classes":[3],`) {
		t.Errorf("predict: %d %s", code, out)
	}
	if code, out := post("application/json", []byte(`{"inputs": [[1, 2]]}`)); code != 400 || !strings.Contains(out, "takes 784") {
		t.Errorf("narrow row: %d %s", code, out)
	}
	img := image.NewGray(image.Rect(0, 0, 40, 60))
	for y := 10; y < 50; y++ {
		img.SetGray(20, y, color.Gray{255})
		img.SetGray(21, y, color.Gray{255})
	}
	var pngBody bytes.Buffer
	png.Encode(&pngBody, img)
	if code, out := post("image/png", pngBody.Bytes()); code != 200 || !strings.Contains(out, `"inputs":[[`) {
		t.Errorf("image: %d %.100s", code, out)
	}

	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, &stdout, regexp.MustCompile(`reloaded `))
	if err := os.WriteFile(model, []byte("not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	waitFor(t, &stderr, regexp.MustCompile(`mlp: reload: .*still serving the previous network`))
	if code, _ := post("application/json", body); code != 200 {
		t.Errorf("after a failed reload: status %d", code)
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(metrics, []byte("mlp_model_reloads_total 1\n")) {
		t.Errorf("metrics:\n%s", metrics)
	}

	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil || !strings.HasSuffix(stdout.String(), "stopped\n") {
			t.Errorf("serve returned %v, output %q", err, stdout.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("serve did not stop on SIGTERM")
	}
}

// -show-input draws what the network saw under each answer.
func TestPredictShowInput(t *testing.T) {
	dir := t.TempDir()
	model := saveToyModel(t, dir)
	img := image.NewGray(image.Rect(0, 0, 60, 90))
	for y := 10; y < 80; y++ {
		for x := 25; x < 35; x++ {
			img.SetGray(x, y, color.Gray{255})
		}
	}
	path := filepath.Join(dir, "one.png")
	var buf bytes.Buffer
	png.Encode(&buf, img)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rc, out, errOut := mlp("predict", "-model", model, "-show-input", path)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if rc != 0 || len(lines) != 15 || !strings.HasPrefix(lines[0], path+": 3") {
		t.Fatalf("status %d, stderr %q, output:\n%s", rc, errOut, out)
	}
	// A bar 20 rows tall (two per line) in the middle columns; its ends may
	// fall a row either way.
	for i, l := range lines[1:] {
		if len(l) != 28 {
			t.Fatalf("line %d is %d wide: %q", i+1, len(l), l)
		}
		bright := strings.ContainsAny(l[12:16], "#%@")
		mustBe, mustNot := i >= 3 && i < 11, i < 1 || i > 12
		if mustBe && !bright || mustNot && bright {
			t.Errorf("line %d %q: bright in the middle = %v", i+1, l, bright)
		}
	}
}

// With -watch, saving a new model file is enough.
func TestServeWatchesTheModelFile(t *testing.T) {
	dir := t.TempDir()
	model := saveToyModel(t, dir)
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runServe([]string{"-model", model, "-addr", "127.0.0.1:0", "-watch", "20ms"}, &stdout, &stderr)
	}()
	waitFor(t, &stdout, regexp.MustCompile(`on http://`))
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(model, later, later); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &stdout, regexp.MustCompile(`reloaded `))
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}
