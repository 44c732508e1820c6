// Package loss computes training objectives: for a classifier, softmax
// cross-entropy from logits (fused, numerically stable, with its gradient);
// for regression, mean squared error and Huber loss; L1 and L2 weight
// penalties with their gradients; and metrics: accuracy and the confusion
// matrix, MSE, MAE and R² (RegressionScore).
//
// Losses are means over the rows of a batch and are accumulated in float64.
package loss

import (
	"fmt"
	"math"

	"github.com/gomlp/gomlp/mat"
)

// SoftmaxCrossEntropy returns the mean over rows of -log softmax(logits)[label],
// computed stably as logsumexp(row) - row[label]. Unless grad is nil it also
// sets grad (the logits' shape; it may be logits itself) to the gradient of
// that mean with respect to the logits: (softmax(row) - onehot(label)) / rows.
//
// A NaN or infinite logit makes the loss NaN or infinite, so divergence shows.
// It panics if a label is outside [0, logits.Cols) or the shapes disagree:
// labels from data should be checked once, when the data is loaded.
func SoftmaxCrossEntropy(grad, logits *mat.Matrix, labels []int) float64 {
	if len(labels) != logits.Rows {
		panic(fmt.Sprintf("loss: SoftmaxCrossEntropy: %d labels for %s logits", len(labels), logits.Shape()))
	}
	checkGradShape("SoftmaxCrossEntropy", grad, logits)
	for i, y := range labels {
		if uint(y) >= uint(logits.Cols) {
			panic(fmt.Sprintf("loss: SoftmaxCrossEntropy: label %d in row %d is not a class of %s logits", y, i, logits.Shape()))
		}
	}
	if logits.Rows == 0 {
		return 0
	}
	inv := 1 / float64(logits.Rows)
	var total float64
	if grad == nil {
		for i, y := range labels {
			z := logits.Row(i)
			m, s := expSums(nil, z)
			total += m + math.Log(s) - float64(z[y])
		}
		return total * inv
	}
	// In blocks of rows: the logits less their row maximum into grad, the
	// exponentials of the block in one call (a call per row of 10 cost
	// more than the exponentials), then each row's loss and gradient. The
	// values are those expSums gives, row by row.
	const block = 64
	var maxes, zys [block]float32
	for i0 := 0; i0 < logits.Rows; i0 += block {
		i1 := min(i0+block, logits.Rows)
		for i := i0; i < i1; i++ {
			z, g := logits.Row(i), grad.Row(i) // g may be z
			m := rowMax(z)
			maxes[i-i0], zys[i-i0] = m, z[labels[i]]
			for j, v := range z {
				g[j] = v - m
			}
		}
		expRows(grad, i0, i1)
		for i := i0; i < i1; i++ {
			g := grad.Row(i)
			var s float64
			for _, x := range g {
				s += float64(x)
			}
			total += float64(maxes[i-i0]) + math.Log(s) - float64(zys[i-i0])
			scale := float32(inv / s)
			for j := range g {
				g[j] *= scale
			}
			g[labels[i]] -= float32(inv)
		}
	}
	return total * inv
}

// SoftmaxCrossEntropyOneHot is SoftmaxCrossEntropy for targets given as rows
// of class probabilities (one-hot or smoothed): the mean over rows of
// -Σ_j targets[j]·log softmax(row)[j]. Unless grad is nil it sets grad to
// the gradient with respect to the logits, (softmax·Σtargets - targets)/rows.
func SoftmaxCrossEntropyOneHot(grad, logits, targets *mat.Matrix) float64 {
	if targets.Rows != logits.Rows || targets.Cols != logits.Cols {
		panic(fmt.Sprintf("loss: SoftmaxCrossEntropyOneHot: targets %s for logits %s", targets.Shape(), logits.Shape()))
	}
	checkGradShape("SoftmaxCrossEntropyOneHot", grad, logits)
	if logits.Rows == 0 {
		return 0
	}
	inv := 1 / float64(logits.Rows)
	var total float64
	for i := 0; i < logits.Rows; i++ {
		z, t := logits.Row(i), targets.Row(i)
		var tsum, tz float64
		for j, tj := range t {
			tsum += float64(tj)
			if tj != 0 { // a zero target contributes nothing, even for an infinite logit
				tz += float64(tj) * float64(z[j])
			}
		}
		var g []float32
		if grad != nil {
			g = grad.Row(i)
		}
		m, s := expSums(g, z)
		total += (m+math.Log(s))*tsum - tz
		if g != nil {
			scale := tsum * inv / s
			for j := range g {
				g[j] = float32(float64(g[j])*scale - float64(t[j])*inv)
			}
		}
	}
	return total * inv
}

// Softmax sets each row of dst to the softmax of the same row of logits
// (dst may be logits).
func Softmax(dst, logits *mat.Matrix) {
	if dst.Rows != logits.Rows || dst.Cols != logits.Cols {
		panic(fmt.Sprintf("loss: Softmax: shape mismatch: %s and %s", dst.Shape(), logits.Shape()))
	}
	// Row by row, the logits less their maximum; then the exponentials in
	// one call where dst is contiguous (a call per row of 10 cost more
	// than the exponentials); then each row over its sum. The values are
	// those expSums gives.
	for i := 0; i < logits.Rows; i++ {
		d, z := dst.Row(i), logits.Row(i)
		m := rowMax(z)
		for j, v := range z {
			d[j] = v - m
		}
	}
	expRows(dst, 0, dst.Rows)
	for i := 0; i < dst.Rows; i++ {
		d := dst.Row(i)
		var s float64
		for _, x := range d {
			s += float64(x)
		}
		inv := float32(1 / s)
		for j := range d {
			d[j] *= inv
		}
	}
}

// expRows exponentiates rows [i0, i1) of m in place: in one call where the
// rows are contiguous.
func expRows(m *mat.Matrix, i0, i1 int) {
	if m.Stride == m.Cols {
		rows := m.Data[i0*m.Cols : i1*m.Cols]
		mat.Exp(rows, rows)
		return
	}
	for i := i0; i < i1; i++ {
		mat.Exp(m.Row(i), m.Row(i))
	}
}

// rowMax returns the largest of z, or 0 if there is none (all -Inf or NaN:
// exp(-Inf-0) = 0, so the sum is 0 and a loss +Inf, or NaN). NaNs are never
// the maximum, so they reach the sum and make it NaN.
func rowMax(z []float32) float32 {
	mz := float32(math.Inf(-1))
	for _, v := range z {
		if v > mz {
			mz = v
		}
	}
	if math.IsInf(float64(mz), -1) {
		return 0
	}
	return mz
}

// expSums returns the row maximum m and s = Σ exp(z[j]-m); unless e is nil
// it also stores exp(z[j]-m) in e[j] (e may alias z). The exponentials are
// mat.Exp's, in float32 like the logits (each within about one unit in the
// last place), and summed in float64; rowMax says what NaN and -Inf do.
func expSums(e, z []float32) (m, s float64) {
	mz := rowMax(z)
	var buf [64]float32
	for len(z) > 0 {
		chunk := e
		if chunk == nil {
			chunk = buf[:min(len(buf), len(z))]
		}
		chunk = chunk[:min(len(chunk), len(z))]
		for j := range chunk {
			chunk[j] = z[j] - mz
		}
		mat.Exp(chunk, chunk)
		for _, x := range chunk {
			s += float64(x)
		}
		z = z[len(chunk):]
		if e != nil {
			e = e[len(chunk):]
		}
	}
	return float64(mz), s
}

func checkGradShape(op string, grad, logits *mat.Matrix) {
	if grad != nil && (grad.Rows != logits.Rows || grad.Cols != logits.Cols) {
		panic(fmt.Sprintf("loss: %s: gradient %s for logits %s", op, grad.Shape(), logits.Shape()))
	}
}
