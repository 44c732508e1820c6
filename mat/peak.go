package mat

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// PeakGFLOPS measures the float32 multiply-add peak of this machine for the
// kernels in use: threads goroutines (at least 1) each run a register-only
// loop of independent fused multiply-adds (with the generic kernels, a
// scalar Go loop of multiplies and adds) for about d, and the result is
// their total rate in GFLOP/s. It is the yardstick for Gemm's figures.
func PeakGFLOPS(threads int, d time.Duration) float64 {
	threads = max(threads, 1)
	ks := active.Load()
	run, flopsPer := peakGeneric, float64(peakGenericFlops)
	if ks.peak != nil {
		run, flopsPer = ks.peak.run, float64(ks.peak.flops)
	}
	const chunk = 1 << 14 // iterations between clock reads
	var wg sync.WaitGroup
	counts := make([]int, threads)
	start := time.Now()
	for t := range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < d {
				run(chunk)
				counts[t] += chunk
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	total := 0
	for _, c := range counts {
		total += c
	}
	return float64(total) * flopsPer / elapsed.Seconds() / 1e9
}

// peakLoop is a kernel set's register-only FMA loop: run(n) performs n
// iterations of flops floating-point operations each.
type peakLoop struct {
	run   func(n int)
	flops int
}

// peakGenericFlops is the work of one iteration of peakGeneric.
const peakGenericFlops = 16

// peakSink keeps the generic loop's results alive.
var peakSink atomic.Uint32

// peakGeneric runs n iterations of 8 independent scalar multiply-adds.
func peakGeneric(n int) {
	var a0, a1, a2, a3, a4, a5, a6, a7 float32
	x, y := float32(0.999), float32(1e-3)
	for range n {
		a0 = a0*x + y
		a1 = a1*x + y
		a2 = a2*x + y
		a3 = a3*x + y
		a4 = a4*x + y
		a5 = a5*x + y
		a6 = a6*x + y
		a7 = a7*x + y
	}
	peakSink.Store(math.Float32bits(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7))
}
