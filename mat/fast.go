package mat

// Fast paths for shapes the packed driver serves badly, because packing
// would cost as much as the arithmetic or because much of a tile would be
// padding:
//
//   - one row of C with op(B) = B (batch 1): a GEMV that streams B's rows;
//   - a narrow C (N <= narrowN) with op(A) = A, or one row of C with
//     op(B) = Bᵀ: dot products along K of A's rows with the columns of
//     op(B), which are B's rows when transB, else rows of a small
//     transposed copy of B;
//   - a narrow C with op(A) = Aᵀ: C's columns as vectors along M, reading
//     A's rows (which run along M) directly; or, where the kernel set says
//     so (swap), Cᵀ = op(B)ᵀ·op(A)ᵀ by the blocked driver, then
//     transposed;
//   - with the same set, C = A·Bᵀ with few rows and many columns, also as
//     the transpose of B·Aᵀ (see wideNTSwaps).
//
// Large calls are split between threads by rows (narrow C) or columns (one
// row), like the blocked driver's.

// fastArgs is the argument block of the fast-path kernels; the assembly
// reads it by field offset (checked by TestFastArgsLayout).
type fastArgs struct {
	k, m, n     int
	a           *float32
	lda         int
	b           *float32
	ldb         int
	c           *float32
	ldc         int
	alpha, beta float32
}

// fastKernels are optional kernels for the fast paths; each may be nil.
// All compute C = alpha·(sum over p < k) + beta·C for an m×n C at c with
// row stride ldc, not reading C when beta == 0:
type fastKernels struct {
	// gemv: m == 1, sum = a[p]·b[p*ldb+j].
	gemv func(p *fastArgs)
	// dot: sum = a[i*lda+p]·b[j*ldb+p]; dot1 is the same for m == 1.
	dot, dot1 func(p *fastArgs)
	// col: sum = a[p*lda+i]·b[p*ldb+j].
	col func(p *fastArgs)
	// transpose: dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols.
	transpose func(rows, cols int, src *float32, lds int, dst *float32, ldd int)

	// gemvUnit, if not 0, is the multiple of columns at which a split GEMV
	// is cut (the width gemv works in best); the default is 64.
	gemvUnit int

	// blockGEMV says to compute large GEMVs in blocks of K visited in
	// alternating order (see gemvBlocked): for a gemv that reads faster
	// than L2 serves a large op(B). (On Zen 5 the AVX2 kernel gained
	// nothing from it and the Go kernel, bound by its arithmetic, lost.)
	blockGEMV bool

	// swap says to compute two kinds of C as their transpose, op(B)ᵀ·op(A)ᵀ,
	// with the blocked driver, and transpose that into C (see
	// wideNTSwaps for the second): a narrow C with op(A) = Aᵀ and more than
	// narrowN rows, where 512-bit kernels ran at twice the speed of the
	// column kernel (256×10×128: 200 GFLOP/s against 100 on Zen 5), as the
	// products become a few wide rows; and A·Bᵀ with few rows and many
	// columns.
	swap bool
}

// narrowN is the widest C the narrow-C paths take: measured on Zen 4 with
// the AVX2 kernels, they beat the 6×16 packed path up to 24 columns (by 10
// to 50%; a 17-column C needs two 16-wide panels) and lose from 48.
const narrowN = 24

// fastKind names the fast path a call takes, if any.
type fastKind uint8

const (
	notFast fastKind = iota
	fastGEMV
	fastDot1
	fastDot
	fastCol
	fastSwap // see fastKernels.swap
)

// chooseFast picks the fast path for the call, or notFast.
func (g *gemmCall) chooseFast() fastKind {
	fk := g.ks.fast
	if fk == nil {
		return notFast
	}
	switch {
	case g.m == 1 && !g.transB && fk.gemv != nil:
		return fastGEMV
	case g.m == 1 && g.transB && fk.dot1 != nil:
		return fastDot1
	case g.n <= narrowN && !g.transA && fk.dot != nil:
		return fastDot
	case g.n <= narrowN && g.transA && fk.swap && g.m > narrowN && !g.ep.on:
		return fastSwap
	case g.n <= narrowN && g.transA && fk.col != nil:
		return fastCol
	case g.wideNTSwaps():
		return fastSwap
	}
	return notFast
}

// wideNTSwaps reports whether C = A·Bᵀ is computed as the transpose of
// B·Aᵀ because C has few rows (at most four B tiles) and more columns:
// then the swapped product reads B, the large operand, in place as its A
// panels (see inPlaceA) and packs only the small A, where C = A·Bᵀ itself
// packs all of B into transposed panels and A too. 128×784×256 on Zen 5:
// 185 → 198 GFLOP/s. Only for beta 0 (runSwapped's beta is a plain loop).
func (g *gemmCall) wideNTSwaps() bool {
	tile := 4 * g.ks.gemm.nr
	return g.ks.fast.swap && !g.transA && g.transB && g.m <= tile && g.n > tile &&
		g.beta == 0 && g.alpha == 1 && g.ks.rowA != nil && g.b.Stride%1024 != 0 && !g.ep.on
}

// prepareFast sets up the operands the fast kernel reads, in ws (which the
// caller holds until every part of the call is done): op(A)'s single row
// made contiguous, or a transposed copy of a small op(B).
func (g *gemmCall) prepareFast(ws *workspace) {
	g.fa, g.flda = g.a.Data, g.a.Stride
	g.fb, g.fldb = g.b.Data, g.b.Stride
	switch g.fast {
	case fastGEMV, fastDot1:
		if g.transA && g.a.Stride != 1 {
			// op(A) is column 0 of A: gather it.
			ws.a = alignedFloats(ws.a, g.k)
			for p := range ws.a {
				ws.a[p] = g.a.Data[p*g.a.Stride]
			}
			g.fa = ws.a
		}
		g.flda = 1
	case fastDot:
		if !g.transB {
			// op(B) = B is K×N: transpose it so that its columns are rows.
			ws.b = alignedFloats(ws.b, g.n*g.k)
			g.transpose(ws.b, g.k, g.b.Data, g.b.Stride, g.k, g.n)
			g.fb, g.fldb = ws.b, g.k
		}
	case fastCol:
		if g.transB {
			// op(B) = Bᵀ with B N×K: transpose it so that its rows run along N.
			ws.b = alignedFloats(ws.b, g.n*g.k)
			g.transpose(ws.b, g.n, g.b.Data, g.b.Stride, g.n, g.k)
			g.fb, g.fldb = ws.b, g.n
		}
	}
}

// runSwapped computes C as the transpose of op(B)ᵀ·op(A)ᵀ, which the
// blocked driver computes (split between threads as usual) into ws; each
// part, as it finishes, writes its block transposed into C with beta (see
// finishInto), while the block is still in its core's cache. Calls with an
// epilogue are not swapped. (Nor is the swapped call swapped again: it has
// more than narrowN columns, or more than four tiles of rows.)
func (g *gemmCall) runSwapped() {
	ws := workspaces.get()
	defer workspaces.put(ws)
	ws.swap = alignedFloats(ws.swap, g.n*g.m)
	t := Matrix{Rows: g.n, Cols: g.m, Stride: g.m, Data: ws.swap}
	s := gemmCall{ks: g.ks, transA: !g.transB, transB: !g.transA, m: g.n, n: g.m, k: g.k,
		alpha: g.alpha, a: g.b, b: g.a, c: t, into: g.c, intoBeta: g.beta}
	s.fast = s.chooseFast()
	s.parallel()
}

// finishInto writes the finished block C[i0:i1, j0:j1] of a swapped call
// transposed into the original call's C (g.into), as into = intoBeta·into
// + Cᵀ. It does nothing for other calls.
func (g *gemmCall) finishInto(ws *workspace, i0, i1, j0, j1 int) {
	d := &g.into
	if d.Data == nil {
		return
	}
	rows, cols := i1-i0, j1-j0
	block := g.c.Data[i0*g.c.Stride+j0:]
	switch {
	case g.intoBeta == 0:
		g.transpose(d.Data[j0*d.Stride+i0:], d.Stride, block, g.c.Stride, rows, cols)
	case rows == d.Stride:
		// The block is whole rows of a compact into (a narrow C, momentum's
		// beta): transposed into ws.merge, then merged as one range by the
		// vector kernels (256×10×128 Aᵀ·B, beta 0.9, on Zen 5: 3.6–4.2 µs
		// per call, 4.8–4.9 element by element).
		ws.merge = alignedFloats(ws.merge, rows*cols)
		g.transpose(ws.merge, rows, block, g.c.Stride, rows, cols)
		dst := d.Data[j0*d.Stride : j1*d.Stride]
		g.ks.scale(g.intoBeta, dst)
		g.ks.add(dst, ws.merge)
	default:
		for j := j0; j < j1; j++ {
			row := d.Data[j*d.Stride+i0 : j*d.Stride+i1]
			for i := range row {
				row[i] = g.intoBeta*row[i] + g.c.Data[(i0+i)*g.c.Stride+j]
			}
		}
	}
}

// colBlockK is the depth of one call of the col kernel.
const colBlockK = 96

// fastSplit returns how the fast path may split C between threads: in
// units of rows or of columns (the other unit is 0).
func (g *gemmCall) fastSplit() (rowUnit, colUnit int) {
	switch g.fast {
	case fastGEMV:
		if u := g.ks.fast.gemvUnit; u > 0 {
			return 0, u
		}
		return 0, 64
	case fastDot1:
		return 0, 8
	case fastDot:
		return 6, 0
	default:
		return 32, 0
	}
}

// runFast computes the block C[i0:i1, j0:j1] with the fast kernel.
func (g *gemmCall) runFast(ws *workspace, i0, i1, j0, j1 int) {
	args := &ws.args // in the heap: through a func value it would escape
	*args = fastArgs{k: g.k, m: i1 - i0, n: j1 - j0, ldc: g.c.Stride, alpha: g.alpha, beta: g.beta,
		lda: g.flda, ldb: g.fldb, c: &g.c.Data[i0*g.c.Stride+j0]}
	fk := g.ks.fast
	switch g.fast {
	case fastGEMV:
		if g.gemvInBlocks() {
			g.gemvBlocked(ws, j0, j1)
			break
		}
		args.a, args.b = &g.fa[0], &g.fb[j0]
		fk.gemv(args)
	case fastDot1:
		args.a, args.b = &g.fa[0], &g.fb[j0*g.fldb]
		fk.dot1(args)
	case fastDot:
		args.a, args.b = &g.fa[i0*g.flda], &g.fb[j0*g.fldb]
		fk.dot(args)
	case fastCol:
		// In blocks of colBlockK steps, so that the kernel's strip of A (32
		// rows) stays in L1 while it sweeps the columns of C.
		for p0 := 0; p0 < g.k; p0 += colBlockK {
			args.k = min(colBlockK, g.k-p0)
			args.a, args.b = &g.fa[p0*g.flda+i0], &g.fb[p0*g.fldb+j0]
			if p0 > 0 {
				args.beta = 1
			}
			fk.col(args)
		}
	}
	g.ep.apply(g.ks, ws, &g.c, i0, i1, j0, j1)
}

// A GEMV whose op(B) has at least gemvBlockedFloats elements is computed
// in gemvBlocks blocks of K (see gemvBlocked). The size is about that of
// a 1 MB L2 (Zen 4 and 5) less what else a prediction keeps there: below
// it the blocks gained nothing on Zen 5 (256 and 512 KB: 0–5% slower).
const (
	gemvBlocks        = 4
	gemvBlockedFloats = 160 << 10 // 640 KB
)

// gemvInBlocks reports whether a GEMV call is computed by gemvBlocked: a
// large op(B), and deep enough that the partial sums (gemvBlocks rows of
// C) cost at most ~1.5% of the traffic. It depends on the whole call, not
// on a thread's share, so that the result does not depend on the number
// of threads.
func (g *gemmCall) gemvInBlocks() bool {
	return g.ks.fast.blockGEMV && g.k >= 64*gemvBlocks && g.k*g.n >= gemvBlockedFloats
}

// gemvBlocked computes the GEMV's columns j0:j1 as gemvBlocks partial sums
// over blocks of K, which it visits in reverse order on every other call
// with the same workspace. A forward sweep over weights that nearly fill
// L2 (or exceed it) finds little of them there: each line is evicted
// shortly before its next use. Sweeping back starts with the lines the
// last sweep left in the cache. The partial sums are added in block order,
// so the result does not depend on the order of the visit. 1×256×784 (the
// first layer at batch 1) on Zen 5, BenchmarkGemvAllocations: median of
// eight allocations of the weights 5.31 → 4.82 µs, slowest 6.09 → 5.35.
func (g *gemmCall) gemvBlocked(ws *workspace, j0, j1 int) {
	n := j1 - j0
	ws.gemv = alignedFloats(ws.gemv, gemvBlocks*n)
	ws.reverse = !ws.reverse
	kb := (g.k + gemvBlocks - 1) / gemvBlocks
	args := &ws.args
	for i := range gemvBlocks {
		blk := i
		if ws.reverse {
			blk = gemvBlocks - 1 - i
		}
		p0 := blk * kb
		p1 := min(p0+kb, g.k)
		*args = fastArgs{k: p1 - p0, m: 1, n: n, a: &g.fa[p0], lda: 1, b: &g.fb[p0*g.fldb+j0], ldb: g.fldb,
			c: &ws.gemv[blk*n], ldc: n, alpha: 1}
		g.ks.fast.gemv(args)
	}
	sum := ws.gemv[:n]
	for blk := 1; blk < gemvBlocks; blk++ {
		g.ks.add(sum, ws.gemv[blk*n:(blk+1)*n])
	}
	gemvStore(g.c.Data[j0:j1], sum, g.alpha, g.beta) // m == 1: row 0 of C
}

// transpose sets dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols.
func (g *gemmCall) transpose(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	if t := g.ks.fast.transpose; t != nil {
		// Bounds for the assembly.
		_ = src[(rows-1)*lds+cols-1]
		_ = dst[(cols-1)*ldd+rows-1]
		t(rows, cols, &src[0], lds, &dst[0], ldd)
		return
	}
	transpose(dst, ldd, src, lds, rows, cols)
}

// transpose sets dst[j*ldd+i] = src[i*lds+j] for i < rows, j < cols.
func transpose(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	for i := range rows {
		s := src[i*lds : i*lds+cols : i*lds+cols]
		for j, v := range s {
			dst[j*ldd+i] = v
		}
	}
}
