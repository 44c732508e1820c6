//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// rawTensor is one tensor record for writeRawCheckpoint; a nil data of a
// non-zero length leaves a hole (a sparse file) where the data would be.
type rawTensor struct {
	name   string
	dtype  uint8
	dims   []uint64
	length uint64
	crc    uint32 // the masked CRC to store
	data   []byte
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return (c>>15 | c<<17) + 0xA282EAD8
}

func alignUp(n, a uint64) uint64 { return (n + a - 1) &^ (a - 1) }

// writeRawCheckpoint writes a checkpoint following ckpt/FORMAT.md byte by
// byte, with whatever tensors and metadata the caller gives, so that the
// files a hostile user would craft can be built here: lying lengths,
// monstrous architectures, a million records. Tensors and keys must come
// sorted.
func writeRawCheckpoint(t *testing.T, path string, tensors []rawTensor, meta [][2]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pre := make([]byte, 64)
	copy(pre, "\x89GML\r\n\x1a\n")
	binary.LittleEndian.PutUint16(pre[8:], 1)
	binary.LittleEndian.PutUint32(pre[20:], 64)
	binary.LittleEndian.PutUint32(pre[60:], maskedCRC(pre[:60]))
	f.Write(pre)

	end := uint64(64)
	var index []byte
	for _, tn := range tensors {
		off := alignUp(end, 64)
		if tn.data != nil {
			f.WriteAt(tn.data, int64(off))
		}
		end = off + tn.length
		rec := make([]byte, 32)
		binary.LittleEndian.PutUint16(rec[0:], uint16(len(tn.name)))
		rec[2], rec[3] = tn.dtype, uint8(len(tn.dims))
		binary.LittleEndian.PutUint64(rec[8:], off)
		binary.LittleEndian.PutUint64(rec[16:], tn.length)
		binary.LittleEndian.PutUint32(rec[24:], tn.crc)
		for _, d := range tn.dims {
			rec = binary.LittleEndian.AppendUint64(rec, d)
		}
		rec = append(rec, tn.name...)
		rec = append(rec, make([]byte, alignUp(uint64(len(rec)), 8)-uint64(len(rec)))...)
		index = append(index, rec...)
	}
	index = binary.LittleEndian.AppendUint32(index, uint32(len(meta)))
	index = binary.LittleEndian.AppendUint32(index, 0)
	for _, kv := range meta {
		e := binary.LittleEndian.AppendUint16(nil, uint16(len(kv[0])))
		e = binary.LittleEndian.AppendUint16(e, 0)
		e = binary.LittleEndian.AppendUint32(e, uint32(len(kv[1])))
		e = append(append(e, kv[0]...), kv[1]...)
		e = append(e, make([]byte, alignUp(uint64(len(e)), 8)-uint64(len(e)))...)
		index = append(index, e...)
	}
	indexOff := alignUp(end, 8)
	if err := f.Truncate(int64(indexOff)); err != nil { // zero padding, or a hole
		t.Fatal(err)
	}
	f.WriteAt(index, int64(indexOff))
	foot := make([]byte, 64)
	binary.LittleEndian.PutUint64(foot[0:], end)
	binary.LittleEndian.PutUint64(foot[8:], indexOff)
	binary.LittleEndian.PutUint64(foot[16:], uint64(len(index)))
	binary.LittleEndian.PutUint64(foot[24:], uint64(len(tensors)))
	binary.LittleEndian.PutUint64(foot[32:], indexOff+uint64(len(index))+64)
	binary.LittleEndian.PutUint16(foot[40:], 1)
	binary.LittleEndian.PutUint32(foot[44:], maskedCRC(index))
	binary.LittleEndian.PutUint32(foot[52:], maskedCRC(foot[:52]))
	copy(foot[56:], "\x89GMLEND\n")
	if _, err := f.WriteAt(foot, int64(indexOff)+int64(len(index))); err != nil {
		t.Fatal(err)
	}
}

// archMeta is the sorted metadata of an architecture as layers writes it.
func archMeta(s layers.Spec) [][2]string {
	m := s.Meta()
	var kv [][2]string
	for k, v := range m {
		kv = append(kv, [2]string{k, v})
	}
	sortKV(kv)
	return kv
}

func sortKV(kv [][2]string) {
	for i := range kv {
		for j := i + 1; j < len(kv); j++ {
			if kv[j][0] < kv[i][0] {
				kv[i], kv[j] = kv[j], kv[i]
			}
		}
	}
}

// TestCheckpointGenerator checks the generator itself: what it writes for
// a real network reads back with ckpt.Load, so a refusal below is the
// reader's doing, not a broken generator's.
func TestCheckpointGenerator(t *testing.T) {
	data := make([]byte, 40)
	binary.LittleEndian.PutUint32(data[4:], 0x3f800000)
	path := filepath.Join(t.TempDir(), "gen.gmlp")
	writeRawCheckpoint(t, path, []rawTensor{
		{name: "a", dtype: 1, dims: []uint64{2, 5}, length: 40, crc: maskedCRC(data), data: data},
		{name: "b", dtype: 5, dims: []uint64{0}, crc: 0xA282EAD8},
	}, [][2]string{{"k", "v"}})
	c, err := ckpt.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tensors) != 2 || c.Tensors[0].Data[1] != 1 || c.Metadata["k"] != "v" {
		t.Errorf("read back %+v", c)
	}
}

// hostileFiles builds the hostile inputs in dir and returns them by name.
func hostileFiles(t *testing.T, dir string) map[string]string {
	files := map[string]string{}
	add := func(name string) string { p := filepath.Join(dir, name); files[name] = p; return p }

	mkfifo(t, add("fifo"))
	os.Mkdir(add("directory"), 0o755)

	// A tensor claiming 1 TiB over a hole: 8 KB on disk.
	writeRawCheckpoint(t, add("sparse.gmlp"), []rawTensor{
		{name: "dense_0/weights", dtype: 1, dims: []uint64{1 << 38}, length: 1 << 40, crc: 0x12345678},
	}, archMeta(layers.Spec{Inputs: 1 << 20, Hidden: nil, Outputs: 1 << 18, Keep: 1, InputKeep: 1}))

	// No tensors, and an architecture of a billion hidden units, 2^61
	// outputs, or 10,000 layers of 1,000.
	for name, s := range map[string]layers.Spec{
		"hidden1e9.gmlp": {Inputs: 784, Hidden: []int{1_000_000_000}, Outputs: 10, Keep: 1, InputKeep: 1},
		"deep.gmlp":      {Inputs: 784, Hidden: repeat(1000, 10000), Outputs: 10, Keep: 1, InputKeep: 1},
	} {
		writeRawCheckpoint(t, add(name), nil, archMeta(s))
	}
	// 2^61 outputs, written as text: the number does not fit a 32-bit int.
	outputs := archMeta(layers.Spec{Inputs: 784, Outputs: 10, Keep: 1, InputKeep: 1})
	for i := range outputs {
		if outputs[i][0] == "arch.outputs" {
			outputs[i][1] = "2305843009213693952"
		}
	}
	writeRawCheckpoint(t, add("outputs2e61.gmlp"), nil, outputs)

	// A million empty tensors that do not belong to the 784-10 network
	// the metadata describes.
	many := make([]rawTensor, 1<<20)
	for i := range many {
		many[i] = rawTensor{name: fmt.Sprintf("junk%07d", i), dtype: 1, dims: []uint64{0}, crc: 0xA282EAD8}
	}
	writeRawCheckpoint(t, add("million.gmlp"), many, archMeta(layers.Spec{Inputs: 784, Outputs: 10, Keep: 1, InputKeep: 1}))

	// A resumable run whose batch size is 2^62.
	bigBatch := add("batch2e62.gmlp")
	resumable(t, bigBatch, sgd.Constant(), 3, map[string]string{metaVal: "0"})
	c, err := ckpt.Load(bigBatch)
	if err != nil {
		t.Fatal(err)
	}
	c.Metadata[train.MetaBatchSize] = "4611686018427387904"
	if err := ckpt.Save(bigBatch, c); err != nil {
		t.Fatal(err)
	}

	// A 71-byte PNG declaring 100000×100000 RGBA pixels.
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	chunk("IHDR", append(ihdr, 8, 6, 0, 0, 0))
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	os.WriteFile(add("bomb.png"), b.Bytes(), 0o644)
	if cfg, err := png.DecodeConfig(bytes.NewReader(b.Bytes())); err != nil || cfg.Width != 100000 {
		t.Fatalf("the PNG bomb does not decode its header: %v %v", cfg, err)
	}

	// A data directory whose MNIST files are FIFOs.
	fifoData := add("fifodata")
	os.Mkdir(fifoData, 0o755)
	for _, n := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		mkfifo(t, filepath.Join(fifoData, n+".gz"))
		mkfifo(t, filepath.Join(fifoData, n))
	}
	return files
}

func repeat(v, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// realKiB is the data that the regular files among args really hold: the
// blocks on disk, so a sparse file's claimed terabyte counts for nothing.
func realKiB(args []string) int64 {
	var n int64
	for _, a := range args {
		var st syscall.Stat_t
		if syscall.Stat(a, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFREG {
			n += st.Blocks * 512 / 1024
		}
	}
	return n
}

// limitedRun is what runLimited reports of one run of the program.
type limitedRun struct {
	Status         int
	Stdout, Stderr string
	MaxRSSKiB      int64
	TimedOut       bool
}

// runLimited runs bin with args under a 2 GB address-space limit (bash's
// ulimit -v; a Go program reserves some 700 MB of address space before it
// allocates anything, so 1 GB would leave too little for honest input) and
// a 60 s time limit. It goes through a child copy of this
// test binary, which measures the program's peak resident memory: measured
// from here, the figure would include this (much larger) process, whose
// memory the child shares until it starts the program.
func runLimited(t *testing.T, env []string, bin string, args []string) limitedRun {
	t.Helper()
	spec, _ := json.Marshal(append([]string{bin}, args...))
	cmd := execSelf(t, "TestHostileHelper", "MLP_HOSTILE_RUN="+string(spec))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.Output()
	var r limitedRun
	if jerr := json.Unmarshal(out, &r); jerr != nil {
		t.Fatalf("helper: %v, %v: %s", err, jerr, out)
	}
	return r
}

// TestHostileHelper is the child of runLimited; it does nothing in a
// normal test run.
func TestHostileHelper(t *testing.T) {
	spec := os.Getenv("MLP_HOSTILE_RUN")
	if spec == "" {
		return
	}
	var argv []string
	json.Unmarshal([]byte(spec), &argv)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{"-c", `ulimit -v 2000000 && exec "$0" "$@"`}, argv...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Run()
	r := limitedRun{Stdout: stdout.String(), Stderr: stderr.String(), TimedOut: ctx.Err() != nil}
	if cmd.ProcessState != nil {
		r.Status = cmd.ProcessState.ExitCode()
		r.MaxRSSKiB = int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) // int32 on 32-bit platforms
	}
	json.NewEncoder(os.Stdout).Encode(r)
	os.Exit(0)
}

// TestHostileInputs runs the built program over hostile files, flags and
// images under an address-space limit: each must end, promptly, with
// status 1 and one "mlp: " line, never a Go panic or runtime error, with a
// peak resident memory under 64 MB plus the data its files really hold.
func TestHostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash for ulimit")
	}
	needNative(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "mlp")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	h := hostileFiles(t, dir)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "new.gmlp")
	model := saveToyModel(t, t.TempDir())

	// Files that are valid checkpoints, with hostile architecture
	// metadata: inspect shows them (status 0); every other case is an error.
	validFile := map[string]bool{}
	var cases [][]string
	for _, f := range []string{"fifo", "directory", "sparse.gmlp", "hidden1e9.gmlp", "outputs2e61.gmlp", "deep.gmlp", "million.gmlp"} {
		cases = append(cases, []string{"inspect", h[f]}, []string{"eval", "-model", h[f]})
	}
	for _, f := range []string{"hidden1e9.gmlp", "outputs2e61.gmlp", "deep.gmlp", "million.gmlp"} {
		validFile["inspect "+h[f]] = true
	}
	for _, f := range []string{"/dev/zero", "/dev/null", "/proc/self/environ", "/proc/self/mem"} {
		cases = append(cases, []string{"inspect", f}, []string{"eval", "-model", f})
	}
	cases = append(cases,
		[]string{"train", "-resume", h["batch2e62.gmlp"], "-out", out},
		[]string{"train", "-resume", h["sparse.gmlp"], "-out", out},
		[]string{"train", "-resume", h["hidden1e9.gmlp"], "-out", out},
		[]string{"train", "-init", h["sparse.gmlp"], "-out", out},
		[]string{"train", "-init", h["million.gmlp"], "-strict", "-out", out},
		[]string{"train", "-batch", "4611686018427387904", "-out", out},
		[]string{"train", "-hidden", "1000000000", "-out", out},
		[]string{"train", "-hidden", "100000,100000", "-out", out},
		[]string{"train", "-epochs", "9223372036854775807", "-out", out},
		[]string{"train", "-threads", "9223372036854775807", "-out", out},
		[]string{"train", "-out", "/dev/null"},
		[]string{"train", "-out", h["fifo"]},
		[]string{"train", "-data", h["fifodata"], "-epochs", "1", "-out", out},
		[]string{"eval", "-data", h["fifodata"], "-model", model},
		[]string{"predict", "-model", model, h["bomb.png"]},
		[]string{"predict", "-model", model, h["directory"]},
		[]string{"predict", "-model", model, h["fifo"]},
		[]string{"predict", "-model", model, "/dev/zero"},
		[]string{"predict", "-model", model, "-max-pixels", "-1", h["bomb.png"]},
		[]string{"predict", "-model", model, "-show", "9223372036854775807"},
		[]string{"predict", "-model", h["million.gmlp"], h["bomb.png"]},
	)
	env := []string{"MNIST_DIR=", "MLP_NO_DOWNLOAD=1", "XDG_CACHE_HOME=" + t.TempDir(), "HOME=" + t.TempDir()}
	for _, args := range cases {
		name := strings.Join(args, " ")
		r := runLimited(t, env, bin, args)
		if r.TimedOut {
			t.Errorf("mlp %s: did not end within 60 s", name)
			continue
		}
		all := r.Stdout + r.Stderr
		if validFile[name] {
			if r.Status != 0 {
				t.Errorf("mlp %s: status %d, stderr %.300q; want 0 (a valid file)", name, r.Status, r.Stderr)
			}
		} else if r.Status != 1 || !strings.HasPrefix(r.Stderr, "mlp: ") || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("mlp %s: status %d, stderr %.300q; want 1 and one \"mlp: \" line", name, r.Status, r.Stderr)
		}
		for _, bad := range []string{"panic", "fatal error", "goroutine "} {
			if strings.Contains(all, bad) {
				t.Errorf("mlp %s: output says %q: %.300s", name, bad, all)
			}
		}
		if len(r.Stderr) > 4096 {
			t.Errorf("mlp %s: an error line of %d bytes", name, len(r.Stderr))
		}
		limit := 64<<10 + realKiB(args)
		if name == "inspect "+h["million.gmlp"] {
			// inspect must read the whole index of a valid file; ckpt.Load
			// keeps each of the million records in a few hundred bytes.
			limit = 64<<10 + 8*realKiB(args)
		}
		if r.MaxRSSKiB > limit {
			t.Errorf("mlp %s: peak resident memory %d MB, want under %d MB (64 MB and the data on disk)", name, r.MaxRSSKiB>>10, limit>>10)
		}
		msg := strings.TrimSpace(r.Stderr)
		t.Logf("mlp %s: %d MB peak; %s", name, r.MaxRSSKiB>>10, msg[:min(100, len(msg))])
	}
	_ = mnist.Pixels
}
