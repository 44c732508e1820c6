//go:build gc && !purego

package mat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/sys/cpu"
)

// These tests check the NEON kernels of asm_arm64.s against the generic Go
// twins directly at the kernelSet level, with the corner cases the assembly
// has to get right: tails, unaligned starts, guard elements, NaN/±0/±Inf/
// denormals bit for bit. Run them under qemu from an amd64 machine with
//
//	GOARCH=arm64 go test -exec qemu-aarch64-static ./mat/

func neonTestSet(t *testing.T, name string) *kernelSet {
	t.Helper()
	for _, ks := range kernelSets {
		if ks.name == name {
			return ks
		}
	}
	t.Skipf("kernel set %q not available (have %v)", name, Impls())
	return nil
}

func TestNEONSelectedWhenAvailable(t *testing.T) {
	impls := Impls()
	if impls[len(impls)-1] != "generic" {
		t.Errorf("Impls() = %v, want generic last", impls)
	}
	want := "generic"
	if cpu.ARM64.HasASIMD {
		want = "neon"
	}
	if impls[0] != want {
		t.Errorf("HasASIMD=%v: Impls() = %v, want %q first", cpu.ARM64.HasASIMD, impls, want)
	}
}

// neonGuard is the bit pattern written around every output; a kernel that
// writes out of bounds changes it.
const neonGuard = 0x7fc0dead // a quiet NaN with a payload no kernel produces

// neonGuarded returns a slice of n floats starting off elements (off 0-3: the
// start is then not 16-byte aligned unless off is 0) into a buffer whose
// other elements all hold the guard pattern.
func neonGuarded(n, off int) (buf, s []float32) {
	const pad = 8
	buf = make([]float32, pad+off+n+pad)
	for i := range buf {
		buf[i] = math.Float32frombits(neonGuard)
	}
	return buf, buf[pad+off : pad+off+n : pad+off+n]
}

// neonCheckGuards reports elements of buf outside [lo, hi) that lost the guard pattern.
func neonCheckGuards(t *testing.T, what string, buf []float32, lo, hi int) {
	t.Helper()
	for i, v := range buf {
		if (i < lo || i >= hi) && math.Float32bits(v) != neonGuard {
			t.Errorf("%s: wrote outside its output at buffer index %d (output is [%d,%d)): %#x", what, i, lo, hi, math.Float32bits(v))
			return
		}
	}
}

// neonSpecials are the values the element kernels must treat exactly like the
// generic code: quiet and signalling NaNs with payloads of both signs, ±0,
// ±Inf, denormals, extremes.
var neonSpecials = []uint32{
	0x7fc00000, 0xffc00000, 0x7fc12345, 0xffd00001, // quiet NaNs
	0x7f800001, 0xff812345, // signalling NaNs
	0x00000000, 0x80000000, // ±0
	0x7f800000, 0xff800000, // ±Inf
	0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00400000, // denormals
	0x7f7fffff, 0xff7fffff, 0x00800000, 0x80800000, // ±max, ±smallest normal
	0x3f800000, 0xbf800000, 0x3effffff, 0xc0490fdb, // ±1, ~0.5, -pi
}

// neonFillSpecial fills s with a mix of special and random values; which mix
// depends on seed so that different operands line up differently.
func neonFillSpecial(s []float32, rng *rand.Rand) {
	for i := range s {
		if rng.IntN(3) == 0 {
			s[i] = float32(rng.NormFloat64() * 4)
		} else {
			s[i] = math.Float32frombits(neonSpecials[rng.IntN(len(neonSpecials))])
		}
	}
}

func neonSameBits(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return -1, true
}

// elementCase runs one element kernel of both sets on copies of the same
// inputs (dst starting at dstOff, the other operands at srcOff) and
// compares the outputs bit for bit.
type neonElementOp struct {
	name string
	// run applies the kernel of ks with output out and inputs in (len(in)
	// operands, each as long as out).
	run    func(ks *kernelSet, out []float32, in [][]float32)
	inputs int // operands besides out
}

var neonElementOps = []neonElementOp{
	{"relu", func(ks *kernelSet, out []float32, in [][]float32) { ks.relu(out, in[0]) }, 1},
	{"reluGrad", func(ks *kernelSet, out []float32, in [][]float32) { ks.reluGrad(out, in[0], in[1]) }, 2},
	{"add", func(ks *kernelSet, out []float32, in [][]float32) { ks.add(out, in[0]) }, 1},
}

// neonAlphas for axpy and scale: ordinary, signed zeros, NaN, Inf, denormal.
var neonAlphas = []float32{
	1, -1, 0.5, 3.7, -0.01,
	float32(math.Copysign(0, -1)), 0,
	math.Float32frombits(0x7fc04321), math.Float32frombits(0x7f800003),
	float32(math.Inf(1)), float32(math.Inf(-1)),
	math.Float32frombits(0x00000003), math.MaxFloat32,
}

func init() {
	for _, alpha := range neonAlphas {
		neonElementOps = append(neonElementOps,
			neonElementOp{fmt.Sprintf("axpy(alpha=%#x)", math.Float32bits(alpha)),
				func(ks *kernelSet, out []float32, in [][]float32) { ks.axpy(alpha, in[0], out) }, 1},
			neonElementOp{fmt.Sprintf("scale(alpha=%#x)", math.Float32bits(alpha)),
				func(ks *kernelSet, out []float32, _ [][]float32) { ks.scale(alpha, out) }, 0},
		)
	}
}

func TestNEONElementKernelsBitExact(t *testing.T) {
	neon := neonTestSet(t, "neon")
	gen := neonTestSet(t, "generic")
	rng := rand.New(rand.NewPCG(1, 2))
	offsets := [][2]int{{0, 0}, {1, 3}, {2, 1}, {3, 2}, {0, 1}, {3, 0}}
	for _, op := range neonElementOps {
		for n := 0; n <= 70; n++ {
			for _, off := range offsets {
				outOff, inOff := off[0], off[1]
				start := make([]float32, n)
				neonFillSpecial(start, rng)
				in := make([][]float32, op.inputs)
				for i := range in {
					_, in[i] = neonGuarded(n, inOff)
					neonFillSpecial(in[i], rng)
				}
				inCopy := make([][]float32, len(in))
				for i := range in {
					inCopy[i] = slices.Clone(in[i])
				}

				want := slices.Clone(start)
				op.run(gen, want, in)

				buf, got := neonGuarded(n, outOff)
				copy(got, start)
				op.run(neon, got, in)

				what := fmt.Sprintf("%s n=%d offsets=%v", op.name, n, off)
				if i, ok := neonSameBits(got, want); !ok {
					ins := ""
					for _, s := range in {
						ins += fmt.Sprintf(" %#x", math.Float32bits(s[i]))
					}
					t.Fatalf("%s: [%d] = %#x, generic gives %#x (out before %#x, inputs%s)",
						what, i, math.Float32bits(got[i]), math.Float32bits(want[i]), math.Float32bits(start[i]), ins)
				}
				neonCheckGuards(t, what, buf, 8+outOff, 8+outOff+n)
				for i := range in {
					if _, ok := neonSameBits(in[i], inCopy[i]); !ok {
						t.Fatalf("%s: input %d was modified", what, i)
					}
				}
			}
		}
	}
}

// In-place use: ReLU(m, m) and ReLUGrad(g, g, x) pass dst == src.
func TestNEONElementKernelsInPlace(t *testing.T) {
	neon := neonTestSet(t, "neon")
	gen := neonTestSet(t, "generic")
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 70; n++ {
		src := make([]float32, n)
		x := make([]float32, n)
		neonFillSpecial(src, rng)
		neonFillSpecial(x, rng)

		want, got := slices.Clone(src), slices.Clone(src)
		gen.relu(want, want)
		neon.relu(got, got)
		if i, ok := neonSameBits(got, want); !ok {
			t.Fatalf("relu in place n=%d: [%d] = %#x, want %#x", n, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
		}

		want, got = slices.Clone(src), slices.Clone(src)
		gen.reluGrad(want, want, x)
		neon.reluGrad(got, got, x)
		if i, ok := neonSameBits(got, want); !ok {
			t.Fatalf("reluGrad in place n=%d: [%d] = %#x, want %#x", n, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
		}
	}
}

// The element kernels' documented results, checked on values directly
// rather than against the generic code, so that a change to both that
// broke the documented behaviour would still be caught.
func TestNEONElementSemantics(t *testing.T) {
	neon := neonTestSet(t, "neon")
	negZero := float32(math.Copysign(0, -1))
	nan := math.Float32frombits(0x7fc12345)
	// 16 values: one full vector iteration of every kernel.
	x := []float32{-1, negZero, 0, 2, nan, float32(math.Inf(-1)), float32(math.Inf(1)), -1e-45,
		1e-45, 3, -3, 0.5, -0.5, nan, 7, -7}

	relu := make([]float32, len(x))
	neon.relu(relu, x)
	for i, v := range x {
		want := v
		if v < 0 {
			want = 0
		}
		if math.Float32bits(relu[i]) != math.Float32bits(want) {
			t.Errorf("relu(%v) = %v (%#x), want %v", v, relu[i], math.Float32bits(relu[i]), want)
		}
	}
	if math.Float32bits(relu[1]) != 0x80000000 {
		t.Errorf("relu(-0) lost the sign: %#x", math.Float32bits(relu[1]))
	}
	if math.Float32bits(relu[4]) != 0x7fc12345 {
		t.Errorf("relu(NaN) changed the NaN: %#x", math.Float32bits(relu[4]))
	}

	grad := make([]float32, len(x))
	for i := range grad {
		grad[i] = float32(i + 1)
	}
	g := make([]float32, len(x))
	neon.reluGrad(g, grad, x)
	for i, v := range x {
		want := float32(0)
		if v > 0 {
			want = grad[i]
		}
		if math.Float32bits(g[i]) != math.Float32bits(want) {
			t.Errorf("reluGrad at x=%v = %v (%#x), want %v", v, g[i], math.Float32bits(g[i]), want)
		}
	}

	// axpy rounds alpha*x before the add: with alpha*x = 1+2^-23+2^-46 and
	// y = -1, a fused multiply-add would give 2^-23+2^-46, not 2^-23.
	a := float32(1 + 0x1p-23)
	ys := make([]float32, 16)
	xs := make([]float32, 16)
	for i := range ys {
		ys[i], xs[i] = -1, a
	}
	neon.axpy(a, xs, ys)
	for i, y := range ys {
		if y != 0x1p-22 {
			t.Fatalf("axpy [%d] = %g, want 2^-22 (alpha*x rounded before the add)", i, y)
		}
	}
}

// neonGemmReference computes the tile the microKernel contract describes, in
// float64: acc[i][j] = sum_p a[p*mr+i]*b[p*nr+j], then c = acc (beta == 0)
// or beta*c + acc. Returned values are rounded to float32 once.
func neonGemmReference(mr, nr, k int, a, b, c []float32, ldc int, beta float32) []float64 {
	out := make([]float64, mr*nr)
	for i := range mr {
		for j := range nr {
			var acc float64
			for p := range k {
				acc += float64(a[p*mr+i]) * float64(b[p*nr+j])
			}
			if beta != 0 {
				acc += float64(beta) * float64(c[i*ldc+j])
			}
			out[i*nr+j] = acc
		}
	}
	return out
}

// neonGemmTile calls ks's microKernel on an mr×nr tile of C (at off elements into
// a guarded buffer, row stride ldc) and checks that nothing outside the tile
// was written. It returns the tile as mr*nr values.
func neonGemmTile(t *testing.T, ks *kernelSet, k int, a, b, cIn []float32, ldc, off int, beta float32, what string) []float32 {
	t.Helper()
	mr, nr := ks.gemm.mr, ks.gemm.nr
	buf, c := neonGuarded((mr-1)*ldc+nr, off)
	for i := range mr {
		copy(c[i*ldc:i*ldc+nr], cIn[i*ldc:i*ldc+nr])
	}
	var ap, bp *float32
	if k > 0 {
		ap, bp = &a[0], &b[0]
	}
	ks.gemm.fn(k, ap, bp, &c[0], ldc, beta)
	for i := range mr {
		// the gaps between rows (ldc > nr) are guards too
		for j := nr; j < ldc && i < mr-1; j++ {
			if math.Float32bits(c[i*ldc+j]) != neonGuard {
				t.Fatalf("%s: wrote C row %d column %d, beyond the tile's %d columns", what, i, j, nr)
			}
		}
	}
	neonCheckGuards(t, what, buf, 8+off, 8+off+len(c))
	tile := make([]float32, 0, mr*nr)
	for i := range mr {
		tile = append(tile, c[i*ldc:i*ldc+nr]...)
	}
	return tile
}

// neonPackedOperand returns n values of the given kind at off elements into a
// fresh slice, so that the panel does not start 16-byte aligned when off > 0.
func neonPackedOperand(n, off int, value func() float32) []float32 {
	s := make([]float32, off+n)[off:]
	for i := range s {
		s[i] = value()
	}
	return s
}

// neonCInput returns a C block for an mr×ldc tile: small integers where the tile
// is, the guard pattern elsewhere; with nanC the tile holds NaN instead
// (beta == 0 must not read it).
func neonCInput(mr, nr, ldc int, rng *rand.Rand, nanC bool) []float32 {
	c := make([]float32, (mr-1)*ldc+nr)
	for i := range c {
		c[i] = math.Float32frombits(neonGuard)
	}
	for i := range mr {
		for j := range nr {
			if nanC {
				c[i*ldc+j] = float32(math.NaN())
			} else {
				c[i*ldc+j] = float32(rng.IntN(17) - 8)
			}
		}
	}
	return c
}

// -0 counts as 0: C must not be read.
var neonGemmBetas = []float32{0, 1, -0.5, 2, float32(math.Copysign(0, -1))}

// With small-integer inputs every partial sum is exact, so the NEON tile
// must equal the float64 reference exactly, whatever the order of the
// additions or the fusing of multiplies.
func TestNEONGemmKernelExact(t *testing.T) {
	ks := neonTestSet(t, "neon")
	mr, nr := ks.gemm.mr, ks.gemm.nr
	rng := rand.New(rand.NewPCG(5, 6))
	small := func() float32 { return float32(rng.IntN(9) - 4) }
	for k := 0; k <= 40; k++ {
		for _, beta := range neonGemmBetas {
			for _, ldc := range []int{nr, nr + 5} {
				for _, nanC := range []bool{false, true} {
					if nanC && beta != 0 {
						continue
					}
					off := rng.IntN(4)
					a := neonPackedOperand(k*mr, rng.IntN(4), small)
					b := neonPackedOperand(k*nr, rng.IntN(4), small)
					c := neonCInput(mr, nr, ldc, rng, nanC)
					what := fmt.Sprintf("k=%d beta=%g ldc=%d nanC=%v cOff=%d", k, beta, ldc, nanC, off)
					got := neonGemmTile(t, ks, k, a, b, c, ldc, off, beta, what)
					want := neonGemmReference(mr, nr, k, a, b, c, ldc, beta)
					for i := range got {
						if float64(got[i]) != want[i] {
							t.Fatalf("%s: C[%d][%d] = %g, want %g", what, i/nr, i%nr, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// With random inputs the NEON tile must agree with the float64 reference
// to within float32 rounding, and with the generic microKernel run on the
// same tile (generic's own tile shape may differ; neonGemmViaKernel repacks).
func TestNEONGemmKernelRandom(t *testing.T) {
	ks := neonTestSet(t, "neon")
	gen := neonTestSet(t, "generic")
	mr, nr := ks.gemm.mr, ks.gemm.nr
	rng := rand.New(rand.NewPCG(7, 8))
	normal := func() float32 { return float32(rng.NormFloat64()) }
	for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 31, 64, 257} {
		for _, beta := range neonGemmBetas {
			ldc := nr + 3
			a := neonPackedOperand(k*mr, 1, normal)
			b := neonPackedOperand(k*nr, 2, normal)
			c := neonPackedOperand((mr-1)*ldc+nr, 0, normal)
			what := fmt.Sprintf("k=%d beta=%g", k, beta)
			got := neonGemmTile(t, ks, k, a, b, c, ldc, 3, beta, what)
			want := neonGemmReference(mr, nr, k, a, b, c, ldc, beta)
			viaGeneric := neonGemmViaKernel(gen, mr, nr, k, a, b, c, ldc, beta)
			for i := range got {
				r, q := i/nr, i%nr
				// bound: each of the k+1 roundings is at most 2^-24 of the
				// running sum of magnitudes
				var mag float64
				for p := range k {
					mag += math.Abs(float64(a[p*mr+r]) * float64(b[p*nr+q]))
				}
				mag += math.Abs(float64(beta) * float64(c[r*ldc+q]))
				tol := float64(k+2) * 0x1p-23 * mag
				if d := math.Abs(float64(got[i]) - want[i]); d > tol {
					t.Fatalf("%s: C[%d][%d] = %g, float64 reference %g (|diff| %g > %g)", what, r, q, got[i], want[i], d, tol)
				}
				if d := math.Abs(float64(got[i]) - float64(viaGeneric[i])); d > 2*tol {
					t.Fatalf("%s: C[%d][%d] = %g, generic kernel %g (|diff| %g > %g)", what, r, q, got[i], viaGeneric[i], d, 2*tol)
				}
			}
		}
	}
}

// neonGemmViaKernel computes an mr×nr tile from panels packed for mr×nr with
// the microKernel of ks, whose tile may be a different shape: it repacks
// the panels into ks's shape (zero padded) block by block.
func neonGemmViaKernel(ks *kernelSet, mr, nr, k int, a, b, c []float32, ldc int, beta float32) []float32 {
	gmr, gnr := ks.gemm.mr, ks.gemm.nr
	out := make([]float32, mr*nr)
	ga := make([]float32, max(k*gmr, 1))
	gb := make([]float32, max(k*gnr, 1))
	gc := make([]float32, gmr*gnr)
	for i0 := 0; i0 < mr; i0 += gmr {
		for j0 := 0; j0 < nr; j0 += gnr {
			clear(ga)
			clear(gb)
			clear(gc)
			for p := range k {
				for i := 0; i < gmr && i0+i < mr; i++ {
					ga[p*gmr+i] = a[p*mr+i0+i]
				}
				for j := 0; j < gnr && j0+j < nr; j++ {
					gb[p*gnr+j] = b[p*nr+j0+j]
				}
			}
			for i := 0; i < gmr && i0+i < mr; i++ {
				for j := 0; j < gnr && j0+j < nr; j++ {
					gc[i*gnr+j] = c[(i0+i)*ldc+j0+j]
				}
			}
			ks.gemm.fn(k, &ga[0], &gb[0], &gc[0], gnr, beta)
			for i := 0; i < gmr && i0+i < mr; i++ {
				for j := 0; j < gnr && j0+j < nr; j++ {
					out[(i0+i)*nr+j0+j] = gc[i*gnr+j]
				}
			}
		}
	}
	return out
}

// NaN and Inf in A or B reach exactly the C elements they should, and beta
// == 0 with NaN in C gives finite results. Small integers elsewhere keep
// every finite result exact, so the float64 reference decides each element.
func TestNEONGemmKernelSpecials(t *testing.T) {
	ks := neonTestSet(t, "neon")
	mr, nr := ks.gemm.mr, ks.gemm.nr
	rng := rand.New(rand.NewPCG(9, 10))
	small := func() float32 { return float32(rng.IntN(9) - 4) }
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	for trial := range 200 {
		k := 1 + rng.IntN(12)
		beta := neonGemmBetas[trial%len(neonGemmBetas)]
		a := neonPackedOperand(k*mr, 0, small)
		b := neonPackedOperand(k*nr, 0, small)
		for range 1 + rng.IntN(3) {
			v := []float32{nan, inf, -inf}[rng.IntN(3)]
			if rng.IntN(2) == 0 {
				a[rng.IntN(len(a))] = v
			} else {
				b[rng.IntN(len(b))] = v
			}
		}
		ldc := nr
		c := neonCInput(mr, nr, ldc, rng, beta == 0)
		if beta != 0 && rng.IntN(2) == 0 {
			c[rng.IntN(len(c))] = []float32{nan, inf, -inf}[rng.IntN(3)]
		}
		what := fmt.Sprintf("trial %d k=%d beta=%g", trial, k, beta)
		got := neonGemmTile(t, ks, k, a, b, c, ldc, 0, beta, what)
		want := neonGemmReference(mr, nr, k, a, b, c, ldc, beta)
		for i := range got {
			g, w := float64(got[i]), want[i]
			if !(g == w || math.IsNaN(g) && math.IsNaN(w)) {
				t.Fatalf("%s: C[%d][%d] = %g, want %g", what, i/nr, i%nr, g, w)
			}
		}
	}
}

// The row kernel must give, tile for tile, what the contract says for n
// consecutive tiles: B panels one after another, C tiles side by side.
func TestNEONGemmRowKernel(t *testing.T) {
	ks := neonTestSet(t, "neon")
	if ks.gemmRow == nil {
		t.Skip("no row kernel")
	}
	mr, nr := ks.gemm.mr, ks.gemm.nr
	rng := rand.New(rand.NewPCG(11, 12))
	small := func() float32 { return float32(rng.IntN(9) - 4) }
	for _, k := range []int{0, 1, 3, 4, 5, 8, 13} {
		for n := 0; n <= 4; n++ {
			for _, beta := range neonGemmBetas {
				ldc := n*nr + rng.IntN(3)
				a := neonPackedOperand(k*mr, rng.IntN(4), small)
				b := neonPackedOperand(n*k*nr, rng.IntN(4), small)
				cIn := neonCInput(mr, max(n*nr, 1), max(ldc, 1), rng, beta == 0)
				off := rng.IntN(4)
				buf, c := neonGuarded(len(cIn), off)
				copy(c, cIn)
				var ap, bp, cp *float32
				if k > 0 {
					ap = &a[0]
				}
				if len(b) > 0 {
					bp = &b[0]
				}
				if len(c) > 0 {
					cp = &c[0]
				}
				what := fmt.Sprintf("k=%d n=%d beta=%g ldc=%d", k, n, beta, ldc)
				ks.gemmRow(k, n, ap, bp, cp, ldc, beta)
				// everything outside the n tiles keeps its input bits
				for i := range c {
					r, q := i/max(ldc, 1), i%max(ldc, 1)
					if (r >= mr || q >= n*nr) && math.Float32bits(c[i]) != math.Float32bits(cIn[i]) {
						t.Fatalf("%s: wrote C[%d][%d], outside the %d tiles", what, r, q, n)
					}
				}
				neonCheckGuards(t, what, buf, 8+off, 8+off+len(c))
				for tile := range n {
					bt := b[tile*k*nr:]
					ct := cIn[tile*nr:]
					want := neonGemmReference(mr, nr, k, a, bt, ct, ldc, beta)
					for i := range mr {
						for j := range nr {
							got := c[i*ldc+tile*nr+j]
							if float64(got) != want[i*nr+j] {
								t.Fatalf("%s: tile %d C[%d][%d] = %g, want %g", what, tile, i, j, got, want[i*nr+j])
							}
						}
					}
				}
			}
		}
	}
}

// The packers must write exactly dst[p*w+i] = alpha*src[...], bit for bit
// (one rounding, NaN and signed zeros included), and nothing else.
func TestNEONPackers(t *testing.T) {
	ks := neonTestSet(t, "neon")
	rng := rand.New(rand.NewPCG(13, 14))
	type packer struct {
		name  string
		fn    func(k int, src *float32, ld int, dst *float32, alpha float32)
		w     int
		trans bool
	}
	packers := []packer{
		{"packA.copy", ks.packA.copy, ks.gemm.mr, false},
		{"packA.trans", ks.packA.trans, ks.gemm.mr, true},
		{"packB.copy", ks.packB.copy, ks.gemm.nr, false},
		{"packB.trans", ks.packB.trans, ks.gemm.nr, true},
	}
	for _, pk := range packers {
		if pk.fn == nil {
			continue
		}
		for k := 0; k <= 41; k++ {
			for _, alpha := range []float32{1, -0.5, 3, float32(math.Copysign(0, -1))} {
				// src holds a k×w (copy) or w×k (trans) block with row stride ld
				rows, cols := k, pk.w
				if pk.trans {
					rows, cols = pk.w, k
				}
				ld := cols + rng.IntN(4)
				src := neonPackedOperand(max(rows*ld, 1), rng.IntN(4), func() float32 { return 0 })
				neonFillSpecial(src, rng)
				srcCopy := slices.Clone(src)
				buf, dst := neonGuarded(k*pk.w, rng.IntN(4))
				var dp *float32
				if len(dst) > 0 {
					dp = &dst[0]
				}
				pk.fn(k, &src[0], ld, dp, alpha)
				what := fmt.Sprintf("%s k=%d ld=%d alpha=%g", pk.name, k, ld, alpha)
				for p := range k {
					for i := range pk.w {
						var v float32
						if pk.trans {
							v = src[i*ld+p]
						} else {
							v = src[p*ld+i]
						}
						want := alpha * v
						if got := dst[p*pk.w+i]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("%s: dst[%d*%d+%d] = %#x, want %#x (alpha*%#x)", what, p, pk.w, i,
								math.Float32bits(got), math.Float32bits(want), math.Float32bits(v))
						}
					}
				}
				start := len(buf) - 8 - len(dst)
				neonCheckGuards(t, what, buf, start, start+len(dst))
				if _, ok := neonSameBits(src, srcCopy); !ok {
					t.Fatalf("%s: src was modified", what)
				}
			}
		}
	}
}
