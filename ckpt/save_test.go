package ckpt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// checkpointOfSize builds a deterministic checkpoint of about n bytes whose
// values depend on seed.
func checkpointOfSize(n int, seed uint64) *Checkpoint {
	r := rand.New(rand.NewPCG(seed, 0))
	c := &Checkpoint{Metadata: map[string]string{"seed": fmt.Sprint(seed)}}
	per := n / 4 / 3
	for _, name := range []string{"a", "b", "c"} {
		data := make([]float32, per)
		for i := range data {
			data[i] = r.Float32()
		}
		c.Tensors = append(c.Tensors, Tensor{Name: name, Shape: []int{per}, Data: data})
	}
	return c
}

func mustSave(t *testing.T, path string, c *Checkpoint) []byte {
	t.Helper()
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tempFiles lists Save's temporary files in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.gmlp")
	c := smallCheckpoint()
	b := mustSave(t, path, c)
	if !bytes.Equal(b, encode(t, c)) {
		t.Fatal("Save and Encode disagree")
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, c, got)
	// Saving over the file that was loaded works (no in-place truncation).
	got.Metadata["step"] = "8"
	mustSave(t, path, got)
	if again, err := Load(path); err != nil || again.Metadata["step"] != "8" {
		t.Fatalf("resave: %v %v", err, again)
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}

func TestSaveRefusesNonFiniteKeepsOld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.gmlp")
	old := mustSave(t, path, smallCheckpoint())
	c := smallCheckpoint()
	c.Tensors[0].Data[4] = float32(math.NaN())
	err := Save(path, c)
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), `"dense_0/weights": element 4 [1 1] is NaN`) {
		t.Fatalf("Save: %v", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, old) {
		t.Fatal("a refused save changed the file")
	}
	if err := Save(path, c, AllowNonFinite()); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil || math.Float32bits(got.Tensor("dense_0/weights").Data[4]) != math.Float32bits(c.Tensors[0].Data[4]) {
		t.Fatalf("NaN not kept: %v", err)
	}
}

// failingWriter accepts limit bytes, then fails like a full disk.
type failingWriter struct {
	w     io.Writer
	limit int
	short bool // fail with a short write and no error instead
}

var errDiskFull = errors.New("no space left on device (injected)")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= f.limit {
		f.limit -= len(p)
		return f.w.Write(p)
	}
	n, _ := f.w.Write(p[:f.limit])
	f.limit = 0
	if f.short {
		return n, nil
	}
	return n, errDiskFull
}

func TestEncodeWriteErrors(t *testing.T) {
	defer func(n int) { chunkSize = n }(chunkSize)
	c := smallCheckpoint()
	full := encode(t, c)
	for _, chunk := range []int{1 << 20, 100, 8} {
		chunkSize = chunk
		for n := range len(full) {
			for _, short := range []bool{false, true} {
				var b bytes.Buffer
				err := Encode(&failingWriter{w: &b, limit: n, short: short}, c)
				want := error(errDiskFull)
				if short {
					want = io.ErrShortWrite
				}
				if !errors.Is(err, want) || !strings.Contains(err.Error(), fmt.Sprintf("after %d bytes", n)) {
					t.Fatalf("chunk %d, fail at %d: %v", chunk, n, err)
				}
			}
		}
		var b bytes.Buffer
		if err := Encode(&b, c); err != nil || !bytes.Equal(b.Bytes(), full) {
			t.Fatalf("chunk %d: output differs (%v)", chunk, err)
		}
	}
}

func TestSaveFailuresKeepOldFile(t *testing.T) {
	defer func(n int) { chunkSize = n }(chunkSize)
	chunkSize = 64
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gmlp")
	old := mustSave(t, path, smallCheckpoint())
	c := checkpointOfSize(2000, 1)
	size := len(encode(t, c))
	check := func(what string, err error, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Fatalf("%s: got %v, want %v", what, err, want)
		}
		if b, _ := os.ReadFile(path); !bytes.Equal(b, old) {
			t.Fatalf("%s: the old file changed", what)
		}
		if tmp := tempFiles(t, dir); len(tmp) != 0 {
			t.Fatalf("%s: temporary files left: %v", what, tmp)
		}
	}
	defer func() { testHook.wrap, testHook.sync, testHook.syncDir = nil, nil, nil }()
	for n := 0; n < size; n += 1 + n/7 {
		testHook.wrap = func(w io.Writer) io.Writer { return &failingWriter{w: w, limit: n} }
		check(fmt.Sprintf("disk full at %d", n), Save(path, c), errDiskFull)
	}
	testHook.wrap = nil

	errSync := errors.New("EIO (injected)")
	testHook.sync = func(*os.File) error { return errSync }
	check("sync", Save(path, c), errSync)
	testHook.sync = nil

	// The rename fails: the destination is a non-empty directory.
	blocked := filepath.Join(dir, "dir.gmlp")
	os.MkdirAll(filepath.Join(blocked, "x"), 0o755)
	if err := Save(blocked, c); err == nil {
		t.Fatal("rename over a directory succeeded")
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}

	// A directory sync failure comes after the rename: the new file is in
	// place and complete, and the error says it may not be durable.
	testHook.syncDir = func(string) error { return errSync }
	err := Save(path, c)
	if !errors.Is(err, ErrNotDurable) || !errors.Is(err, errSync) {
		t.Fatalf("dir sync: %v", err)
	}
	if got, err := Load(path); err != nil {
		t.Fatal(err)
	} else {
		sameTensors(t, c, got)
	}

	if err := Save(filepath.Join(dir, "no", "such", "dir.gmlp"), c); err == nil {
		t.Fatal("save into a missing directory succeeded")
	}
}

func TestConcurrentSaves(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gmlp")
	a, b := checkpointOfSize(200<<10, 1), checkpointOfSize(200<<10, 2)
	want := map[string]bool{string(encode(t, a)): true, string(encode(t, b)): true}
	mustSave(t, path, a)
	rounds := 10
	if testing.Short() {
		rounds = 3
	}
	var wg sync.WaitGroup
	saveErrs := make(chan error, 2)
	for _, c := range []*Checkpoint{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				if err := Save(path, c); err != nil {
					saveErrs <- err
					return
				}
			}
		}()
	}
	stopReader, readerErr := make(chan struct{}), make(chan error, 1)
	go func() { // a reader must always see one whole file or the other
		for {
			select {
			case <-stopReader:
				readerErr <- nil
				return
			default:
			}
			raw, err := os.ReadFile(path)
			if err != nil || !want[string(raw)] {
				readerErr <- fmt.Errorf("reader saw %d bytes that are neither checkpoint (%v)", len(raw), err)
				return
			}
		}
	}()
	wg.Wait()
	close(stopReader)
	close(saveErrs)
	for err := range saveErrs {
		t.Fatal(err)
	}
	if err := <-readerErr; err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if !want[string(raw)] {
		t.Fatal("the final file is neither checkpoint")
	}
	if tmp := tempFiles(t, dir); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
}

func TestStaleTempsRemoved(t *testing.T) {
	if !canTellLiveTemps {
		t.Skip("no file locks on this system: temporary files are left alone")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gmlp")
	old := time.Now().Add(-time.Hour)
	mk := func(name string, age time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, age, age)
		return p
	}
	stale := mk(".m.gmlp.tmp-0123456789abcdef", old)
	// Killed two minutes ago: no lock, so it goes now, not ten minutes on.
	recent := mk(".m.gmlp.tmp-3123456789abcdef", time.Now().Add(-2*time.Minute))
	fresh := mk(".m.gmlp.tmp-1123456789abcdef", time.Now())
	other := mk(".m.gmlp.tmp-notes", old)
	otherBase := mk(".n.gmlp.tmp-0123456789abcdef", old)
	live := mk(".m.gmlp.tmp-2123456789abcdef", old)
	f, err := os.Open(live) // a save still in progress holds the lock
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lockTemp(f)

	mustSave(t, path, smallCheckpoint())
	for p, wantGone := range map[string]bool{stale: true, recent: true, fresh: false, other: false, otherBase: false, live: false} {
		_, err := os.Stat(p)
		if gone := errors.Is(err, os.ErrNotExist); gone != wantGone {
			t.Errorf("%s: removed = %v, want %v", filepath.Base(p), gone, wantGone)
		}
	}
	// A temporary file is never mistaken for the checkpoint itself.
	if _, err := Load(stale); err == nil {
		t.Error("loaded a temporary file") // (it was removed, so Load must fail)
	}
	if _, err := Load(fresh); !errors.Is(err, ErrNotCheckpoint) {
		t.Errorf("partial temporary file: %v", err)
	}
}

func TestTempNames(t *testing.T) {
	long := strings.Repeat("é", 120) + ".gmlp" // 245 bytes: the temp name must still fit in 255
	p := tempPrefix(long)
	if len(p)+16 > 255 || !strings.HasPrefix(p, ".é") || !strings.HasSuffix(p, ".tmp-") {
		t.Fatalf("tempPrefix: %q (%d bytes)", p, len(p))
	}
	if !isTempName(p+"0123456789abcdef", long) || isTempName(p+"0123456789ABCDEF", long) || isTempName(long, long) {
		t.Fatal("isTempName")
	}
	path := filepath.Join(t.TempDir(), long)
	mustSave(t, path, smallCheckpoint())
}

// The kill test: a child process saves a new checkpoint over an old one and
// stops at every step of the commit (each write, sync, close, rename, ...);
// the parent kills it there with SIGKILL and checks the file at path.

const killChildEnv = "GOMLP_CKPT_KILL_CHILD"

func TestSaveKilled(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs SIGKILL and subprocesses")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gmlp")
	oldBytes := mustSave(t, path, checkpointOfSize(8<<10, 1))
	newC := checkpointOfSize(16<<10, 2)

	// One uninterrupted run, into a copy, counts the kill points.
	cp := filepath.Join(t.TempDir(), "m.gmlp")
	os.WriteFile(cp, oldBytes, 0o644)
	all, finished := runKillChild(t, cp, -1)
	if !finished {
		t.Fatal("the uninterrupted child did not finish")
	}
	points := len(all)
	if points < 10 {
		t.Fatalf("only %d kill points: %v", points, all)
	}
	for k := range points {
		if testing.Short() && k > 3 && k%4 != 0 && k < points-5 {
			continue // a sample under -short: the start, every fourth write, the commit
		}
		steps, finished := runKillChild(t, path, k)
		if finished || len(steps) != k+1 {
			t.Fatalf("kill point %d: child finished=%v after steps %v", k, finished, steps)
		}
		killedAt := steps[len(steps)-1]
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("killed after %q: %v", killedAt, err)
		}
		got, err := readBytes(raw)
		if err != nil {
			t.Fatalf("killed after %q (point %d): the checkpoint is unreadable: %v", killedAt, k, err)
		}
		renamed := false
		for _, s := range steps {
			renamed = renamed || s == "renamed"
		}
		if renamed {
			sameTensors(t, newC, got)
		} else if !bytes.Equal(raw, oldBytes) {
			t.Fatalf("killed after %q (point %d): the old checkpoint changed", killedAt, k)
		}
		// The kill leaves at most a temporary file behind, which never loads
		// as a checkpoint under its own name unless it was complete.
		for _, name := range tempFiles(t, dir) {
			if !isTempName(name, "m.gmlp") {
				t.Fatalf("unexpected file %q", name)
			}
			os.Remove(filepath.Join(dir, name))
		}
		os.WriteFile(path, oldBytes, 0o644) // reset for the next point
	}
	t.Logf("%d kill points: %v", points, all)
}

// runKillChild runs the child saving over path and kills it at step k
// (never if k < 0). It returns the steps the child reported and whether it
// finished on its own.
func runKillChild(t *testing.T, path string, k int) (steps []string, finished bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		if errors.Is(err, syscall.ENOEXEC) || strings.Contains(err.Error(), "exec format error") {
			t.Skip("cannot run the test binary as a child here (emulation?)")
		}
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		name, ok := strings.CutPrefix(sc.Text(), "STEP ")
		if !ok {
			continue
		}
		steps = append(steps, name)
		if len(steps)-1 == k {
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			return steps, false
		}
		stdin.Write([]byte{'\n'}) // let it go on
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v (steps %v)", err, steps)
	}
	return steps, true
}

// TestKillChild is the child side of TestSaveKilled; it does nothing in a
// normal run.
func TestKillChild(t *testing.T) {
	path := os.Getenv(killChildEnv)
	if path == "" {
		t.Skip("child of TestSaveKilled only")
	}
	chunkSize = 1 << 10 // many writes, many kill points
	in := bufio.NewReader(os.Stdin)
	pause := func(step string) {
		fmt.Printf("STEP %s\n", step)
		if _, err := in.ReadByte(); err != nil {
			os.Exit(3)
		}
	}
	testHook.step = pause
	testHook.wrap = func(w io.Writer) io.Writer { return stepWriter{w, pause} }
	if err := Save(path, checkpointOfSize(16<<10, 2)); err != nil {
		t.Fatal(err)
	}
}

type stepWriter struct {
	w     io.Writer
	pause func(string)
}

func (s stepWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.pause(fmt.Sprintf("wrote %d", n))
	return n, err
}
