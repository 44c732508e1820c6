package mat

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The worker pool: goroutines started once (lazily, up to the thread count
// less one, since the calling goroutine works too), each taking parts of
// large Gemm calls from one channel. A part is a rectangle of C; parts are
// independent, so workers never wait for each other, and each part packs
// its own panels into its own workspace.

// threadsSetting is the value set by SetThreads; 0 means GOMAXPROCS.
var threadsSetting atomic.Int32

// SetThreads sets how many goroutines (the caller included) may work on one
// large Gemm call, at most 64. n <= 0 restores the default,
// runtime.GOMAXPROCS(0). Small products always run on the calling
// goroutine alone.
func SetThreads(n int) {
	threadsSetting.Store(int32(min(max(n, 0), maxParts)))
}

// Threads returns the thread count Gemm uses for large products.
func Threads() int {
	if n := threadsSetting.Load(); n > 0 {
		return int(n)
	}
	return min(runtime.GOMAXPROCS(0), maxParts)
}

// minFlopsPerThread is the least work (2·m·n·k) worth handing to another
// thread: waking a parked worker costs microseconds.
const minFlopsPerThread = 4 << 20

// maxParts bounds the parts of one call.
const maxParts = 64

// part is one rectangle C[i0:i1, j0:j1] of a call.
type part struct{ i0, i1, j0, j1 int }

// job is one parallel Gemm call; jobs are recycled through freeJobs (a
// sync.Pool would allocate whenever the goroutine moved to another P
// between Put and Get).
type job struct {
	g     gemmCall
	parts [maxParts]part
	wg    sync.WaitGroup
	left  atomic.Int32 // parts not yet finished by workers (advisory, for spinning)
}

var freeJobs struct {
	sync.Mutex
	free []*job
}

func getJob() *job {
	freeJobs.Lock()
	defer freeJobs.Unlock()
	if n := len(freeJobs.free); n > 0 {
		j := freeJobs.free[n-1]
		freeJobs.free = freeJobs.free[:n-1]
		return j
	}
	return new(job)
}

func putJob(j *job) {
	j.g = gemmCall{}
	freeJobs.Lock()
	defer freeJobs.Unlock()
	if len(freeJobs.free) < maxFreeWorkspaces {
		freeJobs.free = append(freeJobs.free, j)
	}
}

// task is what travels to a worker: part i of job j.
type task struct {
	j *job
	i int
}

var pool struct {
	sync.Mutex
	started int
	tasks   chan task
}

// startWorkers makes sure at least n workers exist.
func startWorkers(n int) {
	pool.Lock()
	defer pool.Unlock()
	if pool.tasks == nil {
		pool.tasks = make(chan task, maxParts)
	}
	for ; pool.started < n; pool.started++ {
		go worker(pool.tasks)
	}
}

func worker(tasks <-chan task) {
	for t := range tasks {
		p := &t.j.parts[t.i]
		t.j.g.run(p.i0, p.i1, p.j0, p.j1)
		t.j.left.Add(-1)
		t.j.wg.Done() // the last use of t.j: after it the job may be recycled
	}
}

// spinChecks bounds how long a caller that has finished its own part polls
// for the workers' parts before blocking: the parts are the same size, so
// they usually finish within microseconds of each other, and not blocking
// spares the runtime a park and a wake-up (and the occasional allocation
// that comes with them).
const spinChecks = 500

// parallel runs the call, split across threads when it is large enough.
func (g *gemmCall) parallel() {
	mr, nr := g.ks.gemm.mr, g.ks.gemm.nr
	if g.fast != notFast {
		// The fast path's prepared operands live in this workspace until
		// every part is done.
		ws := getWorkspace()
		defer putWorkspace(ws)
		g.prepareFast(ws)
		mr, nr = g.fastSplit()
	}
	flops := 2 * float64(g.m) * float64(g.n) * float64(g.k)
	t := min(Threads(), maxParts, int(flops/minFlopsPerThread))
	if t <= 1 {
		g.run(0, g.m, 0, g.n)
		return
	}
	tm, tn := 1, 1
	for ; t > 1 && tm*tn == 1; t-- {
		switch {
		case mr == 0: // fast path split by columns
			tn = min(t, (g.n+nr-1)/nr)
		case nr == 0: // fast path split by rows
			tm = min(t, (g.m+mr-1)/mr)
		default:
			tm, tn = splitGrid(t, (g.m+mr-1)/mr, (g.n+nr-1)/nr, g.m, g.n)
		}
	}
	if tm*tn == 1 {
		g.run(0, g.m, 0, g.n)
		return
	}
	startWorkers(tm*tn - 1)
	j := getJob()
	j.g = *g
	np := 0
	for x := range tm {
		i0, i1 := splitRange(g.m, max(mr, 1), tm, x)
		for y := range tn {
			j0, j1 := splitRange(g.n, max(nr, 1), tn, y)
			j.parts[np] = part{i0, i1, j0, j1}
			np++
		}
	}
	// Part 0 is done here; the others go to workers, or run here too when
	// every worker is busy with other calls.
	j.left.Store(int32(np - 1))
	for i := 1; i < np; i++ {
		j.wg.Add(1)
		select {
		case pool.tasks <- task{j, i}:
		default:
			p := &j.parts[i]
			g.run(p.i0, p.i1, p.j0, p.j1)
			j.left.Add(-1)
			j.wg.Done()
		}
	}
	p := &j.parts[0]
	g.run(p.i0, p.i1, p.j0, p.j1)
	for i := 0; i < spinChecks && j.left.Load() > 0; i++ {
		runtime.Gosched()
	}
	j.wg.Wait()
	putJob(j)
}

// splitGrid chooses tm×tn <= t parts (tm along M, tn along N) that keep every
// part at least one tile wide and pack the least in total: splitting N
// repacks A in every column part, splitting M repacks B in every row part.
func splitGrid(t, mPanels, nPanels, m, n int) (tm, tn int) {
	best := -1.0
	for x := 1; x <= t; x++ {
		if t%x != 0 {
			continue
		}
		y := t / x
		if x > mPanels || y > nPanels {
			continue
		}
		cost := float64(y)*float64(m) + float64(x)*float64(n)
		if best < 0 || cost < best {
			best, tm, tn = cost, x, y
		}
	}
	if best < 0 {
		return 1, 1
	}
	return tm, tn
}

// splitRange returns part x of [0, n) cut into t parts at multiples of unit,
// as evenly as the units allow.
func splitRange(n, unit, t, x int) (lo, hi int) {
	units := (n + unit - 1) / unit
	lo = min(n, (units*x/t)*unit)
	hi = min(n, (units*(x+1)/t)*unit)
	return lo, hi
}
