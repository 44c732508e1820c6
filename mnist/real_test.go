package mnist

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// realDir returns $MNIST_DIR, or skips the test when it is not set. A
// relative path is taken from the module root, where CI sets it
// (../shared/mnist), since go test runs in the package directory.
func realDir(tb testing.TB) string {
	dir := os.Getenv("MNIST_DIR")
	if dir == "" {
		tb.Skip("MNIST_DIR not set")
	}
	if filepath.IsAbs(dir) {
		return dir
	}
	root, err := filepath.Abs("..")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		tb.Fatalf("module root %s: %v", root, err)
	}
	return filepath.Join(root, dir)
}

// The published files are the ones the checksum table names.
func TestRealFilesMatchTable(t *testing.T) {
	dir := realDir(t)
	for _, f := range mnistFiles {
		data, err := os.ReadFile(filepath.Join(dir, f.name+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(data)) != f.gzSize || hexSum(data) != f.gzSHA256 {
			t.Errorf("%s: %d bytes, SHA-256 %s; table says %d, %s", f.name, len(data), hexSum(data), f.gzSize, f.gzSHA256)
		}
	}
}

func TestRealLoad(t *testing.T) {
	dir := realDir(t)
	train, test, err := Load(context.Background(), Options{Dir: dir, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != TrainSize || train.X.Rows != TrainSize || test.Len() != TestSize || test.X.Rows != TestSize {
		t.Fatalf("got %d/%d train and %d/%d test examples", train.Len(), train.X.Rows, test.Len(), test.X.Rows)
	}
	if train.Y[0] != 5 || test.Y[0] != 7 {
		t.Errorf("first labels %d and %d, want 5 and 7", train.Y[0], test.Y[0])
	}
	// The published class counts.
	wantTrain := []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	wantTest := []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}
	if got := train.ClassCounts(); !slices.Equal(got, wantTrain) {
		t.Errorf("training class counts %v, want %v", got, wantTrain)
	}
	if got := test.ClassCounts(); !slices.Equal(got, wantTest) {
		t.Errorf("test class counts %v, want %v", got, wantTest)
	}
	// Pixels lie in [0, 1] and average about 0.1307 (the usual
	// normalisation constant).
	var sum float64
	for _, v := range train.X.Data {
		if v < 0 || v > 1 {
			t.Fatalf("pixel %v outside [0, 1]", v)
		}
		sum += float64(v)
	}
	if mean := sum / float64(len(train.X.Data)); math.Abs(mean-0.1307) > 0.0005 {
		t.Errorf("mean pixel %.4f, want about 0.1307", mean)
	}
	first, val, err := train.Split(DefaultValSize)
	if err != nil || first.Len() != TrainSize-DefaultValSize || val.Len() != DefaultValSize {
		t.Errorf("validation split: %d + %d, %v", first.Len(), val.Len(), err)
	}
}

// Real downloads, only on request: MNIST_NETWORK_TEST=1 tries the mirrors
// and, separately, the Go module.
func TestRealNetwork(t *testing.T) {
	if os.Getenv("MNIST_NETWORK_TEST") == "" {
		t.Skip("set MNIST_NETWORK_TEST=1 to download from the mirrors and the Go module proxy")
	}
	t.Setenv("MNIST_DIR", "")
	logf := func(s string) { t.Log(s) }
	for _, m := range DefaultMirrors {
		t.Run(m, func(t *testing.T) {
			l := newLoader(Options{CacheDir: t.TempDir(), Mirrors: []string{m}, Log: logf})
			l.goCmd = "" // this mirror alone
			train, test, err := l.load(context.Background())
			if err != nil {
				t.Skip(err) // no internet here is not a failure of the code
			}
			if train.Len() != TrainSize || test.Len() != TestSize {
				t.Fatalf("%d, %d examples", train.Len(), test.Len())
			}
		})
	}
	t.Run("go module", func(t *testing.T) {
		cache := t.TempDir()
		train, test, err := Load(context.Background(), Options{CacheDir: cache, Mirrors: []string{}, Log: logf})
		if err != nil {
			t.Fatal(err)
		}
		if train.Len() != TrainSize || test.Len() != TestSize {
			t.Fatalf("%d, %d examples", train.Len(), test.Len())
		}
		for _, f := range mnistFiles {
			data, err := os.ReadFile(filepath.Join(cache, f.name+".gz"))
			if err != nil || hexSum(data) != f.gzSHA256 {
				t.Errorf("%s not cached: %v", f.name, err)
			}
		}
	})
}

// BenchmarkLoad measures Load from a directory of the gzip files: reading,
// checksums, decompression and conversion of all four files.
func BenchmarkLoad(b *testing.B) {
	dir := realDir(b)
	for b.Loop() {
		if _, _, err := Load(context.Background(), Options{Dir: dir, CacheDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadTrainImages measures decoding the 60,000 training images
// from memory, gzipped and raw.
func BenchmarkReadTrainImages(b *testing.B) {
	dir := realDir(b)
	z, err := os.ReadFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"))
	if err != nil {
		b.Fatal(err)
	}
	x, err := ReadImages(bytes.NewReader(z))
	if err != nil {
		b.Fatal(err)
	}
	raw := imageIDX(0, 0)
	binary.BigEndian.PutUint32(raw[4:], TrainSize)
	for _, v := range x.Data {
		raw = append(raw, byte(math.Round(float64(v)*255)))
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"gzip", z}, {"raw", raw}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := ReadImages(bytes.NewReader(c.data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
