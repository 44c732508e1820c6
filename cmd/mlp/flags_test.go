//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// fakeData serves a small random data set instead of MNIST.
func fakeData(t *testing.T, nTrain, nTest int) {
	t.Helper()
	old := loadData
	mk := func(n int, seed uint64) train.Dataset {
		rng := rand.New(rand.NewPCG(seed, 7))
		x := mat.New(n, mnist.Pixels)
		y := make([]int, n)
		for i := range y {
			y[i] = rng.IntN(mnist.NumClasses)
			for j := 0; j < 20; j++ {
				x.Row(i)[y[i]*70+j] = 1 // a learnable pattern per class
			}
		}
		return train.Dataset{X: x, Y: y}
	}
	loadData = func(context.Context, string, io.Writer, bool) (train.Dataset, train.Dataset, error) {
		return mk(nTrain, 1), mk(nTest, 2), nil
	}
	t.Cleanup(func() { loadData = old })
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
}

// Every bad flag value and path is refused with its own message before any
// data is loaded.
func TestBadFlagsBeforeData(t *testing.T) {
	noData(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.gmlp")
	os.WriteFile(existing, []byte("x"), 0o644)
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	out := []string{"-out", filepath.Join(dir, "new.gmlp")}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-keep", "1.5"}, "-keep 1.5: must be in (0, 1]"},
		{[]string{"-keep", "0"}, "-keep 0: must be in (0, 1]"},
		{[]string{"-keep-input", "0"}, "-keep-input 0: must be in (0, 1]"},
		{[]string{"-lr", "0"}, "-lr 0: must be a number above 0"},
		{[]string{"-lr", "NaN"}, "-lr NaN: must be a number above 0"},
		{[]string{"-momentum", "1"}, "-momentum 1: must be in [0, 1)"},
		{[]string{"-momentum", "0.5", "-optimizer", "adam"}, "-momentum applies to -optimizer momentum or nesterov"},
		{[]string{"-weight-decay", "-1"}, "-weight-decay -1: must be 0 or more"},
		{[]string{"-l2", "Inf"}, "-l2 +Inf: must be 0 or more"},
		{[]string{"-batch", "4611686018427387904"}, hugeBatchError},
		{[]string{"-batch", "0"}, "-batch 0: must be in 1..60000"},
		{[]string{"-epochs", "1000000000"}, "-epochs 1000000000: must be in 1..100000"},
		{[]string{"-hidden", "1000000000"}, `-hidden 1000000000: layer size "1000000000" is not an integer from 1 to 65536`},
		{[]string{"-hidden", "100000,100000"}, `layer size "100000" is not an integer from 1 to 65536`},
		{[]string{"-hidden", "60000,60000"}, "3647760010 parameters, more than the limit of 67108864"},
		{[]string{"-hidden", "256,x"}, `layer size "x" is not an integer from 1 to 65536`},
		{[]string{"-hidden", strings.Repeat("1,", 64) + "1"}, "65 hidden layers, more than the limit of 64"},
		{[]string{"-threads", "100000"}, "-threads 100000: must be in 0..1024"},
		{[]string{"-schedule", "linear"}, `-schedule: "linear": want constant`},
		{[]string{"-weights", "uniform"}, "-weights:"},
		{[]string{"-optimizer", "rmsprop"}, `-optimizer "rmsprop": want sgd, momentum, nesterov or adam`},
		{[]string{"-val", "60000"}, "-val 60000: must be in 0..59999"},
		{[]string{"-out", "/dev/null"}, "-out /dev/null is a character device, not a regular file: refusing to replace it"},
		{[]string{"-out", fifo}, "is a named pipe, not a regular file: refusing to replace it"},
		{[]string{"-out", dir}, "is a directory, not a regular file"},
		{[]string{"-out", filepath.Join(dir, "no/such/m.gmlp")}, "the directory " + filepath.Join(dir, "no/such") + " does not exist"},
		{[]string{"-out", existing}, "exists and this run did not start from it: not replacing it (pass -force"},
		{append([]string{"-plot", filepath.Join(dir, "no/such/p.svg")}, out...), "-plot " + filepath.Join(dir, "no/such/p.svg") + ": the directory"},
		{append([]string{"-plot", "/dev/null"}, out...), "-plot /dev/null is a character device"},
		{append([]string{"-data", filepath.Join(dir, "missing")}, out...), "train: -data:"},
		{append([]string{"-data", existing}, out...), "not a directory"},
		{append([]string{"-resume", fifo}, out...), "is a named pipe, not a regular file"},
		{append([]string{"-init", dir}, out...), "is a directory, not a regular file"},
		{append([]string{"-resume", existing}, out...), "train: -resume:"},
	} {
		rc, _, stderr := mlp(append([]string{"train"}, c.args...)...)
		if rc != 1 || !strings.HasPrefix(stderr, "mlp: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("mlp train %s: status %d, stderr %q; want 1 and one line with %q", strings.Join(c.args, " "), rc, stderr, c.want)
		}
	}
}

// A value the user typed is used as typed: -momentum 0 means no momentum,
// and -lr is defaulted only when it is not given.
func TestTypedValuesAreKept(t *testing.T) {
	flags := func(args ...string) *trainFlags {
		t.Helper()
		var f trainFlags
		fs := newTrainFlagSet(&f)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if err := f.check(fs); err != nil {
			t.Fatal(err)
		}
		return &f
	}
	effective := func(f *trainFlags) sgd.Config {
		t.Helper()
		c, err := f.optimizerConfig(10)
		if err != nil {
			t.Fatal(err)
		}
		net, err := layers.Spec{Inputs: 4, Outputs: 2, Keep: 1, InputKeep: 1}.Build(1)
		if err != nil {
			t.Fatal(err)
		}
		opt, err := sgd.New(net.Params(), c)
		if err != nil {
			t.Fatal(err)
		}
		return opt.Config()
	}
	for _, m := range []string{"momentum", "nesterov"} {
		c := effective(flags("-optimizer", m, "-momentum", "0"))
		if c.Method != sgd.SGD && c.Momentum != 0 {
			t.Errorf("-optimizer %s -momentum 0 trains with %s momentum %v", m, c.Method, c.Momentum)
		}
	}
	if c := effective(flags()); c.LR != 0.2 || c.Momentum != 0.9 {
		t.Errorf("defaults: lr %v momentum %v", c.LR, c.Momentum)
	}
	if c := effective(flags("-optimizer", "adam")); c.LR != 0.001 {
		t.Errorf("adam's default lr: %v", c.LR)
	}
	if c := effective(flags("-lr", "0.05")); c.LR != 0.05 {
		t.Errorf("-lr 0.05 trains at %v", c.LR)
	}
}

// resumable writes a checkpoint of a new run that -resume can continue.
func resumable(t *testing.T, path string, schedule sgd.Schedule, epochs int, extra map[string]string) {
	t.Helper()
	net, err := layers.Spec{Inputs: mnist.Pixels, Outputs: mnist.NumClasses, Keep: 1, InputKeep: 1}.Build(1)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := sgd.New(net.Params(), sgd.Config{Method: sgd.SGD, LR: 0.1, Schedule: schedule})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.New(net, opt, train.Config{Epochs: epochs, BatchSize: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tr.Checkpoint(extra)
	if err != nil {
		t.Fatal(err)
	}
	if err := ckpt.Save(path, c); err != nil {
		t.Fatal(err)
	}
}

// -resume restores the validation split from the checkpoint and refuses a
// -val that contradicts it; it writes to the file it resumed from; -epochs
// beyond the end of a cosine schedule is refused with what to do instead.
func TestResumeKeepsItsSettings(t *testing.T) {
	fakeData(t, 400, 100)
	dir := t.TempDir()
	path := filepath.Join(dir, "run.gmlp")
	resumable(t, path, sgd.Constant(), 2, map[string]string{metaVal: "0"})
	before, _ := os.ReadFile(path)

	rc, _, stderr := mlp("train", "-resume", path, "-val", "100")
	if rc != 1 || !strings.Contains(stderr, "-val 100: the resumed run holds out 0 examples") {
		t.Errorf("contradicting -val: status %d, %q", rc, stderr)
	}
	rc, stdout, stderr := mlp("train", "-resume", path)
	if rc != 0 {
		t.Fatalf("resume: status %d: %s", rc, stderr)
	}
	if !strings.Contains(stdout, "on 400 examples, validating on 0") {
		t.Errorf("the resumed run did not keep -val 0:\n%s", stdout)
	}
	after, _ := os.ReadFile(path)
	if string(after) == string(before) {
		t.Errorf("-resume %s did not write to the file it resumed from", path)
	}
	c, err := ckpt.Load(path)
	if err != nil || c.Metadata[train.MetaEpoch] != "2" || c.Metadata[metaVal] != "0" {
		t.Errorf("after resuming: %v, epoch %q, %s %q", err, c.Metadata[train.MetaEpoch], metaVal, c.Metadata[metaVal])
	}

	cos := filepath.Join(dir, "cos.gmlp")
	cosine, err := sgd.ParseSchedule("cosine:16")
	if err != nil {
		t.Fatal(err)
	}
	resumable(t, cos, cosine, 2, map[string]string{metaVal: "0"})
	rc, _, stderr = mlp("train", "-resume", cos, "-epochs", "5")
	if rc != 1 || !strings.Contains(stderr, "cosine schedule ends with epoch 2") || !strings.Contains(stderr, "-init "+cos) {
		t.Errorf("extending a cosine run: status %d, %q", rc, stderr)
	}
	rc, stdout, stderr = mlp("train", "-resume", path, "-epochs", "3")
	if rc != 0 || !strings.Contains(stdout, "training to 3 epochs instead of the saved run's 2 (-epochs)") {
		t.Errorf("extending a constant-rate run: status %d, %q\n%s", rc, stderr, stdout)
	}
}

// An existing -out that this run did not start from is replaced only with
// -force.
func TestForceToReplace(t *testing.T) {
	fakeData(t, 400, 100)
	dir := t.TempDir()
	out := filepath.Join(dir, "good.gmlp")
	os.WriteFile(out, []byte("a good model"), 0o644)
	args := []string{"train", "-epochs", "1", "-val", "100", "-out", out, "-quiet"}
	if rc, _, stderr := mlp(args...); rc != 1 || !strings.Contains(stderr, "not replacing it") {
		t.Errorf("without -force: status %d, %q", rc, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "a good model" {
		t.Errorf("without -force the file was changed")
	}
	if rc, stdout, stderr := mlp(append(args, "-force")...); rc != 0 || !strings.HasPrefix(stdout, "test accuracy: ") {
		t.Errorf("with -force: status %d, %q %q", rc, stdout, stderr)
	}
}

// Ctrl-C before the first epoch ends exits 130, as documented.
func TestInterruptBeforeFirstEpoch(t *testing.T) {
	old := interruptGrace
	interruptGrace = 1 << 40
	t.Cleanup(func() { interruptGrace = old })
	fakeData(t, 400, 100)
	inner := loadData
	loadData = func(ctx context.Context, dir string, w io.Writer, quiet bool) (train.Dataset, train.Dataset, error) {
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		<-ctx.Done()
		return inner(ctx, dir, w, quiet)
	}
	rc, _, stderr := mlp("train", "-epochs", "1", "-val", "0", "-out", filepath.Join(t.TempDir(), "m.gmlp"))
	if rc != 130 || !strings.Contains(stderr, "interrupted") {
		t.Errorf("status %d, stderr %q; want 130", rc, stderr)
	}
}

// Ctrl-C ends the program even while a command is stuck in something that
// does not check for it: here data loading that never returns.
func TestInterruptEndsAStuckProgram(t *testing.T) {
	if os.Getenv("MLP_TEST_STUCK") == "1" {
		loadData = func(context.Context, string, io.Writer, bool) (train.Dataset, train.Dataset, error) {
			fmt.Println("loading")
			select {}
		}
		os.Exit(run([]string{"train", "-force", "-out", filepath.Join(os.TempDir(), "never.gmlp")}, os.Stdout, os.Stderr))
	}
	cmd := execSelf(t, "TestInterruptEndsAStuckProgram", "MLP_TEST_STUCK=1")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	io.ReadFull(stdout, buf) // "loading\n": the handler is in place
	cmd.Process.Signal(os.Interrupt)
	err := waitOrKill(cmd, 30)
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 130 {
		t.Errorf("after Ctrl-C: %v (want exit status 130)", err)
	}
}

// Saving weights that hold NaN says what to do on the command line, not
// which library option would save them anyway, and names the file once.
func TestNonFiniteSaveMessage(t *testing.T) {
	net, err := layers.Spec{Inputs: mnist.Pixels, Outputs: mnist.NumClasses, Keep: 1, InputKeep: 1}.Build(1)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := sgd.New(net.Params(), sgd.Config{Method: sgd.SGD, LR: 0.1, Schedule: sgd.Constant()})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.New(net, opt, train.Config{Epochs: 1, BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	net.Tensors()[0].Data[5] = float32(math.Inf(1))
	f := trainFlags{out: filepath.Join(t.TempDir(), "m.gmlp")}
	err = f.save(tr)
	if err == nil || !strings.Contains(err.Error(), "training diverged") || !strings.Contains(err.Error(), "smaller -lr") ||
		strings.Contains(err.Error(), "AllowNonFinite") || strings.Count(err.Error(), f.out) != 1 {
		t.Errorf("error %v", err)
	}
	if _, err := os.Stat(f.out); err == nil {
		t.Errorf("weights with Inf were saved")
	}
}

// needNative skips tests that start programs when this test binary runs
// under an emulator (GOARCH=arm64 go test -exec qemu-aarch64-static): it
// could not start copies of itself, nor measure the program natively.
func needNative(t *testing.T) {
	t.Helper()
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "env", "GOHOSTARCH").Output()
	if err != nil || strings.TrimSpace(string(out)) != runtime.GOARCH {
		t.Skipf("not on the host's architecture (%s; go env: %v %s)", runtime.GOARCH, err, out)
	}
}

// execSelf runs one test of this binary in a child process.
func execSelf(t *testing.T, test string, env ...string) *exec.Cmd {
	needNative(t)
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// waitOrKill waits for cmd, killing it after the given seconds (a hang).
func waitOrKill(cmd *exec.Cmd, seconds int) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Duration(seconds) * time.Second):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("still running after %d s: killed", seconds)
	}
}

// hugeBatchError is what -batch 2^62 gives: the program's limit where an int
// holds the number, the flag package's range error on 32-bit platforms.
var hugeBatchError = func() string {
	if strconv.IntSize == 32 {
		return `invalid value "4611686018427387904" for flag -batch: value out of range`
	}
	return "-batch 4611686018427387904: must be in 1..60000"
}()
