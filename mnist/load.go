package mnist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gomlp/gomlp/internal/regular"
)

// Options say where Load looks for the files and how it reports progress.
// The zero value looks in $MNIST_DIR and the user cache only: Load touches
// the network only when Download is set.
type Options struct {
	// Dir is a directory holding the four files (the command line's -data
	// flag), tried first, before $MNIST_DIR. The files may be gzipped, as
	// published, or not.
	Dir string

	// CacheDir keeps fetched files; "" means os.UserCacheDir()/gomlp/mnist.
	CacheDir string

	// Download lets Load fetch missing files from the mirrors and, as a
	// last resort, the Go module (with the go command). Without it Load
	// looks only in Dir, $MNIST_DIR and the cache.
	Download bool

	// Mirrors are the base URLs to download from, in order; nil means
	// DefaultMirrors, an empty slice none.
	Mirrors []string

	// Client makes the downloads; nil means http.DefaultClient. Load
	// abandons a download that receives nothing for 30 seconds.
	Client *http.Client

	// Progress, if set, is called as a download proceeds, on the goroutine
	// that called Load: first with Done = 0 and, if all goes well, last
	// with Done = Total.
	Progress func(Progress)

	// Log, if set, receives a line for each download, each file saved to
	// the cache and each source that failed before one served (a cache
	// that lacks the file, the usual first run, is not logged).
	Log func(msg string)
}

// Progress reports how far the download of one file has come. Total is the
// file's known size.
type Progress struct {
	File, URL   string
	Done, Total int64
}

// NotFoundError reports that no source gave a good copy of a file. Its
// message, one line, lists every place Load tried and why each failed.
type NotFoundError struct {
	File  string
	Tried []Attempt
}

// Attempt is one place Load tried, and why it did not serve.
type Attempt struct {
	Source string
	Err    error
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mnist: found no good copy of %s; tried", e.File)
	for i, a := range e.Tried {
		sep := ";"
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s %s: %v", sep, a.Source, a.Err)
	}
	fmt.Fprintf(&b, ". To fix: download the four MNIST files (e.g. from %s) into a directory and set $MNIST_DIR (or -data) to it", DefaultMirrors[0])
	return b.String()
}

// quietError is a failure not worth a log line: the place is not set up,
// lacks the file altogether or failed before, as opposed to one that holds
// a bad copy or cannot be reached.
type quietError string

func (e quietError) Error() string { return string(e) }

func isQuiet(err error) bool {
	var q quietError
	return errors.As(err, &q)
}

// Load returns the MNIST training set (60,000 examples) and test set
// (10,000), trying each source in the order the package documentation
// gives until every file has been found with the right SHA-256. The
// context bounds downloads and the go command; cancelling it stops Load.
// Errors are one line; when no source has a file, the error is a
// *NotFoundError.
func Load(ctx context.Context, opt Options) (train, test Dataset, err error) {
	return newLoader(opt).load(ctx)
}

func newLoader(opt Options) *loader {
	l := &loader{
		Options:     opt,
		files:       mnistFiles,
		goModule:    GoModule,
		goTimeout:   5 * time.Minute,
		idleTimeout: 30 * time.Second,
		envDir:      os.Getenv("MNIST_DIR"),
	}
	if path, err := exec.LookPath("go"); err == nil {
		l.goCmd = path
	}
	return l
}

// loader holds one Load's settings; the tests build their own, with
// generated files and short timeouts.
type loader struct {
	Options
	files       [4]file
	envDir      string
	goCmd       string // "" when there is none
	goModule    string
	goTimeout   time.Duration
	idleTimeout time.Duration

	modDir, modFailed string // go module's directory, or why it failed
	deadMirror        map[string]error
}

// source is one place a file can come from.
type source struct {
	name  string
	fetch func(ctx context.Context, f file) (data []byte, origin string, err error)
	save  bool // copy what it gives into the cache
}

// blob is a verified file and where it came from, for messages.
type blob struct {
	data   []byte
	origin string
}

func (l *loader) load(ctx context.Context) (train, test Dataset, err error) {
	sources := l.sources()
	var blobs [4]blob
	for i, f := range l.files {
		if blobs[i], err = l.find(ctx, sources, f); err != nil {
			return Dataset{}, Dataset{}, err
		}
	}
	// Decompressing and converting dominate; the four files go in parallel.
	var sets [2]Dataset
	var errs [4]error
	var wg sync.WaitGroup
	for i, b := range blobs {
		wg.Go(func() {
			r := bytes.NewReader(b.data)
			if i%2 == 0 {
				sets[i/2].X, errs[i] = ReadImages(r)
			} else {
				var y []uint8
				y, errs[i] = ReadLabels(r)
				sets[i/2].Y = labelsToInt(y)
			}
			if errs[i] != nil {
				errs[i] = fmt.Errorf("mnist: %s: %v", b.origin, errs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return Dataset{}, Dataset{}, err
	}
	for i, s := range sets {
		if s.X.Rows != len(s.Y) {
			return Dataset{}, Dataset{}, fmt.Errorf("mnist: %s has %d images but %s has %d labels",
				blobs[2*i].origin, s.X.Rows, blobs[2*i+1].origin, len(s.Y))
		}
	}
	return sets[0], sets[1], nil
}

// sources lists the places to look, in order.
func (l *loader) sources() []source {
	var s []source
	fromDir := func(dir string) func(context.Context, file) ([]byte, string, error) {
		return func(_ context.Context, f file) ([]byte, string, error) { return readFromDir(dir, f) }
	}
	if l.Dir != "" {
		s = append(s, source{name: "directory " + l.Dir, fetch: fromDir(l.Dir)})
	}
	switch {
	case l.envDir == "":
		s = append(s, source{name: "$MNIST_DIR", fetch: fail(quietError("not set"))})
	case filepath.Clean(l.envDir) != filepath.Clean(l.Dir):
		s = append(s, source{name: "$MNIST_DIR=" + l.envDir, fetch: fromDir(l.envDir)})
	}
	if dir, err := l.cacheDir(); err != nil {
		s = append(s, source{name: "cache", fetch: fail(err)})
	} else {
		s = append(s, source{name: "cache " + dir, fetch: func(_ context.Context, f file) ([]byte, string, error) {
			p := filepath.Join(dir, f.name+".gz")
			data, err := readVerified(p, f.gzSize, f.gzSHA256)
			return data, p, err
		}})
	}
	if !l.Download {
		return append(s, source{name: "downloads", fetch: fail(quietError("not asked for (Options.Download)"))})
	}
	mirrors := l.Mirrors
	if mirrors == nil {
		mirrors = DefaultMirrors
	}
	for _, m := range mirrors {
		base := strings.TrimSuffix(m, "/") + "/"
		s = append(s, source{name: base, save: true, fetch: func(ctx context.Context, f file) ([]byte, string, error) {
			return l.download(ctx, base, f)
		}})
	}
	return append(s, source{name: "go module " + l.goModule, save: true, fetch: l.fromGoModule})
}

func fail(err error) func(context.Context, file) ([]byte, string, error) {
	return func(context.Context, file) ([]byte, string, error) { return nil, "", err }
}

func (l *loader) cacheDir() (string, error) {
	if l.CacheDir != "" {
		return l.CacheDir, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "gomlp", "mnist"), nil
}

// find tries the sources in order for one file.
func (l *loader) find(ctx context.Context, sources []source, f file) (blob, error) {
	var tried []Attempt
	for _, s := range sources {
		if err := ctx.Err(); err != nil {
			return blob{}, fmt.Errorf("mnist: looking for %s.gz: %w", f.name, err)
		}
		data, origin, err := s.fetch(ctx, f)
		if err == nil {
			if s.save {
				l.saveToCache(f, data)
			}
			return blob{data, origin}, nil
		}
		tried = append(tried, Attempt{s.name, err})
		if !isQuiet(err) {
			l.logf("mnist: %s.gz: %s: %v; trying the next source", f.name, s.name, err)
		}
	}
	return blob{}, &NotFoundError{File: f.name + ".gz", Tried: tried}
}

func (l *loader) saveToCache(f file, data []byte) {
	dir, err := l.cacheDir()
	if err == nil {
		err = writeAtomic(dir, f.name+".gz", data)
	}
	if err != nil {
		l.logf("mnist: could not cache %s.gz: %v", f.name, err)
		return
	}
	l.logf("mnist: saved %s", filepath.Join(dir, f.name+".gz"))
}

func (l *loader) logf(format string, args ...any) {
	if l.Log != nil {
		l.Log(fmt.Sprintf(format, args...))
	}
}

// readFromDir reads a file from a user's directory, gzipped or not, under
// the usual names or the dotted one some copies use
// (train-images.idx3-ubyte).
func readFromDir(dir string, f file) ([]byte, string, error) {
	if info, err := os.Stat(dir); err != nil {
		return nil, "", err
	} else if !info.IsDir() {
		return nil, "", fmt.Errorf("%s: not a directory", dir)
	}
	dotted := strings.Replace(f.name, "-idx", ".idx", 1)
	var firstErr error
	for _, c := range []struct {
		name   string
		size   int64
		sha256 string
	}{{f.name + ".gz", f.gzSize, f.gzSHA256}, {f.name, f.size, f.sha256}, {dotted, f.size, f.sha256}} {
		p := filepath.Join(dir, c.name)
		data, err := readVerified(p, c.size, c.sha256)
		if err == nil {
			return data, p, nil
		}
		if firstErr == nil && !isQuiet(err) {
			firstErr = err
		}
	}
	if firstErr != nil {
		return nil, "", firstErr
	}
	return nil, "", fmt.Errorf("no %s.gz or %s", f.name, f.name)
}

// readVerified reads path, which must be a regular file with the given
// size and SHA-256.
func readVerified(path string, size int64, sum string) ([]byte, error) {
	fh, err := regular.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, quietError("no file " + path)
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() != size {
		return nil, fmt.Errorf("%s: %d bytes, want %d (truncated, or not the MNIST file)", path, info.Size(), size)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(fh, data); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if err := checkSum(data, sum); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return data, nil
}

// labelsToInt widens IDX label bytes to the label type of Dataset.
func labelsToInt(y []uint8) []int {
	out := make([]int, len(y))
	for i, v := range y {
		out[i] = int(v)
	}
	return out
}
