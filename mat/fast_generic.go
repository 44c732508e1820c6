package mat

import "unsafe"

// The pure-Go twins of the fast-path and strided kernels (see fastKernels
// and stridedRowKernel). The tests compare every kernel set's assembly
// with them; the arm64 wrappers also hand them the shapes too small for
// their vector tiles.

// dotGeneric: C[i][j] = alpha·Σ_p a[i*lda+p]·b[j*ldb+p] + beta·C[i][j].
func dotGeneric(p *fastArgs) {
	for i := range p.m {
		a := floats(p.a, i*p.lda, p.k)
		c := floats(p.c, i*p.ldc, p.n)
		for j := range c {
			b := floats(p.b, j*p.ldb, p.k)
			b = b[:len(a)]
			var s float32
			for q, av := range a {
				s += av * b[q]
			}
			c[j] = fastOut(p, s, c[j])
		}
	}
}

// dot1Generic is dotGeneric for one row of C.
func dot1Generic(p *fastArgs) {
	q := *p
	q.m = 1
	dotGeneric(&q)
}

// colGeneric: C[i][j] = alpha·Σ_p a[p*lda+i]·b[p*ldb+j] + beta·C[i][j],
// accumulating each row of C along p in a small block on the stack.
func colGeneric(p *fastArgs) {
	const block = 32
	var acc [block]float32
	for i := range p.m {
		c := floats(p.c, i*p.ldc, p.n)
		for j0 := 0; j0 < p.n; j0 += block {
			sum := acc[:min(block, p.n-j0)]
			clear(sum)
			for q := range p.k {
				av := *addFloats(p.a, q*p.lda+i)
				b := floats(p.b, q*p.ldb+j0, len(sum))
				for j, bv := range b {
					sum[j] += av * bv
				}
			}
			for j, s := range sum {
				c[j0+j] = fastOut(p, s, c[j0+j])
			}
		}
	}
}

// fastOut is alpha·s + beta·c, not reading c when beta == 0.
func fastOut(p *fastArgs, s, c float32) float32 {
	if p.beta == 0 {
		return p.alpha * s
	}
	return p.alpha*s + p.beta*c
}

// floats returns the n floats at base + off elements.
func floats(base *float32, off, n int) []float32 {
	return unsafe.Slice(addFloats(base, off), n)
}

// stridedRowGeneric returns the twin of a strided row kernel (and of an
// edge kernel's row) with mr×nr tiles: tile t reads the packed A panel
// a[p*mr+i] and B at b + t*tileStride + p*stepStride + j, with the
// microKernel's rules for C and beta.
func stridedRowGeneric(mr, nr int) stridedRowKernel {
	return func(k, n int, a, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32) {
		rowGeneric(mr, nr, k, n, a, 1, mr, b, stepStride, tileStride, c, ldc, beta)
	}
}

// stridedRowGenericA returns the twin of a rowKernelA with mr×nr tiles.
func stridedRowGenericA(mr, nr int) rowKernelA {
	return func(k, n int, a *float32, aRow, aStep int, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32) {
		rowGeneric(mr, nr, k, n, a, aRow, aStep, b, stepStride, tileStride, c, ldc, beta)
	}
}

// rowGeneric computes n mr×nr tiles with A's element (i, p) at
// a + i*aRow + p*aStep.
func rowGeneric(mr, nr, k, n int, a *float32, aRow, aStep int, b *float32, stepStride, tileStride int, c *float32, ldc int, beta float32) {
	for t := range n {
		for i := range mr {
			crow := floats(c, i*ldc+t*nr, nr)
			for j := range crow {
				var s float32
				for p := range k {
					s += *addFloats(a, i*aRow+p*aStep) * *addFloats(b, t*tileStride+p*stepStride+j)
				}
				if beta != 0 {
					s += beta * crow[j]
				}
				crow[j] = s
			}
		}
	}
}

// useCol5 reports whether the arm64 column kernel with 16×5 tiles serves n
// columns better than the one with 16×4 tiles (it is here, not in
// asm_arm64.go, so that bench/arm's model can follow the same choice on
// any machine): it runs each column at about 9/8 of the speed (on the
// Neoverse N1 model, see bench/arm) but computes whole tiles, so it wins
// where it wastes fewer columns (n = 5, 9, 10, 13-15, 17-24).
func useCol5(n int) bool {
	return n >= 5 && (n+4)/5*5*8 <= (n+3)/4*4*9
}

// useDot5 reports whether the arm64 dot kernel with 3×5 tiles computes
// fewer columns of C than the one with 4×4 tiles (both run at about the
// same speed per FMA); here for the same reason as useCol5.
func useDot5(n int) bool {
	return (n+4)/5*5 < (n+3)/4*4
}

// transposeBy4x4 is the transpose contract of fastKernels with blocks, a
// kernel for rows and cols multiples of 4, doing the bulk and Go the last
// rows and columns (the arm64 transpose; here so that bench/arm's model
// can count it on any machine).
func transposeBy4x4(rows, cols int, src *float32, lds int, dst *float32, ldd int,
	blocks func(rows, cols int, src *float32, lds int, dst *float32, ldd int)) {
	r4, c4 := rows&^3, cols&^3
	if r4 > 0 && c4 > 0 {
		blocks(r4, c4, src, lds, dst, ldd)
	}
	s := unsafe.Slice(src, (rows-1)*lds+cols)
	d := unsafe.Slice(dst, (cols-1)*ldd+rows)
	if c4 < cols && r4 > 0 {
		transpose(d[c4*ldd:], ldd, s[c4:], lds, r4, cols-c4)
	}
	if r4 < rows {
		transpose(d[r4:], ldd, s[r4*lds:], lds, rows-r4, cols)
	}
}
