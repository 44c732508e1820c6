package mat

import "unsafe"

// The blocked GEMM driver, BLIS style. For each block of blockN columns of
// C and each block of blockK steps of the inner dimension, op(B) is packed
// into panels of nr columns; then for each block of blockM rows, op(A) is
// packed (scaled by alpha) into panels of mr rows, and the kernels compute
// every mr×nr tile of the block from the two packed panels. Edge tiles go
// through a scratch tile, so the kernels only ever see full tiles and
// zero-padded panels.
//
// The loop order inside a block keeps one A panel (mr×kc floats) in L1
// while the row kernel sweeps the B block (kc×nc, sized for L2) along it.
// When few rows share each B panel, a row-major B is read in place instead
// of packed (see inPlaceB).

// Block sizes in elements, for a 32 KiB L1d and 1 MiB L2 (Zen 4), chosen by
// measuring the 6×16 AVX2 kernel on squares up to 2048 and the network's
// shapes: depths from 192 to 512 and widths from 512 to 1024 were all
// within the measurement noise (±3%) of each other; 256 columns was 5%
// slower on 1024³ and 2048³.
const (
	blockK = 384 // depth of one packed block
	blockM = 384 // rows of op(A) packed at once
	blockN = 512 // columns of op(B) packed at once: a kc×nc block is 768 KiB
)

// gemmCall is one validated Gemm call with non-empty C and K.
type gemmCall struct {
	ks             *kernelSet
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        Matrix
	ep             epilogue // applied to each band of C as it is finished

	// Packed operands shared by every part of a split call, or nil: the
	// whole of op(B) when the parts are row bands, the whole of op(A)
	// when they are column bands (see shareOperand).
	packedA, packedB []float32

	// For a swapped call (see runSwapped), the original call's C and beta,
	// which finishInto fills block by block; into.Data is nil otherwise.
	into     Matrix
	intoBeta float32

	// The fast path, if any, and the operands its kernel reads (see
	// prepareFast).
	fast       fastKind
	fa, fb     []float32
	flda, fldb int
}

// workspace holds one goroutine's packing buffers and scratch tile. They
// only grow, and are recycled through workspaces, so that steady-state calls
// do not allocate.
type workspace struct {
	a, b  []float32 // packed blocks, 64-byte aligned
	tile  []float32 // one mr×nr scratch tile for edges
	swap  []float32 // the transposed C of a swapped call (see runSwapped)
	merge []float32 // a block of it, transposed back (see finishInto)
	bias  []float32 // a Linear's bias, repeated (see applyTiled)
	gemv  []float32 // a GEMV's partial sums (see gemvBlocked)

	reverse bool     // gemvBlocked's order of visit, flipped on each use
	args    fastArgs // argument block for the fast-path kernels
}

// alignedFloats returns a slice of n floats whose first element is 64-byte
// aligned, reusing buf when it is large enough.
func alignedFloats(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	raw := make([]float32, n+16)
	off := 0
	if r := uintptr(unsafe.Pointer(&raw[0])) & 63; r != 0 {
		off = int(64-r) / 4
	}
	return raw[off : off+n : off+n]
}

// workspaces recycles the packing buffers.
var workspaces freeList[workspace]

// kcBlock returns the depth of each K block: k split into equal blocks of
// at most blockK, so that no block is much thinner than the others.
func kcBlock(k int) int {
	nb := (k + blockK - 1) / blockK
	kc := (k + nb - 1) / nb
	return (kc + 3) &^ 3
}

// run computes the block C[i0:i1, j0:j1] on the calling goroutine.
func (g *gemmCall) run(i0, i1, j0, j1 int) {
	ws := workspaces.get()
	defer workspaces.put(ws)
	if g.into.Data != nil {
		defer g.finishInto(ws, i0, i1, j0, j1)
	}
	if g.fast != notFast {
		g.runFast(ws, i0, i1, j0, j1)
		return
	}
	mr, nr := g.ks.gemm.mr, g.ks.gemm.nr
	inPlaceB, inPlaceA := g.inPlaceB(), g.inPlaceA()
	kcMax := min(kcBlock(g.k), g.k)
	mcMax := min(blockM, i1-i0)
	ncMax := min(blockN, j1-j0)
	if inPlaceB {
		ncMax = nr // only a last, partial panel is packed
	}
	// Padding adds less than one panel; the slack lets a packer store
	// whole vectors past a panel's end.
	pa, pb := g.packedA, g.packedB
	if pa == nil {
		ws.a = alignedFloats(ws.a, (mcMax+mr)*kcMax+packSlack)
		pa = ws.a
	}
	if pb == nil {
		ws.b = alignedFloats(ws.b, roundUp(ncMax, nr)*kcMax+packSlack)
		pb = ws.b
	}
	if len(ws.tile) < mr*nr {
		ws.tile = make([]float32, mr*nr)
	}
	for jc := j0; jc < j1; jc += blockN {
		nc := min(blockN, j1-jc)
		for pc := 0; pc < g.k; pc += kcMax {
			kc := min(kcMax, g.k-pc)
			switch {
			case g.packedB != nil:
			case !inPlaceB:
				g.packB(pb, pc, kc, jc, nc)
			case nc%nr != 0:
				full := nc / nr * nr
				g.packB(pb, pc, kc, jc+full, nc-full)
			}
			beta := g.beta
			if pc > 0 {
				beta = 1
			}
			for ic := i0; ic < i1; ic += blockM {
				mc := min(blockM, i1-ic)
				if g.packedA == nil && !inPlaceA {
					g.packA(pa, ic, mc, pc, kc)
				}
				g.macro(ws, pa, pb, ic, mc, jc, nc, pc, kc, beta, inPlaceB, inPlaceA)
			}
		}
	}
}

// shareOperand packs, into ws, the operand that every part of a call split
// into row bands (tn == 1) or column bands (tm == 1) would otherwise pack
// alike: all of op(B), or all of op(A). It does so only when that operand
// is a single packed block, which is what each part would pack for itself.
func (g *gemmCall) shareOperand(ws *workspace, tm, tn int) {
	if g.fast != notFast || g.k > blockK {
		return
	}
	mr, nr := g.ks.gemm.mr, g.ks.gemm.nr
	switch {
	case tn == 1 && g.n <= blockN && !g.inPlaceB():
		ws.b = alignedFloats(ws.b, roundUp(g.n, nr)*g.k+packSlack)
		g.packB(ws.b, 0, g.k, 0, g.n)
		g.packedB = ws.b
	case tm == 1 && g.m <= blockM && !g.inPlaceA():
		ws.a = alignedFloats(ws.a, (g.m+mr)*g.k+packSlack)
		g.packA(ws.a, 0, g.m, 0, g.k)
		g.packedA = ws.a
	}
}

// packSlack is how far past the end of a panel a packer may write.
const packSlack = 16

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// inPlaceB reports whether the kernels read B's full panels in place
// instead of packing them. That saves the packing, which matters when few
// rows of A share each packed panel; with a row stride that is a multiple
// of 4 KiB, a panel's steps would fall into few cache sets, so such B is
// packed.
func (g *gemmCall) inPlaceB() bool {
	return !g.transB && g.ks.gemmRowStrided != nil && g.m <= 256 && g.n <= 512 && g.b.Stride%1024 != 0
}

// inPlaceA reports whether the kernels read A's full panels in place
// instead of packing them: where at most four tiles of B share each panel
// (packing the whole A cost 4% of a batch-128 prediction and 3% of a
// training step; from eight tiles on, reading in place gained nothing),
// alpha is 1 (a packed panel would carry it), A's row stride is not a
// multiple of 4 KiB (the same cache-set caution as for B) and the set has
// the kernels. op(A) = Aᵀ is read in place too: a panel's rows are then
// adjacent and its steps a row stride apart.
func (g *gemmCall) inPlaceA() bool {
	return g.ks.rowA != nil && g.alpha == 1 && g.n <= 4*g.ks.gemm.nr && g.a.Stride%1024 != 0
}

// panelHeight returns the height of the next A panel when r rows remain:
// the main kernel's mr, or the edge kernel's smaller one where that pads
// less (with 6 and 4: 8 rows are two panels of 4, 7 are 4 + 4 with one
// padded row, 5 are one panel of 6 with one padded row).
func (g *gemmCall) panelHeight(r int) int {
	mr := g.ks.gemm.mr
	if g.ks.edgeRows == nil {
		return mr
	}
	mr2 := g.ks.edgeRows.mr
	switch {
	case r <= mr2:
		return mr2
	case r <= mr:
		return mr
	case r <= 2*mr2:
		return mr2
	}
	return mr
}

// macro runs the kernels over the packed mc×kc block of A in pa and the
// kc×nc block of B (packed in pb, or in place), updating C[ic:ic+mc,
// jc:jc+nc].
//
// With inPlaceA the full panels of A are read where they are, and only a
// last, partial one is packed, into pa, as it comes.
func (g *gemmCall) macro(ws *workspace, pa, pb []float32, ic, mc, jc, nc, pc, kc int, beta float32, inPlaceB, inPlaceA bool) {
	nr := g.ks.gemm.nr
	ldc := g.c.Stride
	fullN := nc / nr
	b, stepS, tileS := &pb[0], nr, nr*kc
	edgeB := &pb[0] // the packed panel of the last, partial columns
	if inPlaceB {
		if fullN > 0 {
			b = &g.b.Data[pc*g.b.Stride+jc]
		}
		stepS, tileS = g.b.Stride, nr
	} else {
		edgeB = &pb[fullN*nr*kc]
	}
	off := 0 // rows of packed A so far, padding included
	for ir := 0; ir < mc; {
		h := g.panelHeight(mc - ir)
		rows := min(h, mc-ir)
		ap, aRow, aStep := &pa[off*kc], 0, 0
		switch {
		case inPlaceA && rows == h && g.transA:
			ap, aRow, aStep = &g.a.Data[pc*g.a.Stride+ic+ir], 1, g.a.Stride
		case inPlaceA && rows == h:
			ap, aRow, aStep = &g.a.Data[(ic+ir)*g.a.Stride+pc], g.a.Stride, 1
		case inPlaceA:
			g.packA(pa, ic+ir, rows, pc, kc)
			ap = &pa[0]
		}
		crow := (ic+ir)*ldc + jc
		if fullN > 0 && rows == h {
			g.tiles(h, kc, fullN, ap, aRow, aStep, b, stepS, tileS, &g.c.Data[crow], ldc, beta)
		} else {
			for t := range fullN {
				g.tiles(h, kc, 1, ap, aRow, aStep, addFloats(b, t*tileS), stepS, tileS, &ws.tile[0], nr, 0)
				mergeTile(g.c.Data[crow+t*nr:], ldc, ws.tile, nr, rows, nr, beta)
			}
		}
		if jr := fullN * nr; jr < nc {
			w := g.edgeWidth(nc - jr)
			if w != nr {
				ec := g.ks.edgeCols
				row := ec.row
				if h != g.ks.gemm.mr {
					row = ec.edgeRow
				}
				row(kc, 1, ap, edgeB, w, w*kc, &ws.tile[0], w, 0)
			} else {
				g.tiles(h, kc, 1, ap, aRow, aStep, edgeB, nr, nr*kc, &ws.tile[0], nr, 0)
			}
			mergeTile(g.c.Data[crow+jr:], ldc, ws.tile, w, rows, nc-jr, beta)
		}
		if pc+kc == g.k {
			// The band's sums are complete and in L1.
			g.ep.apply(g.ks, ws, &g.c, ic+ir, ic+ir+rows, jc, jc+nc)
		}
		ir += rows
		off += h
	}
}

// tiles computes n consecutive tiles of height h with the best kernel the
// set has: a strided row kernel (B packed or in place), a packed row kernel,
// or the micro-kernel tile by tile (B is packed for the last two). A is a
// packed panel if aRow is 0, else read in place: row i, step p at a +
// i*aRow + p*aStep.
func (g *gemmCall) tiles(h, k, n int, a *float32, aRow, aStep int, b *float32, stepS, tileS int, c *float32, ldc int, beta float32) {
	ks := g.ks
	switch {
	case aRow != 0 && h == ks.gemm.mr:
		ks.rowA(k, n, a, aRow, aStep, b, stepS, tileS, c, ldc, beta)
	case aRow != 0:
		ks.edgeRowA(k, n, a, aRow, aStep, b, stepS, tileS, c, ldc, beta)
	case h != ks.gemm.mr:
		ks.edgeRows.row(k, n, a, b, stepS, tileS, c, ldc, beta)
	case ks.gemmRowStrided != nil:
		ks.gemmRowStrided(k, n, a, b, stepS, tileS, c, ldc, beta)
	case ks.gemmRow != nil:
		ks.gemmRow(k, n, a, b, c, ldc, beta)
	default:
		for t := range n {
			ks.gemm.fn(k, a, addFloats(b, t*tileS), addFloats(c, t*ks.gemm.nr), ldc, beta)
		}
	}
}

// addFloats returns p + n elements. The callers stay inside the packed
// buffers and matrices they index.
func addFloats(p *float32, n int) *float32 {
	return (*float32)(unsafe.Add(unsafe.Pointer(p), 4*n))
}

// mergeTile sets the rows×cols corner of C to beta·C + tile (or to tile
// when beta == 0, without reading C).
func mergeTile(c []float32, ldc int, tile []float32, nr, rows, cols int, beta float32) {
	for i := range rows {
		crow := c[i*ldc : i*ldc+cols : i*ldc+cols]
		trow := tile[i*nr : i*nr+cols : i*nr+cols]
		if beta == 0 {
			copy(crow, trow)
			continue
		}
		for j, t := range trow {
			crow[j] = beta*crow[j] + t
		}
	}
}

// packA packs rows [ic, ic+mc) and steps [pc, pc+kc) of op(A), times
// alpha, into dst as panels of the heights panelHeight picks: a panel of
// height h starting at packed row q (padding included) holds
// dst[q*kc + p*h + i] = alpha·op(A)[row i of the panel, pc+p], zero past
// the last row.
func (g *gemmCall) packA(dst []float32, ic, mc, pc, kc int) {
	a := &g.a
	off := 0
	for ir := 0; ir < mc; {
		h := g.panelHeight(mc - ir)
		rows := min(h, mc-ir)
		d := dst[off*kc : (off+h)*kc]
		pk := g.ks.packA
		if h != g.ks.gemm.mr {
			pk = g.ks.edgeRows.packA
		}
		if g.transA {
			// op(A)[i, p] = A[p, i]: each step's h values are contiguous.
			src := pc*a.Stride + ic + ir
			if rows == h && pk.copy != nil {
				pk.copy(kc, &a.Data[src], a.Stride, &d[0], g.alpha)
			} else {
				packCopy(d, a.Data[src:], a.Stride, kc, h, rows, g.alpha)
			}
		} else {
			// op(A)[i, p] = A[i, p]: each row of the panel is contiguous.
			src := (ic+ir)*a.Stride + pc
			if rows == h && pk.trans != nil {
				pk.trans(kc, &a.Data[src], a.Stride, &d[0], g.alpha)
			} else {
				packTrans(d, a.Data[src:], a.Stride, kc, h, rows, g.alpha)
			}
		}
		ir += rows
		off += h
	}
}

// packB packs steps [pc, pc+kc) and columns [jc, jc+nc) of op(B) into dst
// as panels of nr columns: panel q holds dst[q*nr*kc + p*nr + j] =
// op(B)[pc+p, jc+q*nr+j], zero past the last column. The last, partial
// panel is edgeWidth columns wide instead.
func (g *gemmCall) packB(dst []float32, pc, kc, jc, nc int) {
	nr := g.ks.gemm.nr
	b := &g.b
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		w, pk := nr, g.ks.packB
		if cols < nr {
			if w = g.edgeWidth(cols); w != nr {
				pk = g.ks.edgeCols.packB
			}
		}
		d := dst[jr*kc : jr*kc+w*kc]
		if g.transB {
			// op(B)[p, j] = B[j, p]: each column of the panel is contiguous.
			off := (jc+jr)*b.Stride + pc
			if cols == w && pk.trans != nil {
				pk.trans(kc, &b.Data[off], b.Stride, &d[0], 1)
				continue
			}
			packTrans(d, b.Data[off:], b.Stride, kc, w, cols, 1)
		} else {
			// op(B)[p, j] = B[p, j]: each step's w values are contiguous.
			off := pc*b.Stride + jc + jr
			if cols == w && pk.copy != nil {
				pk.copy(kc, &b.Data[off], b.Stride, &d[0], 1)
				continue
			}
			packCopy(d, b.Data[off:], b.Stride, kc, w, cols, 1)
		}
	}
}

// edgeWidth returns the width of the packed panel of a block's last cols
// (< nr) columns: the set's narrower edge-column kernel's where it has one
// that fits and A is packed (it cannot read A in place), else nr.
func (g *gemmCall) edgeWidth(cols int) int {
	if ec := g.ks.edgeCols; ec != nil && cols <= ec.nr && !g.inPlaceA() {
		return ec.nr
	}
	return g.ks.gemm.nr
}

// packCopy packs a panel whose steps are rows of src: d[p*w+i] =
// alpha·src[p*ld+i] for i < valid, and 0 for valid <= i < w.
func packCopy(d, src []float32, ld, k, w, valid int, alpha float32) {
	for p := range k {
		row := d[p*w : p*w+w : p*w+w]
		s := src[p*ld : p*ld+valid : p*ld+valid]
		for i, v := range s {
			row[i] = alpha * v
		}
		clear(row[valid:])
	}
}

// packTrans packs a panel whose lanes are rows of src: d[p*w+i] =
// alpha·src[i*ld+p] for i < valid, and 0 for valid <= i < w.
func packTrans(d, src []float32, ld, k, w, valid int, alpha float32) {
	d = d[:k*w]
	for i := range valid {
		s := src[i*ld : i*ld+k : i*ld+k]
		for p, v := range s {
			d[p*w+i] = alpha * v
		}
	}
	for i := valid; i < w; i++ {
		for p := range k {
			d[p*w+i] = 0
		}
	}
}

// minFlopsPerThread is the least work (2·m·n·k) per thread worth waking a
// blocked worker for; minFlopsPolling is the least per thread worth
// handing to a worker that is polling for parts.
const (
	minFlopsPerThread = 4 << 20
	minFlopsPolling   = 128 << 10
)

// partsPerThread is how many parts a split call gives each thread at most;
// a part beyond the first per thread does at least minFlopsPart of work
// (2·m·n·k, about 10 µs) and has at least minPartRows rows or minPartCols
// columns.
const (
	partsPerThread = 4
	minFlopsPart   = 1 << 20
	minPartRows    = 24
	minPartCols    = 64
)

// parallel runs the call, split across threads when it is large enough.
func (g *gemmCall) parallel() {
	if g.fast == fastSwap {
		g.runSwapped()
		return
	}
	mr, nr := g.ks.gemm.mr, g.ks.gemm.nr
	var fastWS *workspace
	if g.fast != notFast {
		// The fast path's prepared operands live in this workspace until
		// every part is done.
		fastWS = workspaces.get()
		defer workspaces.put(fastWS)
		g.prepareFast(fastWS)
		mr, nr = g.fastSplit()
	}
	flops := 2 * float64(g.m) * float64(g.n) * float64(g.k)
	wake := true
	t := min(Threads(), maxParts, int(flops/minFlopsPerThread))
	if t <= 1 && workerPolling() {
		wake = false
		t = min(Threads(), maxParts, int(flops/minFlopsPolling))
	}
	if t > 1 && !splitWorthwhile() {
		t = 1
	}
	tm, tn := 1, 1
	for ; t > 1 && tm*tn == 1; t-- {
		switch {
		case mr == 0: // fast path split by columns
			tn = min(t, (g.n+nr-1)/nr)
		case nr == 0: // fast path split by rows
			tm = min(t, (g.m+mr-1)/mr)
		default:
			tm, tn = splitGrid(t, (g.m+mr-1)/mr, (g.n+nr-1)/nr, g.m, g.n, g.inPlaceB() || g.k < smallK)
		}
	}
	if tm*tn == 1 {
		if fastWS != nil {
			g.runFast(fastWS, 0, g.m, 0, g.n) // one workspace, not two (batch 1)
			g.finishInto(fastWS, 0, g.m, 0, g.n)
			return
		}
		g.run(0, g.m, 0, g.n)
		return
	}
	// Cut rows at multiples of the edge kernel's height where there is one:
	// the panels of each part then pad no more than those of the whole, and
	// the parts come out closer in size (128 rows: 64 and 64, not 66 and 62).
	rowUnit := max(mr, 1)
	if g.fast == notFast && g.ks.edgeRows != nil {
		rowUnit = g.ks.edgeRows.mr
	}
	// Cut bands into several parts per thread, so that a thread slowed by
	// other work takes fewer of them. The operand every band shares is
	// packed once, below; the parts stay tall or wide enough that nearly
	// all their tiles are full-height ones, and a whole number of them per
	// thread, so that on a quiet machine the threads end together.
	if fine := min(partsPerThread, int(flops/float64(tm*tn)/minFlopsPart)); fine > 1 {
		switch {
		case tn == 1 && mr != 0:
			fine = min(fine, g.m/(tm*minPartRows))
			tm = min(tm*max(fine, 1), (g.m+rowUnit-1)/rowUnit, maxParts)
		case tm == 1 && nr != 0:
			fine = min(fine, g.n/(tn*minPartCols))
			tn = min(tn*max(fine, 1), (g.n+nr-1)/nr, maxParts)
		}
	}
	if g.fast == notFast {
		ws := workspaces.get()
		defer workspaces.put(ws)
		g.shareOperand(ws, tm, tn)
	}
	startWorkers(min(tm*tn, Threads()) - 1)
	j := freeJobs.get()
	j.kind, j.g = gemmJob, *g
	np := 0
	for x := range tm {
		i0, i1 := splitRange(g.m, rowUnit, tm, x)
		for y := range tn {
			j0, j1 := splitRange(g.n, max(nr, 1), tn, y)
			j.parts[np] = part{i0, i1, j0, j1}
			np++
		}
	}
	j.execute(np, wake)
}

// smallK is the depth below which a product is split by rows whatever the
// packing costs: packing is then cheap, and the time goes into writing C,
// which measured about twice as fast in whole rows per thread as in column
// halves of every row (128×256×10, after a large product evicted C).
const smallK = 64

// splitGrid chooses tm×tn <= t parts (tm along M, tn along N) that keep every
// part at least one tile wide and pack the least in total: splitting N
// repacks A in every column part, splitting M repacks B in every row part
// (unless the kernels read B in place, or freeB says to ignore that cost).
func splitGrid(t, mPanels, nPanels, m, n int, freeB bool) (tm, tn int) {
	best := -1.0
	for x := 1; x <= t; x++ {
		if t%x != 0 {
			continue
		}
		y := t / x
		if x > mPanels || y > nPanels {
			continue
		}
		cost := float64(y) * float64(m)
		if !freeB {
			cost += float64(x) * float64(n)
		}
		if best < 0 || cost < best {
			best, tm, tn = cost, x, y
		}
	}
	if best < 0 {
		return 1, 1
	}
	return tm, tn
}
