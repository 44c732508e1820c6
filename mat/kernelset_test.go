package mat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Checks that run every kernel set (assembly and generic) through the same
// cases: the fast-path kernels and the strided row kernels against their
// Go twins (fast_generic.go), and the packers and micro-kernels on special
// values. Small-integer data keep every sum exact whatever the order of the
// additions or the fusing of multiplies, so the results must agree exactly.

// smallInt draws an integer in [-4, 4] as a float32.
func smallInt(rng *rand.Rand) float32 { return float32(rng.IntN(9) - 4) }

// kernelBuf returns n floats at off elements into a buffer whose other
// elements (lead 5, tail 7) hold the guard value, and the buffer.
func kernelBuf(n, off int, fill func() float32) (s, buf []float32) {
	buf = make([]float32, 5+off+n+7)
	for i := range buf {
		buf[i] = guard
	}
	s = buf[5+off : 5+off+n : 5+off+n]
	for i := range s {
		s[i] = fill()
	}
	return s, buf
}

// sameValue: equal (±0 alike), or both NaN.
func sameValue(a, b float64) bool { return a == b || a != a && b != b }

// fastCase is one call of a fast-path kernel: C (m×n, row stride ldc) from
// a and b, laid out as the kernel reads them.
type fastCase struct {
	kind        fastKind
	m, n, k     int
	lda, ldb    int
	ldc         int
	alpha, beta float32
}

// operands returns a's and b's lengths for the kernel's layout.
func (fc fastCase) operands() (na, nb int) {
	switch fc.kind {
	case fastGEMV: // a: k; b: k rows of n
		return fc.k, (fc.k-1)*fc.ldb + fc.n
	case fastCol: // a: k rows of m; b: k rows of n
		return (fc.k-1)*fc.lda + fc.m, (fc.k-1)*fc.ldb + fc.n
	default: // a: m rows of k; b: n rows of k
		return (fc.m-1)*fc.lda + fc.k, (fc.n-1)*fc.ldb + fc.k
	}
}

// ref computes the case in float64 (exact for small integers; NaN and Inf
// propagate as they must).
func (fc fastCase) ref(a, b, c []float32) []float64 {
	out := make([]float64, fc.m*fc.n)
	for i := range fc.m {
		for j := range fc.n {
			var s float64
			for p := range fc.k {
				var x, y float32
				switch fc.kind {
				case fastGEMV:
					x, y = a[p], b[p*fc.ldb+j]
				case fastCol:
					x, y = a[p*fc.lda+i], b[p*fc.ldb+j]
				default:
					x, y = a[i*fc.lda+p], b[j*fc.ldb+p]
				}
				s += float64(x) * float64(y)
			}
			v := float64(fc.alpha) * s
			if fc.beta != 0 {
				v += float64(fc.beta) * float64(c[i*fc.ldc+j])
			}
			out[i*fc.n+j] = v
		}
	}
	return out
}

// run calls kernel fn on fresh guarded operands and checks C against the
// float64 reference and the guards; specials puts NaN and Inf into A or B.
func (fc fastCase) run(t *testing.T, rng *rand.Rand, what string, fn func(*fastArgs), specials bool) {
	t.Helper()
	na, nb := fc.operands()
	small := func() float32 { return smallInt(rng) }
	a, abuf := kernelBuf(na, rng.IntN(4), small)
	b, bbuf := kernelBuf(nb, rng.IntN(4), small)
	if specials {
		for range 1 + rng.IntN(3) {
			v := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}[rng.IntN(3)]
			if rng.IntN(2) == 0 {
				a[rng.IntN(len(a))] = v
			} else {
				b[rng.IntN(len(b))] = v
			}
		}
	}
	cfill := small
	if fc.beta == 0 {
		cfill = func() float32 { return float32(math.NaN()) } // must not be read
	}
	c, cbuf := kernelBuf((fc.m-1)*fc.ldc+fc.n, rng.IntN(4), cfill)
	for i := range c {
		if i%fc.ldc >= fc.n {
			c[i] = guard // the gaps between rows are guards too
		}
	}
	want := fc.ref(a, b, c)
	args := &fastArgs{k: fc.k, m: fc.m, n: fc.n, a: &a[0], lda: fc.lda, b: &b[0], ldb: fc.ldb,
		c: &c[0], ldc: fc.ldc, alpha: fc.alpha, beta: fc.beta}
	fn(args)
	for i := range fc.m {
		for j := range fc.n {
			got := float64(c[i*fc.ldc+j])
			if w := want[i*fc.n+j]; !sameValue(got, w) {
				t.Fatalf("%s: C[%d,%d] = %v, want %v", what, i, j, got, w)
			}
		}
	}
	for _, g := range []struct {
		name string
		buf  []float32
		keep func(i int) bool // elements of the buffer that may change
	}{
		{"A", abuf, func(int) bool { return false }},
		{"B", bbuf, func(int) bool { return false }},
		{"C", cbuf, func(i int) bool {
			r := i - (len(cbuf) - 7 - len(c))
			return r >= 0 && r < len(c) && r%fc.ldc < fc.n
		}},
	} {
		for i, v := range g.buf {
			if !g.keep(i) && math.Float32bits(v) != math.Float32bits(guard) {
				start := len(g.buf) - 7
				if g.name == "A" {
					start -= len(a)
				} else if g.name == "B" {
					start -= len(b)
				} else {
					start -= len(c)
				}
				if g.name != "C" && i >= start && i < len(g.buf)-7 {
					continue // an input value, not a guard; checked below
				}
				t.Fatalf("%s: %s changed at buffer index %d to %v", what, g.name, i, v)
			}
		}
	}
}

// fastTwins pairs each fast-path kernel with its Go twin and kind.
func fastTwins(fk *fastKernels) []struct {
	name string
	kind fastKind
	fn   func(*fastArgs)
} {
	all := []struct {
		name string
		kind fastKind
		fn   func(*fastArgs)
	}{
		{"gemv", fastGEMV, fk.gemv},
		{"dot1", fastDot1, fk.dot1},
		{"dot", fastDot, fk.dot},
		{"col", fastCol, fk.col},
	}
	out := all[:0]
	for _, k := range all {
		if k.fn != nil {
			out = append(out, k)
		}
	}
	return out
}

// TestFastKernels runs every set's fast-path kernels, and the Go twins
// themselves, on odd sizes around their tiles (4, 8, 16, 32 and 64 wide),
// strided and unaligned operands, both beta cases (NaN in C when beta is
// 0), with guards around every operand.
func TestFastKernels(t *testing.T) {
	twins := &fastKernels{gemv: gemvGeneric, dot1: dot1Generic, dot: dotGeneric, col: colGeneric}
	sets := []struct {
		name string
		fk   *fastKernels
	}{{"twins", twins}}
	for _, ks := range kernelSets {
		if ks.fast != nil {
			sets = append(sets, struct {
				name string
				fk   *fastKernels
			}{ks.name, ks.fast})
		}
	}
	rng := rand.New(rand.NewPCG(51, 52))
	wide := []int{1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33, 36, 63, 64, 65, 100, 266, 528}
	narrow := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 16, 17, 19, 21, 23, 24}
	rows := []int{1, 2, 3, 4, 5, 8, 13, 15, 16, 17, 31, 32, 33, 47}
	depths := []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 25, 33, 47}
	if emulated() && testing.Short() {
		wide, narrow, rows, depths = wide[:12], narrow[:10], rows[:9], depths[:8]
	}
	for _, set := range sets {
		for _, kn := range fastTwins(set.fk) {
			ms, ns := rows, narrow
			if kn.kind == fastGEMV || kn.kind == fastDot1 {
				ms, ns = []int{1}, wide
			}
			for _, m := range ms {
				for _, n := range ns {
					for _, k := range depths {
						fc := fastCase{kind: kn.kind, m: m, n: n, k: k,
							alpha: []float32{1, -0.75, 2}[rng.IntN(3)],
							beta:  []float32{0, 1, -0.5, float32(math.Copysign(0, -1))}[rng.IntN(4)]}
						pad := rng.IntN(3)
						switch kn.kind {
						case fastGEMV:
							fc.lda, fc.ldb = 1, n+pad
						case fastCol:
							fc.lda, fc.ldb = m+pad, n+rng.IntN(3)
						default:
							fc.lda, fc.ldb = k+pad, k+rng.IntN(3)
						}
						fc.ldc = n + rng.IntN(3)
						what := fmt.Sprintf("%s %s m=%d n=%d k=%d lda=%d ldb=%d ldc=%d alpha=%v beta=%v",
							set.name, kn.name, m, n, k, fc.lda, fc.ldb, fc.ldc, fc.alpha, fc.beta)
						fc.run(t, rng, what, kn.fn, false)
						fc.run(t, rng, what+" NaN/Inf", kn.fn, true)
					}
				}
			}
		}
	}
}

// TestFastKernelsLongK covers the steady loops over a long K (several
// hundred steps, as in the network's layers).
func TestFastKernelsLongK(t *testing.T) {
	rng := rand.New(rand.NewPCG(53, 54))
	for _, ks := range kernelSets {
		if ks.fast == nil {
			continue
		}
		for _, kn := range fastTwins(ks.fast) {
			fc := fastCase{kind: kn.kind, m: 33, n: 10, k: 259, alpha: 1, beta: 1}
			switch kn.kind {
			case fastGEMV, fastDot1:
				fc.m, fc.n = 1, 70
				fc.lda, fc.ldb = 1, 70
				if kn.kind == fastDot1 {
					fc.ldb = fc.k
				}
			case fastCol:
				fc.lda, fc.ldb = 33, 10
			default:
				fc.lda, fc.ldb = fc.k, fc.k
			}
			fc.ldc = fc.n
			fc.run(t, rng, ks.name+" "+kn.name+" long k", kn.fn, false)
		}
	}
}

// TestStridedKernels compares every set's strided row kernels (the main
// height and the edge kernel) with stridedRowGeneric, B read in place with
// a row stride, over several tiles; C holds NaN when beta is 0.
func TestStridedKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(55, 56))
	for _, ks := range kernelSets {
		nr := ks.gemm.nr
		for _, rk := range stridedKernels(ks) {
			twin := stridedRowGeneric(rk.mr, nr)
			for _, k := range []int{1, 2, 3, 5, 8, 17, 40} {
				for tiles := 1; tiles <= 3; tiles++ {
					for _, beta := range []float32{0, 1, -0.5} {
						ldb := tiles*nr + rng.IntN(5)
						a, _ := kernelBuf(k*rk.mr, rng.IntN(4), func() float32 { return smallInt(rng) })
						b, _ := kernelBuf((k-1)*ldb+tiles*nr, rng.IntN(4), func() float32 { return smallInt(rng) })
						ldc := tiles*nr + rng.IntN(3)
						fillC := func() float32 { return smallInt(rng) }
						if beta == 0 {
							fillC = func() float32 { return float32(math.NaN()) }
						}
						c0, _ := kernelBuf((rk.mr-1)*ldc+tiles*nr, 0, fillC)
						want := append([]float32(nil), c0...)
						got, gbuf := kernelBuf(len(c0), rng.IntN(4), func() float32 { return 0 })
						copy(got, c0)
						twin(k, tiles, &a[0], &b[0], ldb, nr, &want[0], ldc, beta)
						rk.row(k, tiles, &a[0], &b[0], ldb, nr, &got[0], ldc, beta)
						what := fmt.Sprintf("%s strided%d k=%d tiles=%d beta=%v", ks.name, rk.mr, k, tiles, beta)
						for i := range got {
							if !sameValue(float64(got[i]), float64(want[i])) {
								t.Fatalf("%s: C[%d,%d] = %v, twin gives %v", what, i/ldc, i%ldc, got[i], want[i])
							}
						}
						start := len(gbuf) - 7 - len(got)
						for i, v := range gbuf {
							if (i < start || i >= start+len(got)) && v != guard {
								t.Fatalf("%s: wrote outside C at buffer index %d", what, i)
							}
						}
					}
				}
			}
		}
	}
}

// packSpecials are the values the packers must scale exactly like Go:
// NaNs with payloads, ±0, ±Inf, denormals, extremes.
var packSpecials = []uint32{
	0x7fc00000, 0xffc00000, 0x7fc12345, 0x7f800001, // NaNs, one signalling
	0x00000000, 0x80000000, 0x7f800000, 0xff800000, // ±0, ±Inf
	0x00000001, 0x807fffff, 0x7f7fffff, 0x00800000, // denormals, max, smallest normal
	0x3f800000, 0xbf800000, 0xc0490fdb, // ±1, -pi
}

// TestPackersSpecialValues: every set's panel packers give alpha·src bit
// for bit on special values, except that where the product is NaN only
// NaN-ness is required (the element-kernel NaN rule, see doc.go).
func TestPackersSpecialValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(57, 58))
	for _, ks := range kernelSets {
		type packer struct {
			name  string
			w     int
			fn    func(k int, src *float32, ld int, dst *float32, alpha float32)
			trans bool
		}
		pks := []packer{
			{"A.copy", ks.gemm.mr, ks.packA.copy, false}, {"A.trans", ks.gemm.mr, ks.packA.trans, true},
			{"B.copy", ks.gemm.nr, ks.packB.copy, false}, {"B.trans", ks.gemm.nr, ks.packB.trans, true},
		}
		if ks.edgeRows != nil {
			pks = append(pks, packer{"edge.copy", ks.edgeRows.mr, ks.edgeRows.packA.copy, false},
				packer{"edge.trans", ks.edgeRows.mr, ks.edgeRows.packA.trans, true})
		}
		for _, pk := range pks {
			if pk.fn == nil {
				continue
			}
			for k := 1; k <= 19; k++ {
				for _, alpha := range []float32{1, -0.5, 3, float32(math.Copysign(0, -1)), float32(math.Inf(1))} {
					rows, cols := k, pk.w
					if pk.trans {
						rows, cols = pk.w, k
					}
					ld := cols + rng.IntN(4)
					src, _ := kernelBuf((rows-1)*ld+cols, rng.IntN(4), func() float32 {
						if rng.IntN(3) == 0 {
							return float32(rng.NormFloat64())
						}
						return math.Float32frombits(packSpecials[rng.IntN(len(packSpecials))])
					})
					// room for the packSlack a packer may write past the panel
					dst, dbuf := kernelBuf(k*pk.w+packSlack, rng.IntN(4), func() float32 { return 0 })
					dst = dst[:k*pk.w]
					pk.fn(k, &src[0], ld, &dst[0], alpha)
					what := fmt.Sprintf("%s pack%s k=%d alpha=%v", ks.name, pk.name, k, alpha)
					for p := range k {
						for i := range pk.w {
							var v float32
							if pk.trans {
								v = src[i*ld+p]
							} else {
								v = src[p*ld+i]
							}
							want, got := alpha*v, dst[p*pk.w+i]
							if want != want {
								if got == got {
									t.Fatalf("%s: [%d,%d] = %v, want NaN (alpha·%#x)", what, p, i, got, math.Float32bits(v))
								}
							} else if math.Float32bits(got) != math.Float32bits(want) {
								t.Fatalf("%s: [%d,%d] = %#x, want %#x (alpha·%#x)", what, p, i,
									math.Float32bits(got), math.Float32bits(want), math.Float32bits(v))
							}
						}
					}
					// A packer may write up to packSlack past the panel (the
					// driver leaves that room), nothing before it.
					start := len(dbuf) - 7 - packSlack - len(dst)
					for i := 0; i < start; i++ {
						if dbuf[i] != guard {
							t.Fatalf("%s: wrote before the panel", what)
						}
					}
				}
			}
		}
	}
}

// TestMicroKernelExact: every set's micro-kernel and row kernel on small
// integers equal the float64 reference exactly, for k from 0 to 40, every
// beta (-0 counts as 0: C holds NaN and must not be read), unaligned
// panels and a C row stride wider than the tile.
// oneTile computes one mr×nr tile from packed panels with the set's
// micro-kernel, or with its strided row kernel where the set has no
// tile-by-tile kernel.
func oneTile(ks *kernelSet, k int, a, b, c *float32, ldc int, beta float32) {
	if ks.gemm.fn != nil {
		ks.gemm.fn(k, a, b, c, ldc, beta)
		return
	}
	nr := ks.gemm.nr
	ks.gemmRowStrided(k, 1, a, b, nr, nr*k, c, ldc, beta)
}

func TestMicroKernelExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(59, 60))
	for _, ks := range kernelSets {
		mr, nr := ks.gemm.mr, ks.gemm.nr
		for k := 0; k <= 40; k++ {
			for _, beta := range []float32{0, 1, -0.5, 2, float32(math.Copysign(0, -1))} {
				for _, useRow := range []bool{false, true} {
					if useRow && ks.gemmRow == nil {
						continue
					}
					a, _ := kernelBuf(max(k*mr, 1), rng.IntN(4), func() float32 { return smallInt(rng) })
					b, _ := kernelBuf(max(k*nr, 1), rng.IntN(4), func() float32 { return smallInt(rng) })
					ldc := nr + rng.IntN(5)
					fillC := func() float32 { return smallInt(rng) }
					if beta == 0 {
						fillC = func() float32 { return float32(math.NaN()) }
					}
					c, cbuf := kernelBuf((mr-1)*ldc+nr, rng.IntN(4), fillC)
					for i := range c {
						if i%ldc >= nr {
							c[i] = guard
						}
					}
					want, _ := refTile(k, mr, nr, a, b, c, ldc, beta)
					if useRow {
						ks.gemmRow(k, 1, &a[0], &b[0], &c[0], ldc, beta)
					} else {
						oneTile(ks, k, &a[0], &b[0], &c[0], ldc, beta)
					}
					what := fmt.Sprintf("%s row=%v k=%d beta=%v ldc=%d", ks.name, useRow, k, beta, ldc)
					for i := range mr {
						for j := range nr {
							if got := float64(c[i*ldc+j]); got != want[i*nr+j] {
								t.Fatalf("%s: C[%d,%d] = %v, want %v", what, i, j, got, want[i*nr+j])
							}
						}
					}
					start := len(cbuf) - 7 - len(c)
					for i, v := range cbuf {
						r := i - start
						if (r < 0 || r >= len(c) || r%ldc >= nr) && v != guard {
							t.Fatalf("%s: wrote outside the tile at %d", what, r)
						}
					}
				}
			}
		}
	}
}

// TestMicroKernelSpecials: NaN and Inf in A, B or C reach exactly the C
// elements they should, for every set's micro-kernel.
func TestMicroKernelSpecials(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	for _, ks := range kernelSets {
		mr, nr := ks.gemm.mr, ks.gemm.nr
		for trial := range 200 {
			k := 1 + rng.IntN(12)
			beta := []float32{0, 1, -0.5}[trial%3]
			a := make([]float32, k*mr)
			b := make([]float32, k*nr)
			for i := range a {
				a[i] = smallInt(rng)
			}
			for i := range b {
				b[i] = smallInt(rng)
			}
			for range 1 + rng.IntN(3) {
				v := []float32{nan, inf, -inf}[rng.IntN(3)]
				if rng.IntN(2) == 0 {
					a[rng.IntN(len(a))] = v
				} else {
					b[rng.IntN(len(b))] = v
				}
			}
			c := make([]float32, mr*nr)
			for i := range c {
				c[i] = smallInt(rng)
				if beta == 0 {
					c[i] = nan
				}
			}
			if beta != 0 && rng.IntN(2) == 0 {
				c[rng.IntN(len(c))] = []float32{nan, inf, -inf}[rng.IntN(3)]
			}
			want, _ := refTile(k, mr, nr, a, b, c, nr, beta)
			oneTile(ks, k, &a[0], &b[0], &c[0], nr, beta)
			for i := range c {
				if !sameValue(float64(c[i]), want[i]) {
					t.Fatalf("%s trial %d k=%d beta=%v: C[%d,%d] = %v, want %v", ks.name, trial, k, beta, i/nr, i%nr, c[i], want[i])
				}
			}
		}
	}
}

// TestAxpyRoundsProduct: every set's axpy rounds alpha·x before the add.
// With alpha·x = 1+2^-22+2^-46 and y = -1, a fused multiply-add would give
// 2^-22+2^-46, not 2^-22.
func TestAxpyRoundsProduct(t *testing.T) {
	a := float32(1 + 0x1p-23)
	for _, ks := range kernelSets {
		for _, n := range []int{1, 4, 8, 16, 19} {
			x, y := make([]float32, n), make([]float32, n)
			for i := range y {
				x[i], y[i] = a, -1
			}
			ks.axpy(a, x, y)
			for i, v := range y {
				if v != 0x1p-22 {
					t.Fatalf("%s n=%d: axpy [%d] = %g, want 2^-22 (alpha·x rounded before the add)", ks.name, n, i, v)
				}
			}
		}
	}
}

// TestPrefetch runs each set's prefetch hint over every length and
// alignment up to a few cache lines, ending at the end of its allocation:
// it must return and leave memory as it was.
func TestPrefetch(t *testing.T) {
	for _, ks := range kernelSets {
		if ks.prefetch == nil {
			continue
		}
		for n := 0; n <= 40; n++ {
			for off := 0; off < 17; off++ {
				buf := make([]float32, off+n)
				for i := range buf {
					buf[i] = float32(i)
				}
				ks.prefetch(buf[off:])
				for i, v := range buf {
					if v != float32(i) {
						t.Fatalf("%s: prefetch of %d floats at offset %d changed [%d] to %v", ks.name, n, off, i, v)
					}
				}
			}
		}
	}
}
