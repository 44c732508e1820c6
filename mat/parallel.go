package mat

// Element work shared with the worker pool. These passes are short and
// bound by memory traffic, so they are split only when a worker is already
// polling for parts (in a training loop, right after a large Gemm), never
// at the price of waking one, and the caller keeps the first part: with two
// threads each core then works on about the same half of a matrix as in
// the Gemm that produced it. Splitting never changes a result, since every
// element is computed the same way whichever thread computes it.

// minPartElems is the least elements (32 KiB) a part of an element job
// covers: a part takes a microsecond or two, and handing it over costs
// well under one. (A 128×256 activation is cut in two.)
const minPartElems = 8 << 10

// vecUnit is where vector parts may start: multiples of 16 elements (64
// bytes), so that two cores do not write the same cache line of an aligned
// vector (Go aligns large allocations).
const vecUnit = 16

// splitParts returns how many parts to cut a job of n elements into, when
// it can be cut into at most units parts: 1 unless the job is large and a
// worker is polling. Small jobs, the common case, are decided inline.
func splitParts(n, units int) int {
	if n < 2*minPartElems {
		return 1
	}
	return splitLarge(n, units)
}

func splitLarge(n, units int) int {
	if !workerPolling() {
		return 1
	}
	return min(Threads(), maxParts, n/minPartElems, units)
}

// elemOp names the operation of an element job.
type elemOp uint8

const (
	opAxpy     elemOp = iota // y += alpha·x, by elements
	opScale                  // x *= alpha, by elements
	opAdd                    // y += x, by elements
	opReLU                   // dst = relu(src), by rows
	opReLUGrad               // dst = reluGrad(src, aux), by rows
	opAddRow                 // dst's rows += x, by rows
	opColSums                // x = column sums of src, by columns
	opGather                 // dst's rows = src's rows idx, by rows
)

// elemCall is one element job: its operation and operands.
type elemCall struct {
	ks            *kernelSet
	op            elemOp
	alpha         float32
	x, y          []float32
	dst, src, aux Matrix
	idx           []int
}

// runElem runs e over [0, n) in np parts cut at multiples of unit.
func runElem(e elemCall, n, unit, np int) {
	j := freeJobs.get()
	j.kind, j.e = elemJob, e
	for x := range np {
		lo, hi := splitRange(n, unit, np, x)
		j.parts[x] = part{i0: lo, i1: hi}
	}
	j.execute(np, false)
}

// run computes the part [lo, hi) of e.
func (e *elemCall) run(lo, hi int) {
	switch e.op {
	case opAxpy:
		e.ks.axpy(e.alpha, e.x[lo:hi], e.y[lo:hi])
	case opScale:
		e.ks.scale(e.alpha, e.x[lo:hi])
	case opAdd:
		e.ks.add(e.y[lo:hi], e.x[lo:hi])
	case opReLU:
		reluRows(e.ks, &e.dst, &e.src, lo, hi)
	case opReLUGrad:
		reluGradRows(e.ks, &e.dst, &e.src, &e.aux, lo, hi)
	case opAddRow:
		addRows(e.ks, &e.dst, e.x, lo, hi)
	case opColSums:
		colSums(e.ks, e.x, &e.src, lo, hi)
	case opGather:
		gatherRows(e.ks, &e.dst, &e.src, e.idx, lo, hi)
	}
}

// The row functions compute rows [lo, hi) of their element function.

func reluRows(ks *kernelSet, dst, src *Matrix, lo, hi int) {
	for i := lo; i < hi; i++ {
		ks.relu(dst.Row(i), src.Row(i))
	}
}

func reluGradRows(ks *kernelSet, dst, grad, x *Matrix, lo, hi int) {
	for i := lo; i < hi; i++ {
		ks.reluGrad(dst.Row(i), grad.Row(i), x.Row(i))
	}
}

func addRows(ks *kernelSet, m *Matrix, v []float32, lo, hi int) {
	for i := lo; i < hi; i++ {
		ks.add(m.Row(i), v)
	}
}

func gatherRows(ks *kernelSet, dst, src *Matrix, idx []int, lo, hi int) {
	if ks.prefetch == nil {
		for i := lo; i < hi; i++ {
			copy(dst.Row(i), src.Row(idx[i]))
		}
		return
	}
	// The rows come from anywhere in a source usually larger than the
	// caches, so each copy begins with a miss (and often a TLB miss) that
	// a plain loop waits for in turn: ask for the rows gatherAhead on
	// while copying this one.
	for i := lo; i < min(hi, lo+gatherAhead); i++ {
		ks.prefetch(src.Row(idx[i]))
	}
	for i := lo; i < hi; i++ {
		if i+gatherAhead < hi {
			ks.prefetch(src.Row(idx[i+gatherAhead]))
		}
		copy(dst.Row(i), src.Row(idx[i]))
	}
}

// gatherAhead is how many rows ahead gatherRows prefetches: on Zen 5, 1 to
// 8 all cut the gathering of 128 rows of 784 from a 12 MB source by about
// 30%.
const gatherAhead = 2

// colSums sets dst[j] to the sum of column j of m for j in [lo, hi),
// adding the rows in order whatever the split.
func colSums(ks *kernelSet, dst []float32, m *Matrix, lo, hi int) {
	sums := dst[lo:hi]
	clear(sums)
	for i := range m.Rows {
		ks.add(sums, m.Row(i)[lo:hi])
	}
}
