package mat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmFineSplit runs products large enough to be cut into several parts
// per thread, with the shared packed operand where one applies, and checks
// that they give the same bits as on one thread.
func TestGemmFineSplit(t *testing.T) {
	defer SetThreads(0)
	rng := rand.New(rand.NewPCG(51, 52))
	shapes := []struct {
		m, n, k int
		tA, tB  bool
	}{
		{128, 256, 128, false, false}, // rows, B read in place
		{300, 256, 128, true, false},  // rows, op(B) packed once
		{130, 200, 96, false, true},   // rows, op(B) packed once, edge panels
		{64, 512, 256, false, true},   // columns, op(A) packed once
		{128, 256, 784, false, false}, // rows, two K blocks
		{1, 4096, 512, false, false},  // the GEMV fast path, by columns
	}
	forEachImpl(t, func(t *testing.T, impl string) {
		for _, s := range shapes {
			if emulated() && impl == "generic" && s.m*s.n*s.k > 1<<22 {
				continue
			}
			ar, ac, br, bc := storedShapes(s.m, s.n, s.k, s.tA, s.tB)
			a, b := newGuarded(ar, ac, 1, rng), newGuarded(br, bc, 2, rng)
			SetThreads(1)
			want := New(s.m, s.n)
			Gemm(TransposeIf(s.tA), TransposeIf(s.tB), 0.5, &a.m, &b.m, 0, want)
			for _, threads := range []int{2, 3, 8} {
				SetThreads(threads)
				poisonWorkspaces()
				c := newGuarded(s.m, s.n, 3, rng)
				Gemm(TransposeIf(s.tA), TransposeIf(s.tB), 0.5, &a.m, &b.m, 0, &c.m)
				what := fmt.Sprintf("%s %dx%dx%d tA=%v tB=%v threads=%d", impl, s.m, s.n, s.k, s.tA, s.tB, threads)
				c.checkGuards(t, what)
				for i := range s.m {
					if j, ok := sameBits(c.m.Row(i), want.Row(i)); !ok {
						t.Fatalf("%s: C[%d,%d] = %v, one thread %v", what, i, j, c.m.Row(i)[j], want.Row(i)[j])
					}
				}
			}
		}
	})
}

// poisonWorkspaces fills the recycled packing buffers with NaN, so that a
// part reading a panel nobody packed for it fails instead of finding the
// same panel left by an earlier call.
func poisonWorkspaces() {
	workspaces.Lock()
	defer workspaces.Unlock()
	for _, ws := range workspaces.free {
		for _, buf := range [][]float32{ws.a, ws.b} {
			for i := range buf {
				buf[i] = float32(math.NaN())
			}
		}
	}
}

// TestShareOperand checks which operand a split call packs once for all
// its parts.
func TestShareOperand(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		for _, tc := range []struct {
			m, n, k      int
			tA, tB       bool
			tm, tn       int
			wantA, wantB bool
		}{
			{300, 256, 128, true, false, 4, 1, false, true},
			{64, 512, 256, false, true, 1, 4, true, false},
			{128, 256, 128, false, false, 4, 1, false, false}, // B is read in place
			{300, 256, 500, true, false, 4, 1, false, false},  // two K blocks
			{300, 600, 128, true, false, 4, 1, false, false},  // two N blocks
		} {
			ar, ac, br, bc := storedShapes(tc.m, tc.n, tc.k, tc.tA, tc.tB)
			g := gemmCall{ks: active.Load(), transA: tc.tA, transB: tc.tB, m: tc.m, n: tc.n, k: tc.k,
				alpha: 1, a: *New(ar, ac), b: *New(br, bc), c: *New(tc.m, tc.n)}
			if g.ks.gemmRowStrided == nil && !tc.wantB && !tc.wantA && tc.k <= blockK && tc.n <= blockN {
				tc.wantB = true // without a strided kernel B is never read in place
			}
			if g.inPlaceA() {
				tc.wantA = false // the kernels read A in place
			}
			g.shareOperand(new(workspace), tc.tm, tc.tn)
			if (g.packedA != nil) != tc.wantA || (g.packedB != nil) != tc.wantB {
				t.Errorf("%s %+v: packed A %v, B %v", impl, tc, g.packedA != nil, g.packedB != nil)
			}
		}
	})
}
