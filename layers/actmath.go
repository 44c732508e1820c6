package layers

import "math"

// Element-wise float32 kernels for the smooth activations. The standard
// library's math.Tanh and math.Exp work in float64 and cost several times
// more; these keep float32 accuracy (TestActivationMath bounds the error:
// a relative error below 4e-7 against float64 math, i.e. a few float32
// ulps; GELU's below 4e-6, as float32 rounding of its inner argument is
// magnified by the exponential) and are plain loops.

// Cephes-style constants for exp: ln 2 split so that k·ln2Hi is exact.
const (
	log2e   = 1.44269504088896341
	ln2Hi   = 0.693359375
	ln2Lo   = -2.12194440e-4
	expMax  = 88.7 // above this float32 exp overflows
	expMin  = -87.3
	geluC   = 0.7978845608028654 // sqrt(2/π)
	geluA   = 0.044715
	leakOut = 0.01 // LeakyReLU's slope for negative inputs (PyTorch's default)
)

// exp32 returns e^x for float32 x, clamping the argument to the finite
// range. Apart from the NaN test (never taken on real data) it has no
// branches: rounding to the nearest integer goes through int32.
func exp32(x float32) float32 {
	if x != x {
		return x
	}
	x = min(max(x, expMin), expMax)
	t := x * log2e
	half := math.Float32frombits(0x3f000000 | math.Float32bits(t)&0x80000000) // ±0.5, the sign of t
	k := float32(int32(t + half))
	r := x - k*ln2Hi - k*ln2Lo
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	p = p*r*r + r + 1
	return p * math.Float32frombits(uint32(int32(k)+127)<<23)
}

// tanh32 returns tanh(x): a polynomial for |x| < 0.625 (where
// 1-2/(e^2|x|+1) would cancel), the exponential form beyond. Both are
// computed and one is selected by a bit mask: with inputs of both kinds in
// a batch, a branch would be mispredicted often.
func tanh32(x float32) float32 {
	bits := math.Float32bits(x)
	sign, a := bits&0x80000000, math.Float32frombits(bits&0x7fffffff)
	z := x * x
	p := float32(-5.70498872745e-3)
	p = p*z + 2.06390887954e-2
	p = p*z - 5.37397155531e-2
	p = p*z + 1.33314422036e-1
	p = p*z - 3.33332819422e-1
	p = p*z*x + x
	q := 1 - 2/(exp32(2*min(a, 10))+1) // tanh(10) rounds to 1 in float32
	qbits := math.Float32bits(q) | sign
	small := uint32(int32(math.Float32bits(a)-math.Float32bits(0.625)) >> 31) // all ones if a < 0.625
	return math.Float32frombits(math.Float32bits(p)&small | qbits&^small)
}

// sigmoid32 returns 1/(1+e^-x).
func sigmoid32(x float32) float32 { return 1 / (1 + exp32(-x)) }

// gelu32 returns GELU's tanh approximation x·(1+tanh(z))/2 with
// z = √(2/π)(x+0.044715x³), computed as x·σ(2z) (the same value, since
// (1+tanh z)/2 = σ(2z), without the cancellation of 1+tanh z for negative
// x), and σ(2z) for the backward pass.
func gelu32(x float32) (y, s float32) {
	s = sigmoid32(2 * geluC * (x + geluA*x*x*x))
	return x * s, s
}

func tanhRows(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = tanh32(v)
	}
}

// tanhGradRows sets dx = dy·(1-y²).
func tanhGradRows(dx, dy, y []float32) {
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i := range dx {
		dx[i] = dy[i] * (1 - y[i]*y[i])
	}
}

func sigmoidRows(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = sigmoid32(v)
	}
}

// sigmoidGradRows sets dx = dy·y·(1-y).
func sigmoidGradRows(dx, dy, y []float32) {
	dy, y = dy[:len(dx)], y[:len(dx)]
	for i := range dx {
		dx[i] = dy[i] * y[i] * (1 - y[i])
	}
}

func leakyRows(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = max(v, 0) + leakOut*min(v, 0)
	}
}

// leakyGradRows sets dx = dy where x > 0, else 0.01·dy, choosing the slope
// by a bit mask rather than a branch.
func leakyGradRows(dx, dy, x []float32) {
	dy, x = dy[:len(dx)], x[:len(dx)]
	one, leak := math.Float32bits(1), math.Float32bits(leakOut)
	for i := range dx {
		notPos := uint32((int32(math.Float32bits(x[i])) - 1) >> 31) // all ones for x <= 0 (sign set, or +0)
		dx[i] = dy[i] * math.Float32frombits(one&^notPos|leak&notPos)
	}
}

// geluRows sets y = GELU(x) and, unless s is nil, s = σ(2z) for the
// backward pass.
func geluRows(y, x, s []float32) {
	y = y[:len(x)]
	if s == nil {
		for i, v := range x {
			y[i], _ = gelu32(v)
		}
		return
	}
	s = s[:len(x)]
	for i, v := range x {
		y[i], s[i] = gelu32(v)
	}
}

// geluGradRows sets dx = dy·d/dx GELU(x) = dy·(s + x·2s(1-s)·√(2/π)(1+3·0.044715x²)),
// with s = σ(2z) as geluRows left it.
func geluGradRows(dx, dy, x, s []float32) {
	dy, x, s = dy[:len(dx)], x[:len(dx)], s[:len(dx)]
	for i := range dx {
		v, si := x[i], s[i]
		dx[i] = dy[i] * (si + 2*v*si*(1-si)*geluC*(1+3*geluA*v*v))
	}
}
