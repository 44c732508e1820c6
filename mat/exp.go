package mat

import (
	"fmt"
	"math"
)

// Exp sets dst[i] = e^src[i] in float32 for i < len(dst); dst may be src,
// and Exp panics if src is shorter than dst. The error is within about one
// unit in the last place (TestExpAccuracy measures at most 0.98 and
// asserts 3); results below the smallest normal float32 (src < -87.33) are
// 0, above the largest (src > 88.7228) +Inf, and a NaN stays NaN. Every
// implementation gives the same bits: the softmax exponentiates with it,
// and its results must not depend on the CPU.
func Exp(dst, src []float32) {
	if len(src) < len(dst) {
		panic(fmt.Sprintf("mat: Exp: src of length %d for dst of length %d", len(src), len(dst)))
	}
	active.Load().expSlice(dst, src[:len(dst)])
}

// expSlice runs the set's exp kernel, if it has one, and expGeneric on
// what it leaves. The kernel is called directly, not through a func value,
// so that dst and src do not escape: callers may pass arrays on their
// stack.
func (ks *kernelSet) expSlice(dst, src []float32) {
	n := 0
	if ks.vectorExp {
		n = expVector(dst, src)
	}
	expGeneric(dst[n:], src[n:])
}

// The constants of the exponential. Its argument x is split into k·ln 2 + r
// with k an integer and |r| <= ln2/2 (ln 2 in two parts, so that k·expLn2Hi
// is exact), e^r comes from a polynomial, and 2^k is applied as two powers
// of two so that k = 128 (x up to expOverflow) needs no special case. The
// coefficients are Cephes's expf.
const (
	expLog2e     = 1.44269504088896341
	expLn2Hi     = 0.693359375
	expLn2Lo     = -2.12194440e-4
	expUnderflow = -87.33   // below this e^x is under 2^-126: the result is 0
	expOverflow  = 88.72284 // above this e^x overflows float32: the result is +Inf
	expC0        = 1.9875691500e-4
	expC1        = 1.3981999507e-3
	expC2        = 8.3334519073e-3
	expC3        = 4.1665795894e-2
	expC4        = 1.6666665459e-1
	expC5        = 5.0000001201e-1
)

// expGeneric is the reference for every exp kernel: the vector code does
// the same float32 operations in the same order, with no fused
// multiply-add (the float32 conversions keep the compiler from fusing).
func expGeneric(dst, src []float32) {
	src = src[:len(dst)]
	for i, x := range src {
		dst[i] = exp1(x)
	}
}

func exp1(x float32) float32 {
	switch {
	case x < expUnderflow:
		return 0
	case x > expOverflow:
		return float32(math.Inf(1))
	case x != x:
		return x
	}
	k := float32(math.RoundToEven(float64(float32(x * expLog2e))))
	r := x - float32(k*expLn2Hi)
	r -= float32(k * expLn2Lo)
	z := float32(r * r)
	p := float32(expC0)
	p = float32(p*r) + expC1
	p = float32(p*r) + expC2
	p = float32(p*r) + expC3
	p = float32(p*r) + expC4
	p = float32(p*r) + expC5
	y := float32(p*z) + r
	y += 1
	ki := int32(k)
	half := ki >> 1
	y *= math.Float32frombits(uint32(half+127) << 23)
	return y * math.Float32frombits(uint32(ki-half+127)<<23)
}
