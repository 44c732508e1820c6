package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gomlp/gomlp/internal/gemmshape"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// benchReport is what `mlp bench` measures; -json prints it as is.
type benchReport struct {
	Kernels    string   `json:"kernels"`
	Available  []string `json:"available"`
	GOMAXPROCS int      `json:"gomaxprocs"`
	GoVersion  string   `json:"go"`
	Platform   string   `json:"platform"`
	CPU        string   `json:"cpu,omitempty"`

	PeakOneCore  float64 `json:"peak_gflops_one_core"`
	PeakAllCores float64 `json:"peak_gflops_all_cores"`

	Gemm    []gemmResult  `json:"gemm"`
	Train   []trainResult `json:"train"`
	Predict []predResult  `json:"predict"`
}

type gemmResult struct {
	Shape   string  `json:"shape"` // MxNxK and the transposes, e.g. 128x256x784NN
	Role    string  `json:"role"`
	Impl    string  `json:"impl"`
	Threads int     `json:"threads"`
	GFLOPS  float64 `json:"gflops"`
	OfPeak  float64 `json:"fraction_of_peak"` // of the peak of the cores used
}

type trainResult struct {
	Net           string  `json:"net"`
	Batch         int     `json:"batch"`
	Threads       int     `json:"threads"`
	SamplesPerSec float64 `json:"samples_per_sec"`
}

type predResult struct {
	Net             string  `json:"net"`
	Batch           int     `json:"batch"`
	MicrosPerSample float64 `json:"us_per_sample"`
	SamplesPerSec   float64 `json:"samples_per_sec"`
}

type benchShape = gemmshape.Shape

// The products of one training step of 784-256-10 at batch 128, one sample
// of inference, and squares.
var benchShapes = append(gemmshape.Step[:len(gemmshape.Step):len(gemmshape.Step)], gemmshape.Square(256), gemmshape.Square(1024))

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the results as JSON")
	each := fs.Duration("time", 200*time.Millisecond, "how long to time each measurement (best of 3 runs)")
	if err := parseFlags(fs, args, stdout, "mlp bench [-json] [-time D]\n\nMeasures this machine's FP32 FMA peak with an assembly loop, then Gemm at the\nMLP's shapes (assembly and generic kernels, 1 and all threads), training and\nprediction speed. Takes well under a minute."); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	if *each <= 0 || *each > time.Minute {
		return fmt.Errorf("bench: -time %v: must be in (0, 1m]", *each)
	}
	defer mat.SetThreads(0)
	all := runtime.GOMAXPROCS(0)
	r := benchReport{
		Kernels: mat.Impl(), Available: mat.Impls(), GOMAXPROCS: all,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, CPU: cpuName(),
	}
	progress := func(format string, a ...any) {
		if !*asJSON && isTerminal(stderr) {
			fmt.Fprintf(stderr, "\r\x1b[K"+format, a...)
		}
	}
	progress("measuring the FMA peak")
	r.PeakOneCore = mat.PeakGFLOPS(1, 3**each)
	r.PeakAllCores = mat.PeakGFLOPS(all, 3**each)

	threadCounts := []int{1}
	if all > 1 {
		threadCounts = append(threadCounts, all)
	}
	for _, s := range benchShapes {
		progress("Gemm %v", s)
		for _, impl := range r.Available {
			for _, th := range threadCounts {
				if impl == "generic" && th > 1 && s.M*s.N*s.K > 1<<27 {
					continue // slow and says nothing new
				}
				g := timeGemm(s, impl, th, *each)
				peak := r.PeakOneCore
				if th > 1 {
					peak = r.PeakAllCores
				}
				r.Gemm = append(r.Gemm, gemmResult{Shape: s.String(), Role: s.Role, Impl: impl, Threads: th, GFLOPS: g, OfPeak: g / peak})
			}
		}
	}
	for _, th := range threadCounts {
		progress("training with %d threads", th)
		sps, err := timeTraining(th, 5**each)
		if err != nil {
			return fmt.Errorf("bench: %v", err)
		}
		r.Train = append(r.Train, trainResult{Net: "784-256-10", Batch: 128, Threads: th, SamplesPerSec: sps})
	}
	for _, batch := range []int{1, 1000} {
		progress("predicting batch %d", batch)
		us := timePredict(batch, *each)
		r.Predict = append(r.Predict, predResult{Net: "784-256-10", Batch: batch, MicrosPerSample: us, SamplesPerSec: 1e6 / us})
	}
	progress("")
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printBench(stdout, r)
	return nil
}

func printBench(out io.Writer, r benchReport) {
	fmt.Fprintf(out, "kernels %s (available: %s), GOMAXPROCS %d, %s %s\n", r.Kernels, strings.Join(r.Available, ", "), r.GOMAXPROCS, r.GoVersion, r.Platform)
	if r.CPU != "" {
		fmt.Fprintf(out, "CPU: %s\n", r.CPU)
	}
	fmt.Fprintf(out, "FP32 FMA peak (%s loop): %.1f GFLOP/s on one core, %.1f on %d\n\n", r.Kernels, r.PeakOneCore, r.PeakAllCores, r.GOMAXPROCS)
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "Gemm M×N×K\timpl\tthreads\tGFLOP/s\t% of peak\t\t")
	for _, g := range r.Gemm {
		fmt.Fprintf(w, "%s\t%s\t%d\t%.1f\t%.0f%%\t%s\t\n", g.Shape, g.Impl, g.Threads, g.GFLOPS, 100*g.OfPeak, g.Role)
	}
	w.Flush()
	fmt.Fprintln(out)
	for _, t := range r.Train {
		fmt.Fprintf(out, "training %s, batch %d, %d thread(s): %.0f samples/s\n", t.Net, t.Batch, t.Threads, t.SamplesPerSec)
	}
	for _, p := range r.Predict {
		fmt.Fprintf(out, "predict %s, batch %d: %.2f µs per sample (%.0f samples/s)\n", p.Net, p.Batch, p.MicrosPerSample, p.SamplesPerSec)
	}
}

// best runs f repeatedly for about d, three times, and returns the shortest
// time per call.
func best(d time.Duration, f func()) time.Duration {
	f() // warm up: buffers, caches, the worker pool
	per := time.Duration(1<<63 - 1)
	for range 3 {
		n, start := 0, time.Now()
		for time.Since(start) < d || n == 0 {
			f()
			n++
		}
		per = min(per, time.Since(start)/time.Duration(n))
	}
	return max(per, 1)
}

func randomMatrix(rng *rand.Rand, r, c int) *mat.Matrix {
	m := mat.New(r, c)
	for i := range m.Data {
		m.Data[i] = rng.Float32()*2 - 1
	}
	return m
}

func timeGemm(s benchShape, impl string, threads int, d time.Duration) float64 {
	prev, err := mat.SetImpl(impl)
	if err != nil {
		return 0
	}
	defer mat.SetImpl(prev)
	mat.SetThreads(threads)
	rng := rand.New(rand.NewPCG(1, 2))
	ar, ac, br, bc := s.Stored()
	a, b, c := randomMatrix(rng, ar, ac), randomMatrix(rng, br, bc), mat.New(s.M, s.N)
	t := best(d, func() { mat.Gemm(mat.TransposeIf(s.TransA), mat.TransposeIf(s.TransB), 1, a, b, 0, c) })
	return s.Flops() / t.Seconds() / 1e9
}

// timeTraining returns the samples per second of 784-256-10 training steps
// at batch 128 on random data.
func timeTraining(threads int, d time.Duration) (float64, error) {
	mat.SetThreads(threads)
	net, err := layers.Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}.Build(1)
	if err != nil {
		return 0, err
	}
	opt, err := sgd.New(net.Params(), sgd.Config{Method: sgd.Momentum, LR: 0.01, Momentum: 0.9})
	if err != nil {
		return 0, err
	}
	tr, err := train.New(net, opt, train.Config{Epochs: 1, BatchSize: 128})
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x := mat.New(128, 784)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	labels := make([]int, 128)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	t := best(d/3, func() { tr.TrainBatch(x, labels) })
	return 128 / t.Seconds(), nil
}

// timePredict returns the microseconds per sample of Predict at a batch size.
func timePredict(batch int, d time.Duration) float64 {
	net, _ := layers.Spec{Inputs: 784, Hidden: []int{256}, Outputs: 10, Keep: 1, InputKeep: 1}.Build(1)
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.New(batch, 784)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	probs := mat.New(batch, 10)
	t := best(d, func() { net.Predict(probs, x) })
	return t.Seconds() * 1e6 / float64(batch)
}

// cpuName reads the processor's model name on Linux; "" elsewhere.
func cpuName() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
