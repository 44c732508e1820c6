// Package gemmshape names the Gemm products the benchmarks time, so that
// the go test benchmarks and mlp bench measure, and label, the same shapes.
package gemmshape

import "fmt"

// Shape is C (M×N) = op(A)·op(B) with an inner dimension K; TransA and
// TransB say whether A and B are stored transposed. Role says what the
// product is for, in reports.
type Shape struct {
	M, N, K        int
	TransA, TransB bool
	Role           string
}

// String formats the shape as in benchmark names: "128x256x784NN".
func (s Shape) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%dx%dx%d%s%s", s.M, s.N, s.K, t(s.TransA), t(s.TransB))
}

// Flops is the number of floating-point operations of one product, 2·M·N·K.
func (s Shape) Flops() float64 { return 2 * float64(s.M) * float64(s.N) * float64(s.K) }

// Stored returns the stored shapes of A (ar×ac) and B (br×bc).
func (s Shape) Stored() (ar, ac, br, bc int) {
	ar, ac, br, bc = s.M, s.K, s.K, s.N
	if s.TransA {
		ar, ac = ac, ar
	}
	if s.TransB {
		br, bc = bc, br
	}
	return
}

// Step is the six products of one training step of the 784-256-10 network
// at batch 128 (forward, weight gradient and input gradient of each
// layer), then one sample of inference.
var Step = []Shape{
	{128, 256, 784, false, false, "layer 1 forward"},
	{784, 256, 128, true, false, "layer 1 weight gradient"},
	{128, 784, 256, false, true, "input gradient (784-wide)"},
	{128, 10, 256, false, false, "layer 2 forward"},
	{256, 10, 128, true, false, "layer 2 weight gradient"},
	{128, 256, 10, false, true, "layer 2 input gradient"},
	{1, 256, 784, false, false, "batch-1 inference"},
}

// Square returns the n×n×n product.
func Square(n int) Shape { return Shape{M: n, N: n, K: n, Role: "square"} }
