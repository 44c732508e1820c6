package mat

import "unsafe"

// genericKernels are the pure-Go twins of every assembly kernel. They run on
// CPUs without a supported vector unit, under the purego build tag, and in
// tests as the reference the assembly is compared with.
var genericKernels = kernelSet{
	name:     "generic",
	gemm:     microKernel{mr: 4, nr: 8, fn: gemmKernelGeneric},
	relu:     reluGeneric,
	reluGrad: reluGradGeneric,
	add:      addGeneric,
	axpy:     axpyGeneric,
	scale:    scaleGeneric,
}

func gemmKernelGeneric(k int, a, b, c *float32, ldc int, beta float32) {
	const mr, nr = 4, 8
	as := unsafe.Slice(a, k*mr)
	bs := unsafe.Slice(b, k*nr)
	var acc [mr][nr]float32
	for p := 0; p < k; p++ {
		ap := as[p*mr : p*mr+mr : p*mr+mr]
		bp := bs[p*nr : p*nr+nr : p*nr+nr]
		for i := range mr {
			ai := ap[i]
			for j := range nr {
				acc[i][j] += ai * bp[j]
			}
		}
	}
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	for i := range mr {
		row := cs[i*ldc : i*ldc+nr : i*ldc+nr]
		if beta == 0 {
			copy(row, acc[i][:])
			continue
		}
		for j := range nr {
			row[j] = beta*row[j] + acc[i][j]
		}
	}
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
