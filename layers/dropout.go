package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlp/gomlp/mat"
)

// Dropout zeroes each input unit with probability 1-keep during training and
// scales the kept ones by about 1/keep ("inverted dropout"), so the expected
// output equals the input; in evaluation it is the identity. keep, given to
// NewDropout, is the probability of keeping a unit, TensorFlow 1's
// keep_prob (not a drop rate).
//
// The mask comes from the layer's own seeded generator, so training is
// reproducible. The keep probability is resolved to a multiple of 1/65536
// (mask bits are drawn 16 at a time), and the scale is the inverse of that
// resolved probability, so the expectation is preserved to float32
// precision (0.5 resolves exactly, with scale 2).
type Dropout struct {
	threshold uint32  // a unit is kept when a uniform 16-bit draw is below this
	scale     float32 // 65536/threshold: the inverse of the resolved keep probability
	rng       rand.PCG
	mask      buffer // 0 or scale per unit of the last training batch
}

// NewDropout returns a dropout layer keeping each unit with probability
// keep, 0 < keep <= 1, drawing its masks from a generator seeded with seed.
func NewDropout(keep float64, seed uint64) *Dropout {
	if !(keep > 0 && keep <= 1) {
		panic(fmt.Sprintf("layers: NewDropout: keep probability %v is not in (0, 1]", keep))
	}
	t := uint32(math.Round(keep * 65536))
	t = min(max(t, 1), 65536)
	d := &Dropout{threshold: t, scale: float32(65536 / float64(t))}
	d.Reseed(seed)
	return d
}

// Reseed restarts the mask generator from seed. The trainer reseeds every
// dropout layer at the start of each epoch, so that a run resumed at an
// epoch boundary draws the same masks as one that never stopped.
func (d *Dropout) Reseed(seed uint64) { d.rng.Seed(seed, 0x9e3779b97f4a7c15) }

// OutputCols implements Layer: the width is unchanged.
func (*Dropout) OutputCols(in int) int { return in }

// Forward implements Layer. In training it draws a new mask.
func (d *Dropout) Forward(y, x *mat.Matrix, train bool) {
	if !train {
		mat.Copy(y, x)
		return
	}
	if y.Rows != x.Rows || y.Cols != x.Cols {
		panic(fmt.Sprintf("layers: Dropout: input %s, output %s", x.Shape(), y.Shape()))
	}
	m := d.mask.shape(x.Rows, x.Cols)
	for i := 0; i < x.Rows; i++ {
		d.drawRow(y.Row(i), x.Row(i), m.Row(i))
	}
}

// drawRow draws the mask of one row into m (0 or d.scale per unit) and sets
// y = x ⊙ m. Each 64-bit random word is cut into four 16-bit draws, and the
// comparison with the threshold is done without a branch: at keep 0.5 a
// branch would be mispredicted half the time.
func (d *Dropout) drawRow(y, x, m []float32) {
	t, sb := d.threshold, math.Float32bits(d.scale)
	x, y = x[:len(m)], y[:len(m)]
	j := 0
	for ; j+4 <= len(m); j += 4 {
		r := d.rng.Uint64()
		m0 := keepValue(uint32(r)&0xffff, t, sb)
		m1 := keepValue(uint32(r>>16)&0xffff, t, sb)
		m2 := keepValue(uint32(r>>32)&0xffff, t, sb)
		m3 := keepValue(uint32(r>>48), t, sb)
		mq, xq, yq := m[j:j+4:j+4], x[j:j+4:j+4], y[j:j+4:j+4]
		mq[0], mq[1], mq[2], mq[3] = m0, m1, m2, m3
		yq[0], yq[1], yq[2], yq[3] = xq[0]*m0, xq[1]*m1, xq[2]*m2, xq[3]*m3
	}
	if j < len(m) {
		r := d.rng.Uint64()
		for ; j < len(m); j++ {
			m[j] = keepValue(uint32(r)&0xffff, t, sb)
			y[j] = x[j] * m[j]
			r >>= 16
		}
	}
}

// keepValue returns the float32 with bits scaleBits if draw < threshold,
// else 0. Both are below 2^17, so draw-threshold wraps around (setting the
// top bit) exactly when draw < threshold.
func keepValue(draw, threshold, scaleBits uint32) float32 {
	keep := (draw - threshold) >> 31 // 1 or 0
	return math.Float32frombits(-keep & scaleBits)
}

// Backward implements Layer: dx = dy ⊙ mask.
func (d *Dropout) Backward(dx, dy, x, y *mat.Matrix) {
	if dx != nil {
		mulMask(dx, dy, &d.mask.m)
	}
}

func mulMask(dst, src, mask *mat.Matrix) {
	if src.Rows != mask.Rows || src.Cols != mask.Cols || dst.Rows != src.Rows || dst.Cols != src.Cols {
		panic(fmt.Sprintf("layers: Dropout: input %s, output %s, mask of the last training batch %s", src.Shape(), dst.Shape(), mask.Shape()))
	}
	for i := 0; i < src.Rows; i++ {
		dr, sr, mr := dst.Row(i), src.Row(i), mask.Row(i)
		sr, mr = sr[:len(dr)], mr[:len(dr)]
		for j := range dr {
			dr[j] = sr[j] * mr[j]
		}
	}
}

// Params implements Layer: none.
func (*Dropout) Params() []*Param { return nil }
