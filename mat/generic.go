package mat

import "unsafe"

// genericKernels are the pure-Go twins of every assembly kernel. They run on
// CPUs without a supported vector unit, under the purego build tag, and in
// tests as the reference the assembly is compared with.
var genericKernels = kernelSet{
	name:     "generic",
	gemm:     microKernel{mr: 2, nr: 4, fn: gemmKernelGeneric},
	relu:     reluGeneric,
	reluGrad: reluGradGeneric,
	add:      addGeneric,
	axpy:     axpyGeneric,
	scale:    scaleGeneric,
	fast:     &fastKernels{gemv: gemvGeneric},
}

// gemvGeneric is the fast path for one row of C (batch-1 inference) in pure
// Go, where the packed driver would pack all of B for a single row. It
// keeps the sums of four columns in registers over all of k (eight need
// more than amd64's 15 free vector registers and spill). Sums kept in a
// block on the stack ran 45% slower after a change to a caller's frame
// moved the stack, most likely as their addresses then matched B's rows
// modulo 4 KB; 1×256×784 on Zen 5: 63–83 µs that way, 49–60 in registers.
func gemvGeneric(p *fastArgs) {
	nb := 0 // B's extent
	if p.k > 0 {
		nb = (p.k-1)*p.ldb + p.n
	}
	a := unsafe.Slice(p.a, p.k)
	b := unsafe.Slice(p.b, nb)
	c := unsafe.Slice(p.c, p.n)
	ldb := p.ldb
	j := 0
	for ; j+4 <= p.n; j += 4 {
		var s0, s1, s2, s3 float32
		off := j
		for _, ak := range a {
			r := b[off : off+4 : off+4]
			off += ldb
			s0 += ak * r[0]
			s1 += ak * r[1]
			s2 += ak * r[2]
			s3 += ak * r[3]
		}
		s := [4]float32{s0, s1, s2, s3}
		gemvStore(c[j:], s[:], p.alpha, p.beta)
	}
	for ; j < p.n; j++ {
		var s [1]float32
		for k, ak := range a {
			s[0] += ak * b[k*p.ldb+j]
		}
		gemvStore(c[j:], s[:], p.alpha, p.beta)
	}
}

// gemvStore sets out[i] = alpha·sums[i] + beta·out[i], not reading out
// when beta is 0.
func gemvStore(out, sums []float32, alpha, beta float32) {
	out = out[:len(sums)]
	switch {
	case alpha == 1 && beta == 0:
		copy(out, sums)
	case beta == 0:
		for i, v := range sums {
			out[i] = alpha * v
		}
	default:
		for i, v := range sums {
			out[i] = alpha*v + beta*out[i]
		}
	}
}

// gemmKernelGeneric is the 2×4 pure-Go micro-kernel. The tile is small on
// purpose: Go keeps scalars in at most 15 XMM registers and its SSE code
// needs a copy for each product, so eight accumulators are what fits
// without spilling (4×4 and 3×4 spill and run slower). Two steps per
// iteration halve the loop overhead.
func gemmKernelGeneric(k int, a, b, c *float32, ldc int, beta float32) {
	const mr, nr = 2, 4
	as := unsafe.Slice(a, k*mr)
	bs := unsafe.Slice(b, k*nr)
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	p := 0
	for ; p+2 <= k; p += 2 {
		ap := as[p*mr : p*mr+2*mr : p*mr+2*mr]
		bp := bs[p*nr : p*nr+2*nr : p*nr+2*nr]
		a0, a1 := ap[0], ap[1]
		c00 += a0 * bp[0]
		c01 += a0 * bp[1]
		c02 += a0 * bp[2]
		c03 += a0 * bp[3]
		c10 += a1 * bp[0]
		c11 += a1 * bp[1]
		c12 += a1 * bp[2]
		c13 += a1 * bp[3]
		a0, a1 = ap[2], ap[3]
		c00 += a0 * bp[4]
		c01 += a0 * bp[5]
		c02 += a0 * bp[6]
		c03 += a0 * bp[7]
		c10 += a1 * bp[4]
		c11 += a1 * bp[5]
		c12 += a1 * bp[6]
		c13 += a1 * bp[7]
	}
	if p < k {
		ap := as[p*mr : p*mr+mr : p*mr+mr]
		bp := bs[p*nr : p*nr+nr : p*nr+nr]
		a0, a1 := ap[0], ap[1]
		c00 += a0 * bp[0]
		c01 += a0 * bp[1]
		c02 += a0 * bp[2]
		c03 += a0 * bp[3]
		c10 += a1 * bp[0]
		c11 += a1 * bp[1]
		c12 += a1 * bp[2]
		c13 += a1 * bp[3]
	}
	cs := unsafe.Slice(c, ldc+nr)
	r0 := cs[0:nr:nr]
	r1 := cs[ldc : ldc+nr : ldc+nr]
	if beta != 0 {
		c00 += beta * r0[0]
		c01 += beta * r0[1]
		c02 += beta * r0[2]
		c03 += beta * r0[3]
		c10 += beta * r1[0]
		c11 += beta * r1[1]
		c12 += beta * r1[2]
		c13 += beta * r1[3]
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
}

func reluGeneric(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
}

func reluGradGeneric(dst, grad, x []float32) {
	grad, x = grad[:len(dst)], x[:len(dst)]
	for i := range dst {
		if x[i] > 0 {
			dst[i] = grad[i]
		} else {
			dst[i] = 0
		}
	}
}

func addGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] += x[i]
	}
}

func axpyGeneric(alpha float32, x, y []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += float32(alpha * x[i]) // the conversion forbids fusing into an FMA
	}
}

func scaleGeneric(alpha float32, x []float32) {
	for i := range x {
		x[i] *= alpha
	}
}
