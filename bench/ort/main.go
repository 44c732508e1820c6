// Command ort times ONNX Runtime, in this process through its C API with
// one intra-op thread, against gomlp's Predict on one thread, on the same
// ONNX model exported by gomlp, alternating the two in rounds.
//
//	bash bench/ort/run.sh      (fetches the runtime and header, builds, runs)
//
// It is a module of its own so that the library never depends on cgo or
// on ONNX Runtime.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/onnx"
	"github.com/gomlp/gomlp/onnxnet"
)

func main() {
	model := flag.String("model", "", "an ONNX model exported by mlp export (input \"input\", output \"probabilities\")")
	batchList := flag.String("batch", "1,32,128", "batch sizes")
	rounds := flag.Int("rounds", 5, "alternating rounds per batch size")
	per := flag.Duration("time", 400*time.Millisecond, "time per measurement")
	flag.Parse()
	if err := run(*model, *batchList, *rounds, *per); err != nil {
		fmt.Fprintln(os.Stderr, "ort:", err)
		os.Exit(1)
	}
}

func run(model, batchList string, rounds int, per time.Duration) error {
	m, err := onnx.ReadFile(model)
	if err != nil {
		return err
	}
	net, _, err := onnxnet.Import(m)
	if err != nil {
		return err
	}
	mat.SetThreads(1)
	ort, err := ortOpen(model)
	if err != nil {
		return err
	}
	in, out := net.Inputs(), net.Outputs()
	spec, _ := net.Spec()
	fmt.Printf("model %s (%s), one thread each, %d rounds, best and median of the rounds; kernels %s\n", model, spec, rounds, mat.Impl())
	fmt.Printf("%-6s %-12s %14s %14s %14s\n", "batch", "engine", "best µs/call", "median µs/call", "median µs/sample")
	for _, f := range strings.Split(batchList, ",") {
		batch, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || batch < 1 {
			return fmt.Errorf("bad batch size %q", f)
		}
		cx, cy := cAlloc(batch*in), cAlloc(batch*out)
		x := unsafe.Slice((*float32)(cx), batch*in)
		rng := rand.New(rand.NewPCG(uint64(batch), 7))
		for i := range x {
			x[i] = rng.Float32()
		}
		if err := ort.bind(cx, cy, batch, in, out); err != nil {
			return err
		}
		xm := mat.FromSlice(batch, in, x)
		y := mat.New(batch, out)
		// Warm up both and check that they agree.
		if _, err := ort.run(10); err != nil {
			return err
		}
		net.Predict(y, xm)
		ortY := unsafe.Slice((*float32)(cy), batch*out)
		for i := range ortY {
			if d := ortY[i] - y.Data[i]; d > 1e-5 || d < -1e-5 {
				return fmt.Errorf("batch %d: ONNX Runtime and Predict differ by %g", batch, d)
			}
		}
		var ortT, gomT []float64 // µs per call
		for r := 0; r < rounds; r++ {
			n := calls(per, func(k int) time.Duration { d, _ := ort.run(k); return d })
			d, err := ort.run(n)
			if err != nil {
				return err
			}
			ortT = append(ortT, float64(d.Nanoseconds())/1e3/float64(n))
			if c := ort.cpu(); c > d*13/10 {
				fmt.Printf("warning: batch %d: ONNX Runtime used %.2f CPU seconds per wall second: more than one thread\n", batch, c.Seconds()/d.Seconds())
			}
			predict := func(k int) time.Duration {
				t0 := time.Now()
				for i := 0; i < k; i++ {
					net.Predict(y, xm)
				}
				return time.Since(t0)
			}
			n = calls(per, predict)
			gomT = append(gomT, float64(predict(n).Nanoseconds())/1e3/float64(n))
		}
		for _, e := range []struct {
			name string
			t    []float64
		}{{"onnxruntime", ortT}, {"gomlp", gomT}} {
			fmt.Printf("%-6d %-12s %14.2f %14.2f %14.3f\n", batch, e.name, slices.Min(e.t), median(e.t), median(e.t)/float64(batch))
		}
		fmt.Printf("%-6d %-12s %14.2f× %13.2f×   (ONNX Runtime time / Predict time: > 1 means gomlp is faster)\n", batch, "ratio",
			slices.Min(ortT)/slices.Min(gomT), median(ortT)/median(gomT))
		cFree(cx)
		cFree(cy)
	}
	return nil
}

// calls returns how many calls of f take about d, from a short trial.
func calls(d time.Duration, f func(n int) time.Duration) int {
	n := 1
	for {
		t := f(n)
		if t >= d/10 || n >= 1<<24 {
			return max(1, int(float64(n)*float64(d)/float64(max(t, time.Microsecond))))
		}
		n *= 4
	}
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
