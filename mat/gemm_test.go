package mat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// storedShapes returns the stored shapes of A (ar×ac) and B (br×bc) for an
// m×n×k product with the given transposes.
func storedShapes(m, n, k int, transA, transB bool) (ar, ac, br, bc int) {
	ar, ac, br, bc = m, k, k, n
	if transA {
		ar, ac = k, m
	}
	if transB {
		br, bc = n, k
	}
	return ar, ac, br, bc
}

// gemmCase runs one Gemm on guarded views and checks it against the float64
// reference and the guards.
func gemmCase(t testing.TB, rng *rand.Rand, transA, transB bool, m, n, k, pad int, alpha, beta float32) {
	t.Helper()
	ar, ac, br, bc := storedShapes(m, n, k, transA, transB)
	a := newGuarded(ar, ac, pad, rng)
	b := newGuarded(br, bc, pad+1, rng)
	c := newGuarded(m, n, (pad+2)%3, rng) // pad 1: a compact C
	want, mag := refGemm(transA, transB, alpha, &a.m, &b.m, beta, &c.m)
	Gemm(TransposeIf(transA), TransposeIf(transB), alpha, &a.m, &b.m, beta, &c.m)
	what := fmt.Sprintf("%s: Gemm(%v, %v) %dx%dx%d pad %d alpha %v beta %v", Impl(), transA, transB, m, n, k, pad, alpha, beta)
	checkClose(t, what, &c.m, want, mag, k)
	c.checkGuards(t, what)
	a.checkGuards(t, what+" (A)")
	b.checkGuards(t, what+" (B)")
}

var transCombos = [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}}

// TestGemmSmall covers every size from 0 to 40 in each dimension (the other
// two drawn at random) and all of 0..9 exhaustively, for every transpose
// combination and implementation.
func TestGemmSmall(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, tr := range transCombos {
			for m := 0; m < 10; m++ {
				for n := 0; n < 10; n++ {
					for k := 0; k < 10; k++ {
						gemmCase(t, rng, tr[0], tr[1], m, n, k, (m+n+k)%3, 1, 0)
					}
				}
			}
			for s := 0; s <= 40; s++ {
				r := func() int { return rng.IntN(41) }
				gemmCase(t, rng, tr[0], tr[1], s, r(), r(), s%3, 1.5, 0)
				gemmCase(t, rng, tr[0], tr[1], r(), s, r(), s%2, 1, 1)
				gemmCase(t, rng, tr[0], tr[1], r(), r(), s, 0, -0.5, 2)
			}
		}
	})
}

// TestGemmSweep runs odd sizes up to 600 in each dimension, block-boundary
// sizes and the network's shapes; the larger ones take the multi-threaded
// path.
func TestGemmSweep(t *testing.T) {
	shapes := [][3]int{
		{599, 37, 41}, {37, 599, 43}, {41, 37, 599}, {1, 601, 55}, {3, 5, 597},
		{301, 257, 511}, {129, 131, 257}, {385, 17, 300}, {13, 1041, 29}, {97, 101, 103},
		{128, 256, 784}, {784, 256, 128}, {128, 784, 256}, {128, 10, 256}, {256, 10, 128},
		{128, 256, 10}, {1, 256, 784}, {1, 10, 256}, {2, 256, 784}, {5, 300, 7},
	}
	if emulated() || raceEnabled {
		// Under emulation or the race detector the float64 reference
		// dominates: drop the largest.
		shapes = append(shapes[:5:5], shapes[6:]...)
		if testing.Short() {
			shapes = shapes[:5]
		}
	}
	forEachImpl(t, func(t *testing.T, impl string) {
		if raceEnabled && impl == "generic" {
			t.Skip("the race detector makes the Go kernels too slow for these sizes")
		}
		rng := rand.New(rand.NewPCG(3, 4))
		for i, s := range shapes {
			tr := transCombos[i%4]
			gemmCase(t, rng, tr[0], tr[1], s[0], s[1], s[2], i%3, 1, 0)
			if s[0]*s[1]*s[2] < 3e6 {
				tr = transCombos[(i+1)%4]
				gemmCase(t, rng, tr[0], tr[1], s[0], s[1], s[2], 1, -0.5, 2)
			}
		}
	})
}

// TestGemmInPlaceA runs shapes where the kernels read A in place (alpha 1,
// at most 512 columns; B in place too for op(B) = B and at most 256 rows),
// op(A) = A and Aᵀ: full and partial row panels, depths over one block, on
// one and two threads, and the packed path (alpha 1.5).
func TestGemmInPlaceA(t *testing.T) {
	shapes := [][3]int{{128, 256, 784}, {131, 300, 785}, {7, 64, 400}, {5, 65, 3}, {256, 512, 97}, {33, 70, 9}, {784, 256, 128}}
	forShapesAndThreads(t, 5, shapes, func(t *testing.T, rng *rand.Rand, i int, s [3]int) {
		for _, transA := range []bool{false, true} {
			gemmCase(t, rng, transA, false, s[0], s[1], s[2], i%3, 1, 0)
			gemmCase(t, rng, transA, false, s[0], s[1], s[2], i%2, 1, 2)
			gemmCase(t, rng, transA, false, s[0], s[1], s[2], 1, 1.5, 0)
		}
	})
}

// TestGemmSwappedNarrow runs narrow products with op(A) = Aᵀ and more
// than narrowN rows, which sets with wide kernels compute as the transpose
// of op(B)ᵀ·op(A)ᵀ: both op(B), beta 0 and not, one and two threads.
func TestGemmSwappedNarrow(t *testing.T) {
	shapes := [][3]int{{256, 10, 128}, {25, 24, 7}, {100, 1, 50}, {300, 17, 3}, {785, 10, 129}, {500, 24, 400}, {785, 10, 1000}}
	forShapesAndThreads(t, 7, shapes, func(t *testing.T, rng *rand.Rand, i int, s [3]int) {
		for _, transB := range []bool{false, true} {
			gemmCase(t, rng, true, transB, s[0], s[1], s[2], i%3, 1, 0)
			gemmCase(t, rng, true, transB, s[0], s[1], s[2], 1, -0.5, 2)
		}
	})
}

// TestGemmSwappedWideNT runs A·Bᵀ with at most 256 rows and more columns,
// which sets with wide kernels compute as the transpose of B·Aᵀ when alpha
// is 1 and beta 0 (and directly otherwise): partial tiles and panels, one
// and two threads, B strides that do and do not allow reading it in place.
func TestGemmSwappedWideNT(t *testing.T) {
	shapes := [][3]int{{128, 784, 256}, {7, 300, 33}, {256, 257, 20}, {61, 600, 5}, {1, 400, 64}}
	forShapesAndThreads(t, 9, shapes, func(t *testing.T, rng *rand.Rand, i int, s [3]int) {
		gemmCase(t, rng, false, true, s[0], s[1], s[2], i%3, 1, 0)
		gemmCase(t, rng, false, true, s[0], s[1], s[2], 0, 1, 0)
		gemmCase(t, rng, false, true, s[0], s[1], s[2], 1, 1, 0.5)
	})
}

// TestGemvBlocked runs one-row products large enough to be computed in
// blocks of K (gemvBlocked), with every set made to use the blocks:
// against the reference with alpha and beta, and bit for bit the same in
// both orders of visit (two calls in a row) and on one and two threads
// (4099×1100 is split between them).
func TestGemvBlocked(t *testing.T) {
	shapes := [][3]int{{1, 256, 784}, {1, 300, 701}, {1, 700, 257}, {1, 4099, 1100}, {1, 3000, 255}}
	forShapesAndThreads(t, 11, shapes, func(t *testing.T, rng *rand.Rand, i int, s [3]int) {
		defer blockGEMV()()
		for _, transA := range []bool{false, true} {
			gemmCase(t, rng, transA, false, s[0], s[1], s[2], i%3, 1, 0)
			gemmCase(t, rng, transA, false, s[0], s[1], s[2], 1, -0.5, 2)
		}
	})
	restoreGlobals(t)
	forEachImpl(t, func(t *testing.T, impl string) {
		defer blockGEMV()()
		rng := rand.New(rand.NewPCG(13, 14))
		for _, s := range shapes[:4] {
			n, k := s[1], s[2]
			a := newGuarded(1, k, 0, rng)
			b := newGuarded(k, n, 3, rng)
			c0 := newGuarded(1, n, 0, rng)
			var got [][]float32
			for _, threads := range []int{1, 1, 2, 2} {
				SetThreads(threads)
				c := Matrix{Rows: 1, Cols: n, Stride: n, Data: append([]float32(nil), c0.m.Data...)}
				Gemm(NoTrans, NoTrans, 0.5, &a.m, &b.m, 1.5, &c)
				got = append(got, c.Data)
			}
			for r := 1; r < len(got); r++ {
				for j := range got[0] {
					if math.Float32bits(got[r][j]) != math.Float32bits(got[0][j]) {
						t.Fatalf("%s: 1×%d×%d, call %d: C[%d] = %v, first call %v", impl, n, k, r, j, got[r][j], got[0][j])
					}
				}
			}
		}
	})
}

// blockGEMV makes the active set a copy of itself that computes large
// GEMVs in blocks (see fastKernels.blockGEMV), and returns the function
// that restores it.
func blockGEMV() (restore func()) {
	ks := *active.Load()
	fast := *ks.fast
	fast.blockGEMV = true
	ks.fast = &fast
	prev := active.Swap(&ks)
	return func() { active.Store(prev) }
}

// forShapesAndThreads calls f for every shape (its index i and m, n, k) on
// every implementation, with one thread and then two, drawing operands from
// one generator per implementation seeded with (seed, seed+1).
func forShapesAndThreads(t *testing.T, seed uint64, shapes [][3]int, f func(t *testing.T, rng *rand.Rand, i int, s [3]int)) {
	defer SetThreads(Threads())
	forEachImpl(t, func(t *testing.T, impl string) {
		rng := rand.New(rand.NewPCG(seed, seed+1))
		for _, threads := range []int{1, 2} {
			SetThreads(threads)
			for i, s := range shapes {
				f(t, rng, i, s)
			}
		}
	})
}

// TestGemmAlphaBeta checks every alpha/beta pair on every transpose
// combination.
func TestGemmAlphaBeta(t *testing.T) {
	vals := []float32{0, 1, -0.5, 2}
	forEachImpl(t, func(t *testing.T, impl string) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, tr := range transCombos {
			for _, alpha := range vals {
				for _, beta := range vals {
					gemmCase(t, rng, tr[0], tr[1], 13, 35, 19, 2, alpha, beta)
					gemmCase(t, rng, tr[0], tr[1], 1, 40, 33, 0, alpha, beta)
					gemmCase(t, rng, tr[0], tr[1], 30, 3, 21, 1, alpha, beta)
				}
			}
		}
	})
}

func fill(m *Matrix, v float32) {
	for i := 0; i < m.Rows; i++ {
		row := m.Row(i)
		for j := range row {
			row[j] = v
		}
	}
}

// TestGemmEdgeSemantics checks the BLAS edge cases: beta == 0 never reads C,
// K == 0 and alpha == 0 only scale C, empty C is a no-op.
func TestGemmEdgeSemantics(t *testing.T) {
	nan := float32(math.NaN())
	forEachImpl(t, func(t *testing.T, impl string) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, tr := range transCombos {
			for _, s := range [][3]int{{7, 9, 5}, {1, 33, 40}, {30, 2, 64}, {64, 64, 64}, {128, 10, 256}, {1, 256, 100}} {
				m, n, k := s[0], s[1], s[2]
				ar, ac, br, bc := storedShapes(m, n, k, tr[0], tr[1])
				a := newGuarded(ar, ac, 0, rng)
				b := newGuarded(br, bc, 0, rng)
				c := newGuarded(m, n, 1, rng)
				fill(&c.m, nan)
				Gemm(TransposeIf(tr[0]), TransposeIf(tr[1]), 1, &a.m, &b.m, 0, &c.m)
				for i := 0; i < m; i++ {
					for j, v := range c.m.Row(i) {
						if v != v {
							t.Fatalf("%v %v: beta = 0 leaked NaN from C at (%d, %d)", tr, s, i, j)
						}
					}
				}
				c.checkGuards(t, "beta=0")
			}
			// K == 0: C = beta·C, with beta == 0 clearing NaN.
			a, b := New(4, 0), New(0, 5)
			if tr[0] {
				a = New(0, 4)
			}
			if tr[1] {
				b = New(5, 0)
			}
			c := New(4, 5)
			fill(c, 3)
			Gemm(TransposeIf(tr[0]), TransposeIf(tr[1]), 2, a, b, -0.5, c)
			for _, v := range c.Data {
				if v != -1.5 {
					t.Fatalf("K = 0, beta = -0.5: got %v, want -1.5", v)
				}
			}
			fill(c, nan)
			Gemm(TransposeIf(tr[0]), TransposeIf(tr[1]), 2, a, b, 0, c)
			for _, v := range c.Data {
				if v != 0 {
					t.Fatalf("K = 0, beta = 0: got %v, want 0", v)
				}
			}
		}
		// alpha == 0 scales C without touching A and B (which hold NaN).
		a, b, c := New(3, 4), New(4, 5), New(3, 5)
		fill(a, nan)
		fill(b, nan)
		fill(c, 2)
		Gemm(NoTrans, NoTrans, 0, a, b, 2, c)
		for _, v := range c.Data {
			if v != 4 {
				t.Fatalf("alpha = 0: got %v, want 4", v)
			}
		}
		// Empty C: nothing happens, nothing panics.
		Gemm(NoTrans, NoTrans, 1, New(0, 3), New(3, 4), 0, New(0, 4))
		Gemm(NoTrans, NoTrans, 1, New(3, 3), New(3, 0), 0, New(3, 0))
	})
}

// TestGemmNaNInf checks that NaN and Inf in A or B propagate to exactly the
// elements of C they contribute to.
func TestGemmNaNInf(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	forEachImpl(t, func(t *testing.T, impl string) {
		for _, tr := range transCombos {
			for _, s := range [][3]int{{7, 9, 5}, {30, 40, 50}, {1, 256, 100}, {128, 10, 64}, {64, 20, 10}, {100, 100, 300}} {
				m, n, k := s[0], s[1], s[2]
				ar, ac, br, bc := storedShapes(m, n, k, tr[0], tr[1])
				a, b, c := New(ar, ac), New(br, bc), New(m, n)
				fill(a, 0.5)
				fill(b, 0.25)
				ia, pa := m/2, k/3 // NaN in op(A)[ia, pa]: row ia of C is NaN
				pb, jb := k-1, n-1 // +Inf in op(B)[pb, jb]: column jb is +Inf (A > 0)
				if tr[0] {
					a.Set(pa, ia, nan)
				} else {
					a.Set(ia, pa, nan)
				}
				if tr[1] {
					b.Set(jb, pb, inf)
				} else {
					b.Set(pb, jb, inf)
				}
				Gemm(TransposeIf(tr[0]), TransposeIf(tr[1]), 1, a, b, 0, c)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						v := c.At(i, j)
						var ok bool
						switch {
						case i == ia:
							ok = v != v
						case j == jb:
							ok = math.IsInf(float64(v), 1)
						default:
							ok = v == float32(k)*0.125
						}
						if !ok {
							t.Fatalf("%v %v: C[%d,%d] = %v (NaN row %d, Inf column %d)", tr, s, i, j, v, ia, jb)
						}
					}
				}
			}
		}
	})
}

func TestGemmShapePanics(t *testing.T) {
	cases := []struct {
		transA, transB bool
		a, b, c        *Matrix
		want           []string
	}{
		{false, false, New(2, 3), New(4, 5), New(2, 5), []string{"2x3", "4x5"}},
		{true, false, New(2, 3), New(2, 5), New(2, 5), []string{"2x3", "2x5", "C is 2x5"}},
		{false, true, New(2, 3), New(5, 3), New(2, 4), []string{"2x3", "5x3", "2x4"}},
	}
	for _, tc := range cases {
		func() {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				for _, w := range tc.want {
					if !strings.Contains(msg, w) {
						t.Errorf("panic %q does not name %q", msg, w)
					}
				}
			}()
			Gemm(TransposeIf(tc.transA), TransposeIf(tc.transB), 1, tc.a, tc.b, 0, tc.c)
			t.Errorf("no panic for %v %v %v", tc.a.Shape(), tc.b.Shape(), tc.c.Shape())
		}()
	}
	// A view whose Data is too short is invalid too.
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Error("no panic for a matrix with short Data")
			}
		}()
		bad := &Matrix{Rows: 3, Cols: 3, Stride: 3, Data: make([]float32, 8)}
		Gemm(NoTrans, NoTrans, 1, bad, New(3, 3), 0, New(3, 3))
	}()
}

// TestGemmImplsAgree runs the same products through every implementation
// and compares them with the generic one, thread counts 1 and 2 included.
func TestGemmImplsAgree(t *testing.T) {
	restoreGlobals(t)
	rng := rand.New(rand.NewPCG(9, 10))
	shapes := [][3]int{{67, 45, 300}, {6, 16, 8}, {12, 32, 1}, {200, 100, 150}, {1, 50, 513}}
	for _, s := range shapes {
		for _, tr := range transCombos {
			m, n, k := s[0], s[1], s[2]
			ar, ac, br, bc := storedShapes(m, n, k, tr[0], tr[1])
			a, b := newGuarded(ar, ac, 3, rng), newGuarded(br, bc, 0, rng)
			c0 := newGuarded(m, n, 0, rng)
			ref := c0.m.Clone()
			prev, _ := SetImpl("generic")
			Gemm(TransposeIf(tr[0]), TransposeIf(tr[1]), 0.75, &a.m, &b.m, -1, ref)
			SetImpl(prev)
			_, mag := refGemm(tr[0], tr[1], 0.75, &a.m, &b.m, -1, &c0.m)
			want := make([]float64, m*n)
			for i := range want {
				want[i] = float64(ref.Data[i])
			}
			for _, name := range Impls() {
				for _, threads := range []int{1, 2, 3} {
					SetImpl(name)
					SetThreads(threads)
					c := c0.m.Clone()
					Gemm(TransposeIf(tr[0]), TransposeIf(tr[1]), 0.75, &a.m, &b.m, -1, c)
					checkClose(t, fmt.Sprintf("%s threads=%d %v %v vs generic", name, threads, tr, s), c, want, mag, 2*k)
				}
			}
			SetImpl(prev)
			SetThreads(0)
		}
	}
}

// TestGemmConcurrent calls Gemm from 32 goroutines at once, on shapes that
// take the single-threaded, the parallel and the fast paths; run it with
// -race.
func TestGemmConcurrent(t *testing.T) {
	shapes := [][3]int{{64, 64, 64}, {128, 256, 300}, {1, 256, 200}, {128, 10, 256}, {37, 29, 51}}
	type work struct {
		a, b *Matrix
		want *Matrix
	}
	rng := rand.New(rand.NewPCG(11, 12))
	var ws []work
	for _, s := range shapes {
		a, b := newGuarded(s[0], s[2], 0, rng), newGuarded(s[2], s[1], 0, rng)
		want := New(s[0], s[1])
		Gemm(NoTrans, NoTrans, 1, &a.m, &b.m, 0, want)
		ws = append(ws, work{&a.m, &b.m, want})
	}
	iters := 20
	if emulated() {
		iters = 3
	}
	var wg sync.WaitGroup
	errs := make(chan string, 32)
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range iters {
				w := ws[(g+it)%len(ws)]
				c := New(w.want.Rows, w.want.Cols)
				Gemm(NoTrans, NoTrans, 1, w.a, w.b, 0, c)
				for i, v := range c.Data {
					if d := v - w.want.Data[i]; d > 1e-4 || d < -1e-4 {
						errs <- fmt.Sprintf("goroutine %d: %s result differs at %d: %v vs %v", g, w.want.Shape(), i, v, w.want.Data[i])
						return
					}
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

// TestGemmNoAllocs checks that steady-state calls do not allocate, on the
// single-threaded, parallel and fast paths. AllocsPerRun reports the
// average rounded down, so the rare allocation the runtime makes when a
// goroutine parks (its semaphore caches refill after a GC) does not count;
// an allocation in every call does.
func TestGemmNoAllocs(t *testing.T) {
	restoreGlobals(t)
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	// 128×256×128 is large enough to take the parallel path.
	shapes := [][4]int{{64, 64, 64, 0}, {128, 256, 128, 0}, {128, 256, 128, 1}, {1, 256, 784, 0}, {128, 10, 256, 0}, {256, 10, 128, 1}}
	forEachImpl(t, func(t *testing.T, impl string) {
		for _, threads := range []int{1, 2} {
			SetThreads(threads)
			for _, s := range shapes {
				m, n, k := s[0], s[1], s[2]
				transA := s[3] == 1
				a := New(m, k)
				if transA {
					a = New(k, m)
				}
				b, c := New(k, n), New(m, n)
				runs := 10
				if emulated() {
					runs = 3
				}
				allocs := testing.AllocsPerRun(runs, func() { Gemm(TransposeIf(transA), NoTrans, 1, a, b, 0, c) })
				if allocs != 0 {
					t.Errorf("threads=%d %v: %v allocations per Gemm", threads, s, allocs)
				}
			}
		}
		SetThreads(0)
	})
}

func TestSetThreads(t *testing.T) {
	restoreGlobals(t)
	SetThreads(3)
	if Threads() != 3 {
		t.Fatalf("Threads() = %d after SetThreads(3)", Threads())
	}
	SetThreads(0)
	if Threads() < 1 {
		t.Fatalf("Threads() = %d by default", Threads())
	}
}

func TestPeakGFLOPS(t *testing.T) {
	forEachImpl(t, func(t *testing.T, impl string) {
		p := PeakGFLOPS(1, 20*time.Millisecond)
		// Any machine does more than 0.01 and less than 10000 GFLOP/s per core.
		if !(p > 0.01 && p < 1e4) {
			t.Fatalf("PeakGFLOPS(1) = %v", p)
		}
		if p2 := PeakGFLOPS(2, 20*time.Millisecond); !(p2 > 0.01 && p2 < 2e4) {
			t.Fatalf("PeakGFLOPS(2) = %v", p2)
		}
	})
}
