package mat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestLinearMatchesUnfused checks Linear and LinearReLU against their
// unfused reference (Gemm, then AddRowVector, then ReLU): bit for bit on
// one thread, on every implementation and on shapes that take the packed
// driver (with its edge tiles and K blocks) and every fast path; within the
// Gemm tolerance of a float64 reference when the product is split between
// threads. x is a strided view holding a NaN, y starts as NaN (it must not
// be read) inside guards.
func TestLinearMatchesUnfused(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	shapes := [][3]int{ // batch, out, in
		{1, 256, 784}, {1, 50, 33}, {128, 10, 256}, {7, 24, 5}, {5, 17, 33},
		{67, 45, 300}, {128, 256, 784}, {200, 100, 150}, {13, 24, 0}, {9, 1, 3},
		{301, 7, 20}, {5, 3, 2}, {96, 128, 16},
	}
	defer SetThreads(0)
	forEachImpl(t, func(t *testing.T, impl string) {
		for si, s := range shapes {
			b, n, k := s[0], s[1], s[2]
			if emulated() && b*n*k > 1<<20 {
				continue
			}
			x := newGuarded(b, k, 3, rng)
			if b > 2 && k > 0 {
				x.m.Data[2*x.m.Stride+k/2] = float32(math.NaN())
			}
			w := newGuarded(k, n, 1, rng)
			bias := randVec(rng, n)
			for _, relu := range []bool{false, true} {
				want, mag := refGemm(false, false, 1, &x.m, &w.m, 0, New(b, n))
				for i := range want {
					want[i] += float64(bias[i%n])
					mag[i] += math.Abs(float64(bias[i%n]))
					if relu && want[i] < 0 {
						want[i] = 0
					}
				}
				for _, threads := range []int{1, 2, 3} {
					SetThreads(threads)
					what := fmt.Sprintf("%s b=%d n=%d k=%d relu=%v threads=%d", impl, b, n, k, relu, threads)
					y := newGuarded(b, n, 2*(si%2), rng) // compact for every other shape
					for i := range b {
						for j := range n {
							y.m.Data[i*y.m.Stride+j] = float32(math.NaN())
						}
					}
					if relu {
						LinearReLU(&y.m, &x.m, &w.m, bias)
					} else {
						Linear(&y.m, &x.m, &w.m, bias)
					}
					y.checkGuards(t, what)
					if threads > 1 {
						checkClose(t, what, &y.m, want, mag, 2*k)
						continue
					}
					ref := New(b, n)
					Gemm(NoTrans, NoTrans, 1, &x.m, &w.m, 0, ref)
					AddRowVector(ref, bias)
					if relu {
						ReLU(ref, ref)
					}
					for i := range b {
						got := y.m.Row(i)
						if j, ok := sameBits(got, ref.Row(i)); !ok {
							t.Fatalf("%s: y[%d,%d] = %v, unfused %v", what, i, j, got[j], ref.Row(i)[j])
						}
					}
				}
			}
		}
	})
}

func TestLinearPanics(t *testing.T) {
	x, w, y := New(2, 3), New(3, 4), New(2, 4)
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"bias", func() { Linear(y, x, w, make([]float32, 3)) }, "bias of length 3 for 3x4 weights"},
		{"shapes", func() { LinearReLU(New(2, 5), x, w, make([]float32, 4)) }, "shape mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, tc.want) {
					t.Fatalf("panic %q, want it to mention %q", msg, tc.want)
				}
			}()
			tc.f()
		})
	}
}
