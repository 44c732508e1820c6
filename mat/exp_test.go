package mat

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestExpAccuracy bounds Exp's error against float64 math.Exp, in units in
// the last place of the float32 result, over the whole finite range and
// densely over the softmax's range [-20, 0].
func TestExpAccuracy(t *testing.T) {
	worst, at := 0.0, float32(0)
	check := func(x float32) {
		got := exp1(x)
		want := math.Exp(float64(x))
		if want < 0x1p-126 || want > math.MaxFloat32 {
			return // flushed or overflowing: TestExpLimits
		}
		ulp := math.Nextafter32(float32(want), float32(math.Inf(1))) - float32(want)
		if e := math.Abs(float64(got)-want) / float64(ulp); e > worst {
			worst, at = e, x
		}
	}
	for x := float32(-87.33); x <= 88.72; x += 0.0007 {
		check(x)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2_000_000 {
		check(-20 * rng.Float32())
	}
	t.Logf("largest error %.2f ulp, at %v", worst, at)
	if worst > 3 {
		t.Errorf("largest error %.2f ulp at %v, want at most 3", worst, at)
	}
}

func TestExpLimits(t *testing.T) {
	inf := float32(math.Inf(1))
	cases := []struct{ x, want float32 }{
		{0, 1}, {float32(math.Copysign(0, -1)), 1}, {float32(math.Inf(-1)), 0}, {-87.34, 0}, {-100, 0},
		{88.7229, inf}, {inf, inf}, {1e30, inf},
	}
	forEachImpl(t, func(t *testing.T, impl string) {
		for _, c := range cases {
			src := make([]float32, 9) // the vector loop and the tail
			dst := make([]float32, 9)
			for i := range src {
				src[i] = c.x
			}
			Exp(dst, src)
			for i, v := range dst {
				if v != c.want {
					t.Fatalf("Exp(%v) = %v at %d, want %v", c.x, v, i, c.want)
				}
			}
		}
		if v := exp1(88.72); math.IsInf(float64(v), 0) || v < 3.3e38 {
			t.Errorf("exp(88.72) = %v, want about 3.39e38", v)
		}
		if v := exp1(-87.33); v < 0x1p-126 {
			t.Errorf("exp(-87.33) = %v, want at least 2^-126", v)
		}
		nan := float32(math.NaN())
		dst := make([]float32, 16)
		Exp(dst, []float32{nan, 0, nan, 1, 2, 3, 4, nan, 5, nan, 6, 7, 8, 9, 10, nan})
		for i, v := range dst {
			if (v != v) != (i == 0 || i == 2 || i == 7 || i == 9 || i == 15) {
				t.Fatalf("Exp with NaNs: [%d] = %v", i, v)
			}
		}
	})
}

// TestExpKernelsBitExact compares every set's exp kernel with expGeneric on
// every length to 70, unaligned starts, in place, and values that cover the
// range, its limits and the specials.
func TestExpKernelsBitExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	value := func() float32 {
		switch rng.IntN(6) {
		case 0:
			return specials[rng.IntN(len(specials))]
		case 1:
			return (rng.Float32() - 0.5) * 200 // past both limits
		case 2:
			return -87.33 - float32(rng.IntN(3))*1e-5
		}
		return -30 * rng.Float32()
	}
	for _, ks := range kernelSets {
		for n := 0; n <= 70; n++ {
			for off := range 4 {
				buf := make([]float32, n+8)
				for i := range buf {
					buf[i] = -12345
				}
				src := make([]float32, n+4)[off%4 : off%4+n]
				for i := range src {
					src[i] = value()
				}
				dst := buf[off : off+n]
				want := make([]float32, n)
				expGeneric(want, src)
				ks.expSlice(dst, src)
				in := append([]float32(nil), src...)
				ks.expSlice(in, in)
				what := fmt.Sprintf("%s exp n=%d off=%d", ks.name, n, off)
				for i := range want {
					for _, got := range []float32{dst[i], in[i]} {
						if math.Float32bits(got) != math.Float32bits(want[i]) && !(got != got && want[i] != want[i]) {
							t.Fatalf("%s: exp(%v) = %v (%#08x), generic gives %v (%#08x)",
								what, src[i], got, math.Float32bits(got), want[i], math.Float32bits(want[i]))
						}
					}
				}
				for i, v := range buf {
					if (i < off || i >= off+n) && v != -12345 {
						t.Fatalf("%s: guard at %d changed to %v", what, i, v)
					}
				}
			}
		}
	}
}
