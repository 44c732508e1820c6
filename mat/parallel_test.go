package mat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// withPollingWorker sets the thread count and makes sure a worker is
// polling for parts, so that the element functions take their split path
// (it reports false if no worker came within a second, which only a very
// loaded machine would cause).
func withPollingWorker(threads int) bool {
	SetThreads(threads)
	if threads < 2 || runtime.GOMAXPROCS(0) < 2 {
		return false // no worker polls (TestElemSplitMatchesSerial raises GOMAXPROCS)
	}
	startWorkers(threads - 1)
	// A worker polls for spinTime after each part; give it one.
	a, b, c := &pollA, &pollB, &pollC
	deadline := time.Now().Add(time.Second)
	for !workerPolling() && time.Now().Before(deadline) {
		j := freeJobs.get()
		j.kind, j.g = gemmJob, gemmCall{ks: active.Load(), m: 64, n: 64, k: 64, alpha: 1, a: *a, b: *b, c: *c}
		j.parts[0], j.parts[1] = part{0, 32, 0, 64}, part{32, 64, 0, 64}
		j.execute(2, true)
	}
	return workerPolling()
}

var pollA, pollB, pollC = *New(64, 64), *New(64, 64), *New(64, 64)

// TestElemSplitMatchesSerial checks that the element functions give the
// same bits whether or not they share the work with workers, for sizes
// that do and do not divide evenly, on views with a stride.
func TestElemSplitMatchesSerial(t *testing.T) {
	restoreGlobals(t)
	// Workers need a P of their own to poll: with GOMAXPROCS 1 the split
	// path would never run, so give them one (the kernel time-slices a
	// single CPU between the threads).
	if procs := runtime.GOMAXPROCS(0); procs < 3 {
		runtime.GOMAXPROCS(3)
		t.Cleanup(func() { runtime.GOMAXPROCS(procs) })
	}
	split := 0 // checks that ran with a worker polling
	defer func() {
		if split == 0 && !t.Failed() {
			t.Fatal("no worker ever polled: the split path was not tested")
		}
	}()
	rng := rand.New(rand.NewPCG(21, 22))
	vecLens := []int{2*minPartElems - 1, 2*minPartElems + 13, 100003}
	shapes := [][2]int{{128, 256}, {129, 257}, {300, 65}}
	if emulated() {
		vecLens, shapes = vecLens[:2], shapes[:2]
	}
	forEachImpl(t, func(t *testing.T, impl string) {
		for _, threads := range []int{1, 2, 3} {
			for _, n := range vecLens {
				x, y := randVec(rng, n), randVec(rng, n)
				x[7] = float32(math.NaN())
				want := func(f func(x, y []float32)) []float32 {
					SetThreads(1)
					w := append([]float32(nil), y...)
					f(append([]float32(nil), x...), w)
					return w
				}
				check := func(op string, f func(x, y []float32)) {
					w := want(f)
					if withPollingWorker(threads) {
						split++
					}
					got := append([]float32(nil), y...)
					f(append([]float32(nil), x...), got)
					if i, ok := sameBits(got, w); !ok {
						t.Fatalf("%s threads=%d n=%d: element %d is %v, serially %v", op, threads, n, i, got[i], w[i])
					}
				}
				check("Axpy", func(x, y []float32) { Axpy(-0.75, x, y) })
				check("Scale", func(x, y []float32) { Scale(1.5, y) })
				check("Add", func(x, y []float32) { Add(y, x) })
			}
			for _, s := range shapes {
				r, c := s[0], s[1]
				a, b := newGuarded(r, c, 3, rng), newGuarded(r, c, 5, rng)
				a.m.Data[1] = float32(math.NaN())
				v := randVec(rng, c)
				run := func(dst *guarded) []float32 {
					ReLU(&dst.m, &a.m)
					AddRowVector(&dst.m, v)
					ReLUGrad(&dst.m, &dst.m, &b.m)
					sums := make([]float32, c)
					ColSums(sums, &b.m)
					dst.checkGuards(t, fmt.Sprintf("threads=%d %dx%d", threads, r, c))
					out := append([]float32(nil), sums...)
					for i := range r {
						out = append(out, dst.m.Row(i)...)
					}
					return out
				}
				SetThreads(1)
				want := run(newGuarded(r, c, 1, rng))
				if withPollingWorker(threads) {
					split++
				}
				got := run(newGuarded(r, c, 1, rng))
				if i, ok := sameBits(got, want); !ok {
					t.Fatalf("row functions threads=%d %dx%d: element %d is %v, serially %v", threads, r, c, i, got[i], want[i])
				}
			}
		}
	})
}

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = rng.Float32()*2 - 1
	}
	return v
}

// TestGatherRows gathers on every kernel set (those with a prefetch hint
// use it), whole and split between threads.
func TestGatherRows(t *testing.T) {
	defer SetThreads(0)
	forEachImpl(t, func(t *testing.T, impl string) {
		rng := rand.New(rand.NewPCG(23, 24))
		src := newGuarded(500, 784, 4, rng)
		for _, threads := range []int{1, 2, 3} {
			for _, n := range []int{0, 1, 2, 3, 7, 128} {
				idx := make([]int, n)
				for i := range idx {
					idx[i] = rng.IntN(src.m.Rows)
				}
				if n > 2 {
					idx[1] = idx[0] // repeats are allowed
				}
				dst := newGuarded(n, 784, 2, rng)
				withPollingWorker(threads)
				GatherRows(&dst.m, &src.m, idx)
				dst.checkGuards(t, "GatherRows")
				for i, r := range idx {
					if j, ok := sameBits(dst.m.Row(i), src.m.Row(r)); !ok {
						t.Fatalf("%s threads=%d n=%d: row %d (source row %d) differs at column %d", impl, threads, n, i, r, j)
					}
				}
			}
		}
	})
}

func TestGatherRowsPanics(t *testing.T) {
	src, dst := New(10, 4), New(2, 4)
	cases := []struct {
		name, want string
		f          func()
	}{
		{"index", "index 1 is 10", func() { GatherRows(dst, src, []int{0, 10}) }},
		{"negative", "index 0 is -1", func() { GatherRows(dst, src, []int{-1, 0}) }},
		{"rows", "3 indices", func() { GatherRows(dst, src, []int{0, 1, 2}) }},
		{"cols", "2x3", func() { GatherRows(New(2, 3), src, []int{0, 1}) }},
	}
	for _, tc := range cases {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("%s: panic %q does not mention %q", tc.name, msg, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

// TestElemConcurrent runs split element functions from many goroutines at
// once; run it with -race.
func TestElemConcurrent(t *testing.T) {
	defer SetThreads(0)
	withPollingWorker(2)
	n := 3 * minPartElems
	x := randVec(rand.New(rand.NewPCG(25, 26)), n)
	src := New(64, 512)
	copy(src.Data, x)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			y := make([]float32, n)
			dst := New(64, 512)
			idx := make([]int, 64)
			for i := range idx {
				idx[i] = (i*7 + g) % 64
			}
			for range 5 {
				clear(y)
				Axpy(2, x, y)
				GatherRows(dst, src, idx)
			}
			for i, v := range y {
				if v != 2*x[i] {
					errs <- fmt.Sprintf("goroutine %d: y[%d] = %v, want %v", g, i, v, 2*x[i])
					return
				}
			}
			for i, r := range idx {
				if _, ok := sameBits(dst.Row(i), src.Row(r)); !ok {
					errs <- fmt.Sprintf("goroutine %d: gathered row %d differs", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestElemSplitNoAllocs checks that the split element functions do not
// allocate.
func TestElemSplitNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	defer SetThreads(0)
	a, b := New(128, 256), New(128, 256)
	v := make([]float32, 256)
	x, y := make([]float32, 4*minPartElems), make([]float32, 4*minPartElems)
	idx := make([]int, 128)
	allocs := testing.AllocsPerRun(20, func() {
		withPollingWorker(2)
		ReLU(a, b)
		ReLUGrad(a, a, b)
		AddRowVector(a, v)
		ColSums(v, a)
		Axpy(0.5, x, y)
		Scale(2, y)
		Add(y, x)
		GatherRows(a, b, idx)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per round of split element functions", allocs)
	}
}

// TestStarvedWorkers checks the rule that stops splitting calls no worker
// helps with: after starvedAfter unhelped calls, one in starvedProbe is
// split; one helped call restores splitting every call.
func TestStarvedWorkers(t *testing.T) {
	defer starved.Store(starved.Load())
	starved.Store(0)
	for i := range starvedAfter {
		if !splitWorthwhile() {
			t.Fatalf("call %d after %d unhelped ones not split", i, i)
		}
		noteHelp(false)
	}
	split := 0
	for range 10 * starvedProbe {
		if splitWorthwhile() {
			split++
			noteHelp(false)
		}
	}
	if split != 10 {
		t.Errorf("starved: %d of %d calls split, want 10", split, 10*starvedProbe)
	}
	noteHelp(true)
	for i := range 3 * starvedProbe {
		if !splitWorthwhile() {
			t.Fatalf("call %d after a helped one not split", i)
		}
	}
}
