package mat

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The worker pool: goroutines started once (lazily, up to the thread count
// less one, since the calling goroutine works too). A large call is cut
// into parts that need no coordination (rectangles of C, ranges of a
// vector), several per thread where the work allows, and published; the
// caller claims parts one at a time from the front and idle workers from
// the back until none are left. A part never waits for a busy worker, and
// a core slowed by other work (another process, or the program's own
// goroutines) takes fewer parts instead of holding the others up. On a
// quiet machine the caller ends with the first half and one worker with
// the second, the same every call, so each core keeps touching the same
// half of the data from one call to the next (a Gemm's output, then the
// optimizer's update of it).
//
// A worker that runs out of parts polls for new ones for a while before it
// blocks: waking a blocked goroutine takes the runtime (and on a virtual
// machine the hypervisor) tens to hundreds of microseconds, longer than
// many of the products it would help with, while a training loop calls
// again within microseconds. Work too short to repay a wake-up is only
// shared with a worker that is polling.

// threadsSetting is the value set by SetThreads; 0 means GOMAXPROCS.
var threadsSetting atomic.Int32

// SetThreads sets how many goroutines (the caller included) may work on one
// large Gemm call, or one call of an element function on large operands, at
// most 64. n <= 0 restores the default, runtime.GOMAXPROCS(0).
func SetThreads(n int) {
	threadsSetting.Store(int32(min(max(n, 0), maxParts)))
}

// Threads returns the thread count Gemm and the element functions use for
// large operands.
func Threads() int {
	if n := threadsSetting.Load(); n > 0 {
		return int(n)
	}
	return min(runtime.GOMAXPROCS(0), maxParts)
}

// maxParts bounds the parts of one call.
const maxParts = 64

// spinTime is how long an idle worker polls for parts before it blocks, and
// how long a caller polls for its parts to finish before it blocks.
const spinTime = time.Millisecond

// part is one rectangle C[i0:i1, j0:j1] of a Gemm call, or the range
// [i0, i1) of an element job.
type part struct{ i0, i1, j0, j1 int }

// jobKind says what a job computes.
type jobKind uint8

const (
	gemmJob jobKind = iota
	elemJob
)

// job is one call split into parts; jobs are recycled through freeJobs (a
// sync.Pool would allocate whenever the goroutine moved to another P
// between Put and Get).
type job struct {
	kind  jobKind
	g     gemmCall // gemmJob
	e     elemCall // elemJob
	parts [maxParts]part
	np    int // parts in the call
	next  int // the next part the caller claims; guarded by pool.mu
	end   int // the parts from end on are claimed by workers; guarded by pool.mu

	left atomic.Int32   // parts not yet finished, for polling
	wg   sync.WaitGroup // the same count, for blocking
}

var freeJobs freeList[job]

// freeList is a stack of reusable objects. Unlike a sync.Pool it survives
// garbage collections, so a training loop does not reallocate megabytes of
// packing buffers after every GC. It keeps at most maxFree objects after a
// burst of concurrent calls.
type freeList[T any] struct {
	sync.Mutex
	free []*T
}

const maxFree = 64

func (l *freeList[T]) get() *T {
	l.Lock()
	defer l.Unlock()
	if n := len(l.free); n > 0 {
		x := l.free[n-1]
		l.free = l.free[:n-1]
		return x
	}
	return new(T)
}

func (l *freeList[T]) put(x *T) {
	l.Lock()
	defer l.Unlock()
	if len(l.free) < maxFree {
		l.free = append(l.free, x)
	}
}

var pool struct {
	mu       sync.Mutex
	jobs     []*job       // published jobs with unclaimed parts, oldest first
	queued   atomic.Int32 // unclaimed parts over all jobs (polled without mu)
	polling  atomic.Int32 // workers polling for parts
	started  int          // workers started
	sleeping int          // workers blocked in wake.Wait
	wake     sync.Cond    // signalled when parts are published
}

func init() { pool.wake.L = &pool.mu }

// startWorkers makes sure at least n workers exist.
func startWorkers(n int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for ; pool.started < n; pool.started++ {
		go worker()
	}
}

// workerPolling reports whether some worker is polling for parts, that is,
// whether a part handed over now would start within a microsecond or so.
func workerPolling() bool { return pool.polling.Load() > 0 }

// publish makes the unclaimed parts of j, [j.next, j.end), claimable by
// the workers, waking blocked workers for them if wake is set.
func publish(j *job, wake bool) {
	if j.next == j.end {
		return // nothing left for the workers
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	pool.jobs = append(pool.jobs, j)
	pool.queued.Add(int32(j.end - j.next))
	if wake {
		for range min(pool.sleeping, j.end-j.next) {
			pool.wake.Signal()
		}
	}
}

// claimLocked takes a part: the first unclaimed part of j for its caller,
// or, when j is nil, the last unclaimed part of the oldest published job
// for a worker. It returns -1 if there is none. pool.mu must be held.
func claimLocked(j *job) (*job, int) {
	var i int
	if j == nil {
		if len(pool.jobs) == 0 {
			return nil, -1
		}
		j = pool.jobs[0]
		j.end--
		i = j.end
	} else {
		if j.next == j.end {
			return j, -1
		}
		i = j.next
		j.next++
	}
	pool.queued.Add(-1)
	if j.next == j.end {
		// Fully claimed: unpublish it.
		at := 0
		for pool.jobs[at] != j {
			at++
		}
		copy(pool.jobs[at:], pool.jobs[at+1:])
		pool.jobs[len(pool.jobs)-1] = nil
		pool.jobs = pool.jobs[:len(pool.jobs)-1]
	}
	return j, i
}

func claim(j *job) (*job, int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return claimLocked(j)
}

// runPart runs part i of j and marks it finished; a worker must not touch
// j afterwards, since the caller may recycle it.
func runPart(j *job, i int) {
	p := &j.parts[i]
	switch j.kind {
	case gemmJob:
		j.g.run(p.i0, p.i1, p.j0, p.j1)
	case elemJob:
		j.e.run(p.i0, p.i1)
	}
	j.left.Add(-1)
	j.wg.Done()
}

func worker() {
	for {
		runPart(nextPart())
	}
}

// nextPart waits for a part of any job: polling for spinTime, then
// blocking. At most GOMAXPROCS-1 workers poll at once, so that pollers
// never crowd out the goroutines that publish work.
func nextPart() (*job, int) {
	var j *job
	i := -1
	if int(pool.polling.Add(1)) < runtime.GOMAXPROCS(0) {
		poll(func() bool {
			if pool.queued.Load() > 0 {
				j, i = claim(nil)
			}
			return i >= 0
		})
	}
	pool.polling.Add(-1)
	if i >= 0 {
		return j, i
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for {
		if j, i := claimLocked(nil); i >= 0 {
			return j, i
		}
		pool.sleeping++
		pool.wake.Wait()
		pool.sleeping--
	}
}

// poll calls done until it returns true, for at most about spinTime, and
// reports whether it did. Between checks it keeps its processor (a yield
// at every check would take the scheduler's global lock each time, and
// could move the goroutine to another thread), but yields every few
// microseconds so that goroutines waiting for the processor get it.
func poll(done func() bool) bool {
	start := time.Now()
	for n := 1; ; n++ {
		if done() {
			return true
		}
		if n%pollCheck == 0 {
			if time.Since(start) > spinTime {
				return false
			}
			if n%(pollCheck*pollYield) == 0 {
				runtime.Gosched()
			}
		}
	}
}

// Polling reads the clock every pollCheck checks (a microsecond or two)
// and yields every pollYield clock reads.
const (
	pollCheck = 1024
	pollYield = 4
)

// execute runs the np parts of j, which the caller has filled in, and
// recycles j. The caller runs part 0 and any parts no worker has claimed
// by then. wake says whether the work is large enough to repay waking a
// blocked worker.
func (j *job) execute(np int, wake bool) {
	j.np, j.next, j.end = np, 1, np
	j.left.Store(int32(np))
	j.wg.Add(np)
	polled := workerPolling()
	var start time.Time
	if !polled && wake {
		start = time.Now()
	}
	publish(j, wake)
	runPart(j, 0)
	for {
		_, i := claim(j)
		if i < 0 {
			break
		}
		runPart(j, i)
	}
	// A call no worker helped with is evidence of starvation only if one
	// was polling, or one was woken and the call outlasted wakeGrace: a
	// woken worker may just be late for a short call.
	if helped := j.next < np; helped || polled || wake && time.Since(start) > wakeGrace {
		noteHelp(helped)
	}
	// Wait for the workers' parts, polling for a while first: the parts
	// are of a size and usually finish close together.
	poll(func() bool { return j.left.Load() == 0 })
	j.wg.Wait()
	j.g, j.e = gemmCall{}, elemCall{} // drop the references to the operands
	freeJobs.put(j)
}

// Workers get a processor only when the program's other goroutines (and
// other processes) leave one: with a CPU-bound goroutine beside a training
// loop on two cores, the worker ran 14 of 6,486 parts, and splitting every
// call, for the caller to run all the parts alone, made two threads 1–2%
// slower than one. So after starvedAfter split calls in a row whose parts
// no worker took although one was polling when they were published, Gemm
// splits only one call in starvedProbe, to notice a worker coming back, and
// runs the others on the caller, unsplit. A call whose worker had to be
// woken counts only if it lasted longer than a wake-up can take
// (wakeGrace): counting every such call made batch-32 training on two
// threads a third slower on a machine with a busy neighbour, where the
// woken worker came too late for the small products every time. A probe
// that finds no worker costs its split, so probes are rare: with a
// spinning goroutine beside the training step, probing one call in 8 left
// two threads at 0.983–0.999 of one thread (median 0.996 over 13 runs),
// one in 64 at 0.994–1.002 (median 0.998); a worker that comes back is
// noticed within 64 calls, about a dozen training steps.
const (
	wakeGrace    = 200 * time.Microsecond // tens to hundreds of µs on a VM
	starvedAfter = 4
	starvedProbe = 64
)

var (
	starved atomic.Int32 // split calls in a row that no worker helped with
	skipped atomic.Int32 // calls not split since starvedAfter was reached
)

// noteHelp records whether a worker took a part of a split call.
func noteHelp(helped bool) {
	if helped {
		starved.Store(0)
	} else if starved.Load() < starvedAfter {
		starved.Add(1)
	}
}

// splitWorthwhile reports whether a call large enough to split should be:
// always, unless the workers have been starved of a processor (see
// starvedAfter), and then one call in starvedProbe.
func splitWorthwhile() bool {
	if starved.Load() < starvedAfter {
		return true
	}
	return skipped.Add(1)%starvedProbe == 0
}

// splitRange returns part x of [0, n) cut into t parts at multiples of unit,
// as evenly as the units allow.
func splitRange(n, unit, t, x int) (lo, hi int) {
	units := (n + unit - 1) / unit
	lo = min(n, (units*x/t)*unit)
	hi = min(n, (units*(x+1)/t)*unit)
	return lo, hi
}
