package mat

import (
	"math"
	"testing"
)

// fuzzValue maps a byte to a matrix element: mostly small exact values,
// with NaN and ±Inf on three codes.
func fuzzValue(b byte) float32 {
	switch b {
	case 255:
		return float32(math.NaN())
	case 254:
		return float32(math.Inf(1))
	case 253:
		return float32(math.Inf(-1))
	}
	return float32(int(b)-126) / 16
}

// FuzzGemm compares every implementation with the generic one on shapes,
// transposes, strides, alpha, beta and values taken from the input.
// Finite results must agree within the K-scaled tolerance; NaN and ±Inf
// must appear in the same places (with bounded finite values and these
// alphas, where they appear does not depend on the order of the sums).
func FuzzGemm(f *testing.F) {
	f.Add([]byte{5, 7, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{1, 40, 17, 1, 9, 200, 130, 255, 7})
	f.Add([]byte{33, 10, 64, 6, 100, 120, 140, 160, 254, 3, 253})
	f.Add([]byte{13, 13, 13, 0x7f, 1, 250, 2, 3})
	f.Add([]byte{70, 31, 9, 0x2d, 126, 127, 125})
	alphas := []float32{1, -0.5, 2, 0.75}
	betas := []float32{0, 1, -0.5, 2}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 5 {
			return
		}
		m, n, k := int(data[0]%80), int(data[1]%80), int(data[2]%80)
		flags := data[3]
		transA, transB := flags&1 != 0, flags&2 != 0
		alpha, beta := alphas[flags>>2&3], betas[flags>>4&3]
		pad := int(flags >> 6)
		vals := data[4:]
		next := 0
		value := func() float32 {
			v := fuzzValue(vals[next%len(vals)] + byte(next/len(vals)))
			next++
			return v
		}
		mat := func(r, c, pad int) *Matrix {
			x := &Matrix{Rows: r, Cols: c, Stride: c + pad}
			if x.Stride == 0 {
				x.Stride = 1
			}
			x.Data = make([]float32, r*x.Stride)
			for i := range r {
				for j := range c {
					x.Data[i*x.Stride+j] = value()
				}
			}
			return x
		}
		a := mat(m, k, pad)
		if transA {
			a = mat(k, m, pad)
		}
		b := mat(k, n, 1)
		if transB {
			b = mat(n, k, 0)
		}
		c0 := mat(m, n, 2)

		want := c0.Clone()
		prev, _ := SetImpl("generic")
		defer SetImpl(prev)
		Gemm(TransposeIf(transA), TransposeIf(transB), alpha, a, b, beta, want)
		_, mag := refGemm(transA, transB, alpha, a, b, beta, c0)
		for _, name := range Impls() {
			SetImpl(name)
			got := c0.Clone()
			Gemm(TransposeIf(transA), TransposeIf(transB), alpha, a, b, beta, got)
			for i := range m {
				for j := range n {
					g, w := float64(got.At(i, j)), float64(want.At(i, j))
					mg := mag[i*n+j]
					if math.IsNaN(mg) || math.IsInf(mg, 0) || math.IsNaN(w) || math.IsInf(w, 0) {
						same := math.IsNaN(g) == math.IsNaN(w) && (math.IsNaN(g) || g == w)
						if !same {
							t.Fatalf("%s %dx%dx%d trans %v %v alpha %v beta %v: C[%d,%d] = %v, generic %v",
								name, m, n, k, transA, transB, alpha, beta, i, j, g, w)
						}
						continue
					}
					if math.Abs(g-w) > 2*float64(k+4)*1.2e-7*mg {
						t.Fatalf("%s %dx%dx%d trans %v %v alpha %v beta %v: C[%d,%d] = %v, generic %v",
							name, m, n, k, transA, transB, alpha, beta, i, j, g, w)
					}
				}
			}
		}
	})
}
