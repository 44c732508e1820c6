// Package mat is gomlp's numeric core: row-major float32 matrices, a
// BLIS-style SGEMM and the element kernels a training step needs, with
// hand-written AVX2+FMA (amd64) and NEON (arm64) kernels and a generic
// pure-Go path that every assembly routine is tested against.
//
// # Matrices
//
// A Matrix is row-major: element (i, j) is Data[i*Stride+j]. Views (RowView,
// View, or any Matrix whose Stride exceeds Cols) share their parent's data
// and are valid operands everywhere.
//
// # Gemm
//
// Gemm computes C = alpha·op(A)·op(B) + beta·C for all four transpose
// combinations, with the BLAS rules for the edge cases: beta == 0 never
// reads C, K == 0 or alpha == 0 only scales C, an empty C is a no-op.
// Mismatched shapes panic with both shapes in the message.
//
// Operands are packed into cache-sized panels and multiplied by a register-
// blocked micro-kernel; shapes where packing does not pay take dedicated
// kernels: one row of C (batch-1 inference) streams B once (a GEMV), and a
// C of at most 24 columns is computed as dot products along K (op(A) = A)
// or as columns along M (op(A) = Aᵀ; with AVX-512, as its transpose by the
// blocked driver). AVX2 and NEON have assembly for all of these (NEON hands
// C blocks narrower than its tiles to Go); the generic kernels have the
// GEMV only. With AVX-512 a GEMV over 640 KB or more of B sums four blocks
// of K, visited last-first on every other call (the order of the sums does
// not change), so that weights that nearly fill L2 are not each evicted
// just before their next use. On amd64 the blocked driver also reads a
// row-major B in place instead of packing it when few rows of A share it,
// and uses a 4-row kernel for the last rows, so that 128 rows are 20
// panels of 6 and 2 of 4, none padded; with AVX-512, A·Bᵀ with at most
// 256 rows and more columns (a hidden layer's input gradient) is computed
// as the transpose of B·Aᵀ, which reads the large B in place. The order in
// which the products are added depends on the kernels, the shape and the
// thread count, so results may differ in the last bits between
// implementations;
// each is within a few K·2⁻²⁴ of the exact sum. NaN and Inf in A or B reach
// exactly the elements of C they contribute to.
//
// Linear and LinearReLU are a dense layer's forward pass (x·w + bias, and
// ReLU) as one call: the bias and the ReLU are applied to each band of the
// output as the product finishes it, while it is in cache.
//
// Large products are split across a pool of worker goroutines, started once,
// up to Threads() of them (the calling goroutine included; see SetThreads),
// in bands of rows or columns, up to four per thread, that idle threads
// claim as they finish: a core slowed by other work takes fewer bands
// instead of holding up the rest, and when the workers get no processor at
// all (the program's other goroutines keep every core busy), calls are
// split only now and then, to notice a worker coming back. Small products
// run on the calling goroutine alone, unless a worker is idle and polling
// for work, as it is for a while after each large product (a training
// loop keeps one busy).
// Gemm does not allocate once its packing buffers have grown to the sizes
// in use.
//
// # Element functions
//
// ReLU, ReLUGrad, AddRowVector, ColSums, Axpy, Scale and Add give the same
// results on every implementation and thread count: none fuses a multiply
// and an add, and a split between threads computes each element the same
// way. The one freedom is the NaN rule, which every kernel follows: where
// Go's arithmetic gives a NaN (a NaN operand, Inf·0, Inf−Inf), the result
// is a NaN at the same place, but which NaN (payload and sign) is
// unspecified; every other element is the same bit for bit, ±0 included.
// ReLU returns its input wherever input < 0 is false, so a NaN stays a NaN
// and -0 stays -0; ReLUGrad gives +0 wherever x > 0 is false (x negative,
// ±0 or NaN), so a NaN in x gives 0 and a NaN in grad where x > 0 a NaN.
// Linear and LinearReLU add the bias and apply ReLU by the same rule.
//
// Exp (the softmax's exponential) gives the same bits on every
// implementation too: the AVX2 kernel does the float32 operations of its Go
// twin in the same order. It is within about one unit in the last place of
// e^x, flushes results below the smallest normal float32 to 0 and returns
// +Inf past the largest.
//
// On large operands the element functions, and GatherRows (the gathering of
// a shuffled mini-batch), share the work with a polling worker when there
// is one; they never wake a blocked worker, which would cost more than the
// work. With the assembly kernels GatherRows prefetches the rows it copies
// next, so that their cache misses overlap.
//
// # Kernel dispatch
//
// The kernels are chosen once, at package init, from golang.org/x/sys/cpu:
// "avx512" on amd64 CPUs with AVX-512F (the AVX2 set with AVX-512 GEMM and
// GEMV kernels), "avx2+fma" on amd64 CPUs with AVX2 and FMA, "neon" on arm64
// (Advanced SIMD), "generic" everywhere else. The build tag purego forces
// the generic kernels; at run time, the environment variable
// GOMLP_KERNELS=generic does the same on every architecture (it is read
// once, at init, so go test's result cache does not notice it: pass
// -count=1). On amd64, GODEBUG=cpu.avx512f=off leaves the AVX2 set and
// GODEBUG=cpu.avx2=off (or cpu.fma=off) forces the generic one. (On arm64
// the Go runtime does not know GODEBUG=cpu.asimd=off and warns about it.)
// Impl reports the
// choice; SetImpl switches it, so that tests and benchmarks can compare
// implementations in one process.
//
// All functions are safe for concurrent use as long as goroutines do not
// write to the same matrix.
package mat
