package mnist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixture is a small generated data set: 5 training and 3 test examples,
// with a checksum table that describes these files instead of MNIST's.
type fixture struct {
	files [4]file
	raw   map[string][]byte // by file name without .gz
	gz    map[string][]byte
}

var trainLabels = []uint8{5, 0, 4, 1, 9}
var testLabels = []uint8{7, 2, 1}

func newFixture(raws ...[]byte) *fixture {
	if raws == nil {
		raws = [][]byte{imageIDX(5, 1), labelIDX(trainLabels...), imageIDX(3, 2), labelIDX(testLabels...)}
	}
	fx := &fixture{raw: map[string][]byte{}, gz: map[string][]byte{}}
	for i, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		raw := raws[i]
		z := gz(raw)
		fx.raw[name], fx.gz[name] = raw, z
		fx.files[i] = file{name, int64(len(z)), int64(len(raw)), hexSum(z), hexSum(raw)}
	}
	return fx
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// writeDir writes the fixture's gzip files (or raw ones) into a new directory.
func (fx *fixture) writeDir(t *testing.T, raw bool) string {
	dir := t.TempDir()
	for _, f := range fx.files {
		name, data := f.name+".gz", fx.gz[f.name]
		if raw {
			name, data = f.name, fx.raw[f.name]
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mirror is a test server that serves the fixture's gzip files and counts
// requests; bad, if set, replaces what it sends for a file.
type mirror struct {
	*httptest.Server
	mu   sync.Mutex
	hits int
	bad  map[string]func(w http.ResponseWriter, r *http.Request)
}

func (fx *fixture) serve(t *testing.T) *mirror {
	m := &mirror{bad: map[string]func(http.ResponseWriter, *http.Request){}}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.hits++
		bad := m.bad[strings.TrimPrefix(r.URL.Path, "/mnist/")]
		m.mu.Unlock()
		if bad != nil {
			bad(w, r)
			return
		}
		data, ok := fx.gz[strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/mnist/"), ".gz")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *mirror) base() string { return m.URL + "/mnist/" }

func (m *mirror) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits
}

// testLoader looks nowhere but where the test says: no $MNIST_DIR, no go
// command, no mirrors, an empty cache.
func (fx *fixture) loader(t *testing.T) *loader {
	return &loader{
		Options:     Options{CacheDir: t.TempDir(), Mirrors: []string{}, Download: true},
		files:       fx.files,
		goModule:    "example.com/nothing@v1.0.0",
		goTimeout:   time.Minute,
		idleTimeout: 5 * time.Second,
	}
}

// checkSets verifies the loaded sets against the fixture.
func (fx *fixture) checkSets(t *testing.T, train, test Dataset, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		d      Dataset
		images string
		labels []uint8
	}{{train, "train-images-idx3-ubyte", trainLabels}, {test, "t10k-images-idx3-ubyte", testLabels}} {
		if !sameLabels(c.d.Y, c.labels) || c.d.X.Rows != len(c.labels) || c.d.X.Cols != Pixels {
			t.Fatalf("got %d×%d images, labels %v; want %d, %v", c.d.X.Rows, c.d.X.Cols, c.d.Y, len(c.labels), c.labels)
		}
		for i, v := range c.d.X.Data {
			if want := float32(fx.raw[c.images][16+i]) / 255; v != want {
				t.Fatalf("%s pixel %d = %v, want %v", c.images, i, v, want)
			}
		}
	}
}

func TestLoadFromDir(t *testing.T) {
	fx := newFixture()
	for _, raw := range []bool{false, true} {
		l := fx.loader(t)
		l.Dir = fx.writeDir(t, raw)
		train, test, err := l.load(context.Background())
		fx.checkSets(t, train, test, err)
		if entries, _ := os.ReadDir(l.CacheDir); len(entries) != 0 {
			t.Errorf("files from a directory were copied into the cache: %v", entries)
		}
	}
}

func TestLoadDottedNames(t *testing.T) {
	fx := newFixture()
	dir := fx.writeDir(t, true)
	for _, f := range fx.files {
		os.Rename(filepath.Join(dir, f.name), filepath.Join(dir, strings.Replace(f.name, "-idx", ".idx", 1)))
	}
	l := fx.loader(t)
	l.envDir = dir
	train, test, err := l.load(context.Background())
	fx.checkSets(t, train, test, err)
}

// The sources are tried in order: Dir, $MNIST_DIR, cache, mirrors.
func TestSourceOrder(t *testing.T) {
	fx := newFixture()
	m := fx.serve(t)
	l := fx.loader(t)
	l.Mirrors = []string{m.base()}
	var origins []string
	load := func() {
		t.Helper()
		sources := l.sources()
		origins = origins[:0]
		for _, f := range l.files {
			b, err := l.find(context.Background(), sources, f)
			if err != nil {
				t.Fatal(err)
			}
			origins = append(origins, b.origin)
		}
	}
	from := func(want string) {
		t.Helper()
		for _, o := range origins {
			if !strings.HasPrefix(o, want) {
				t.Fatalf("file came from %s, want %s", o, want)
			}
		}
	}

	// Empty cache: downloaded, and then cached.
	load()
	from(m.URL)
	if m.count() != 4 {
		t.Fatalf("%d requests, want 4", m.count())
	}
	for _, f := range fx.files {
		if got, _ := os.ReadFile(filepath.Join(l.CacheDir, f.name+".gz")); hexSum(got) != f.gzSHA256 {
			t.Fatalf("%s not cached correctly", f.name)
		}
	}
	// Now the cache serves.
	load()
	from(l.CacheDir)
	// $MNIST_DIR beats the cache, Dir beats $MNIST_DIR.
	l.envDir = fx.writeDir(t, false)
	load()
	from(l.envDir)
	l.Dir = fx.writeDir(t, true)
	load()
	from(l.Dir)
	if m.count() != 4 {
		t.Fatalf("%d requests, want still 4", m.count())
	}
	// A bad copy in a directory falls through to the next source.
	os.WriteFile(filepath.Join(l.envDir, fx.files[0].name+".gz"), []byte("junk"), 0o644)
	l.Dir = ""
	load()
	if !strings.HasPrefix(origins[0], l.CacheDir) || !strings.HasPrefix(origins[1], l.envDir) {
		t.Fatalf("got files from %v", origins)
	}
}

// A cached file that fails its checksum is replaced by a download.
func TestCorruptCacheIsReplaced(t *testing.T) {
	fx := newFixture()
	m := fx.serve(t)
	l := fx.loader(t)
	l.Mirrors = []string{m.base()}
	var logs []string
	l.Log = func(s string) { logs = append(logs, s) }
	name := filepath.Join(l.CacheDir, fx.files[1].name+".gz")
	good := fx.gz[fx.files[1].name]
	bad := with(good, len(good)-8, good[len(good)-8]^1) // same size, wrong digest
	os.WriteFile(name, bad, 0o644)

	train, test, err := l.load(context.Background())
	fx.checkSets(t, train, test, err)
	if got, _ := os.ReadFile(name); hexSum(got) != fx.files[1].gzSHA256 {
		t.Error("bad cache file was not replaced")
	}
	if log := strings.Join(logs, "\n"); !strings.Contains(log, "SHA-256") || !strings.Contains(log, "saved "+name) {
		t.Errorf("log does not tell about the bad copy and the new one:\n%s", log)
	}
}

// Downloads that go wrong leave nothing in the cache and say why.
func TestDownloadFailures(t *testing.T) {
	fx := newFixture()
	name := fx.files[0].name
	good := fx.gz[name]
	cases := []struct {
		name string
		send func(w http.ResponseWriter, r *http.Request)
		want string
	}{
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, "HTTP 404 Not Found"},
		{"wrong digest", func(w http.ResponseWriter, r *http.Request) {
			w.Write(with(good, 20, good[20]^1))
		}, "SHA-256"},
		{"wrong length", func(w http.ResponseWriter, r *http.Request) { w.Write(good[1:]) }, fmt.Sprintf("server offers %d bytes, want %d", len(good)-1, len(good))},
		{"too long, unannounced", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Transfer-Encoding", "chunked")
			w.(http.Flusher).Flush()
			w.Write(append(good, 0))
		}, fmt.Sprintf("got %d bytes, want %d", len(good)+1, len(good))},
		{"cut off", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(good)))
			w.Write(good[:len(good)/2])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}, fmt.Sprintf("after %d of %d bytes", len(good)/2, len(good))},
		{"stalls", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(len(good)))
			w.Write(good[:100])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, "no data for 200ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := fx.serve(t)
			m.bad[name+".gz"] = c.send
			l := fx.loader(t)
			l.Mirrors = []string{m.base()}
			l.idleTimeout = 200 * time.Millisecond
			_, _, err := l.load(context.Background())
			var nf *NotFoundError
			if !errors.As(err, &nf) || nf.File != name+".gz" {
				t.Fatalf("got %v, want a NotFoundError for %s", err, name)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			if entries, _ := os.ReadDir(l.CacheDir); len(entries) != 0 {
				t.Errorf("failed download left %v in the cache", entries)
			}
		})
	}
}

// The second mirror serves when the first cannot.
func TestMirrorFallback(t *testing.T) {
	fx := newFixture()
	dead := fx.serve(t)
	dead.Close() // connection refused
	broken := fx.serve(t)
	broken.bad[fx.files[2].name+".gz"] = func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) }
	good := fx.serve(t)
	l := fx.loader(t)
	l.Mirrors = []string{dead.base(), broken.base(), good.base()}
	train, test, err := l.load(context.Background())
	fx.checkSets(t, train, test, err)
	if broken.count() != 4 || good.count() != 1 {
		t.Errorf("requests: %d to the broken mirror (want 4), %d to the good one (want 1)", broken.count(), good.count())
	}
	if l.deadMirror[dead.base()] == nil {
		t.Error("unreachable mirror not remembered")
	}
}

func TestProgress(t *testing.T) {
	fx := newFixture(imageIDX(300, 1), labelIDX(trainLabels...), imageIDX(3, 2), labelIDX(testLabels...))
	m := fx.serve(t)
	l := fx.loader(t)
	l.Mirrors = []string{m.base()}
	size := map[string]int64{}
	for _, f := range fx.files {
		size[f.name+".gz"] = f.gzSize
	}
	last := map[string]Progress{}
	l.Progress = func(p Progress) {
		prev, seen := last[p.File]
		if p.Total != size[p.File] || p.Done < prev.Done || p.Done > p.Total || !seen && p.Done != 0 {
			t.Errorf("progress %+v after %+v", p, prev)
		}
		last[p.File] = p
	}
	if _, _, err := l.load(context.Background()); err == nil || !strings.Contains(err.Error(), "5 labels") {
		t.Fatalf("want a count mismatch, got %v", err)
	}
	for _, f := range fx.files {
		p := last[f.name+".gz"]
		if p.Done != f.gzSize || p.Total != f.gzSize || p.URL != m.base()+f.name+".gz" {
			t.Errorf("last progress for %s: %+v", f.name, p)
		}
	}
}

// With nothing anywhere, the error names every place and how to fix it.
func TestNotFoundListsEverySource(t *testing.T) {
	fx := newFixture()
	m := fx.serve(t)
	m.Close()
	l := fx.loader(t)
	l.Dir = filepath.Join(t.TempDir(), "missing")
	l.envDir = t.TempDir()
	l.Mirrors = []string{m.base(), "http://127.0.0.1:1/"}
	_, _, err := l.load(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"found no good copy of train-images-idx3-ubyte.gz",
		"directory " + l.Dir + ": stat " + l.Dir,
		"$MNIST_DIR=" + l.envDir + ": no train-images-idx3-ubyte.gz or train-images-idx3-ubyte;",
		"cache " + l.CacheDir + ": no file " + filepath.Join(l.CacheDir, "train-images-idx3-ubyte.gz"),
		m.base() + ": Get",
		"http://127.0.0.1:1/: Get",
		"go module example.com/nothing@v1.0.0: no go command on PATH",
		"set $MNIST_DIR (or -data)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}

	l.envDir = ""
	l.Download = false
	_, _, err = l.load(context.Background())
	if msg := fmt.Sprint(err); !strings.Contains(msg, "$MNIST_DIR: not set") || !strings.Contains(msg, "downloads: not asked for") || strings.Contains(msg, "go module") {
		t.Errorf("offline error: %s", msg)
	}
}

func TestCountMismatch(t *testing.T) {
	fx := newFixture(imageIDX(5, 1), labelIDX(trainLabels...), imageIDX(4, 2), labelIDX(testLabels...))
	l := fx.loader(t)
	l.Dir = fx.writeDir(t, false)
	_, _, err := l.load(context.Background())
	want := fmt.Sprintf("mnist: %s has 4 images but %s has 3 labels",
		filepath.Join(l.Dir, "t10k-images-idx3-ubyte.gz"), filepath.Join(l.Dir, "t10k-labels-idx1-ubyte.gz"))
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// A file that passes its checksum but is not valid IDX still fails cleanly,
// naming the file.
func TestBadContentNamesFile(t *testing.T) {
	fx := newFixture(imageIDX(5, 1), labelIDX(5, 0, 4, 11, 9), imageIDX(3, 2), labelIDX(testLabels...))
	l := fx.loader(t)
	l.Dir = fx.writeDir(t, true)
	_, _, err := l.load(context.Background())
	want := fmt.Sprintf("mnist: %s: label 3 is 11, not a digit 0..9", filepath.Join(l.Dir, "train-labels-idx1-ubyte"))
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestCacheWriteFailureIsNotFatal(t *testing.T) {
	fx := newFixture()
	m := fx.serve(t)
	l := fx.loader(t)
	l.Mirrors = []string{m.base()}
	l.CacheDir = filepath.Join(t.TempDir(), "file")
	os.WriteFile(l.CacheDir, nil, 0o644) // a file where the directory should be
	var logs []string
	l.Log = func(s string) { logs = append(logs, s) }
	train, test, err := l.load(context.Background())
	fx.checkSets(t, train, test, err)
	if !strings.Contains(strings.Join(logs, "\n"), "could not cache") {
		t.Errorf("log: %q", logs)
	}
}

func TestCancel(t *testing.T) {
	fx := newFixture()
	l := fx.loader(t)
	l.Dir = fx.writeDir(t, false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := l.load(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// fakeGo writes a script that acts as `go mod download -json` and counts
// its runs in a file.
func fakeGo(t *testing.T, output string) (path, runs string) {
	if runtime.GOOS == "windows" {
		t.Skip("needs a shell script as the go command")
	}
	dir := t.TempDir()
	path, runs = filepath.Join(dir, "go"), filepath.Join(dir, "runs")
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" >> %q\ncat <<'EOF'\n%s\nEOF\n", runs, output)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, runs
}

func TestGoModuleSource(t *testing.T) {
	fx := newFixture()
	modDir := t.TempDir()
	os.Mkdir(filepath.Join(modDir, "data"), 0o755)
	for _, f := range fx.files {
		os.WriteFile(filepath.Join(modDir, "data", f.name+".gz"), fx.gz[f.name], 0o444)
	}
	goCmd, runs := fakeGo(t, fmt.Sprintf(`{"Path": "x", "Dir": %q}`, modDir))
	dead := fx.serve(t)
	dead.Close()
	l := fx.loader(t)
	l.goCmd = goCmd
	l.Mirrors = []string{dead.base()}
	train, test, err := l.load(context.Background())
	fx.checkSets(t, train, test, err)
	if got, _ := os.ReadFile(runs); string(got) != "mod download -json example.com/nothing@v1.0.0\n" {
		t.Errorf("go command ran as %q, want once", got)
	}
	for _, f := range fx.files {
		p := filepath.Join(l.CacheDir, f.name+".gz")
		if got, _ := os.ReadFile(p); hexSum(got) != f.gzSHA256 {
			t.Errorf("%s not copied into the cache", p)
		}
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v, mode %v", p, err, info.Mode())
		}
	}
}

func TestGoModuleErrors(t *testing.T) {
	fx := newFixture()
	wrongDir := t.TempDir()
	os.Mkdir(filepath.Join(wrongDir, "data"), 0o755)
	os.WriteFile(filepath.Join(wrongDir, "data", fx.files[0].name+".gz"), []byte("not it"), 0o644)
	for _, c := range []struct{ output, want string }{
		{`{"Path": "x", "Error": "proxy says\nno"}`, "go mod download: proxy says no"},
		{`not json`, "go mod download: no module directory"},
		{fmt.Sprintf(`{"Dir": %q}`, wrongDir), "train-images-idx3-ubyte.gz: 6 bytes, want"},
	} {
		goCmd, _ := fakeGo(t, c.output)
		l := fx.loader(t)
		l.goCmd = goCmd
		_, _, err := l.load(context.Background())
		if err == nil || !strings.Contains(err.Error(), "go module example.com/nothing@v1.0.0: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}

func sameLabels(got []int, want []uint8) bool {
	if len(got) != len(want) {
		return false
	}
	for i, y := range want {
		if got[i] != int(y) {
			return false
		}
	}
	return true
}
