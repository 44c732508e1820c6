package mnist

import (
	"fmt"
	"image"
	"math"
	"slices"
)

// FromImage converts any image into an MNIST-style input: 28×28 grayscale
// in [0, 1], a light digit on a dark background, scaled to fit a 20×20 box
// (keeping its aspect ratio) and centred on its centre of mass, as the
// original data set was prepared. The result is written to dst, which must
// hold Pixels values.
//
// It is meant for photos of digits on paper as much as for clean drawings:
//   - the background is estimated as a smooth surface (a robust quadratic
//     fit), which removes uneven lighting and grey paper;
//   - whether the ink is darker or lighter than the background is decided
//     from which side of it the outlying pixels lie;
//   - ink is separated from paper by Otsu's threshold (at least a few
//     standard deviations of the paper's noise);
//   - only the largest connected stroke is kept, with any other stroke of
//     comparable size close to it, so specks of noise and dirt do not
//     stretch the digit's box.
//
// Images larger than MaxImageSide on a side are first scaled down, which
// bounds the work. It fails for an empty image or one with no contrast
// (nothing to centre).
func FromImage(dst []float32, img image.Image) error {
	if len(dst) != Pixels {
		panic(fmt.Sprintf("mnist: FromImage: dst holds %d values, want %d", len(dst), Pixels))
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return fmt.Errorf("image is empty (%dx%d)", w, h)
	}
	gray := toGray(img)
	if side := max(w, h); side > MaxImageSide {
		tw := max(1, w*MaxImageSide/side)
		th := max(1, h*MaxImageSide/side)
		gray = resampleArea(gray, w, 0, 0, w, h, tw, th)
		w, h = tw, th
	}
	ink, err := inkSignal(gray, w, h)
	if err != nil {
		return err
	}
	x0, y0, x1, y1 := inkBox(ink, w, h, 0)
	bw, bh := x1-x0, y1-y0
	// Fit the box into 20×20 keeping the aspect ratio.
	scale := 20 / float64(max(bw, bh))
	tw := max(1, int(math.Round(float64(bw)*scale)))
	th := max(1, int(math.Round(float64(bh)*scale)))
	small := resampleArea(ink, w, x0, y0, bw, bh, tw, th)
	// The centre of mass of the scaled digit goes to pixel (14, 14), where
	// MNIST's digits have theirs (measured on the test set: 14.01, 13.99).
	var mass, mx, my float64
	for y := 0; y < th; y++ {
		for x := 0; x < tw; x++ {
			v := float64(small[y*tw+x])
			mass += v
			mx += v * float64(x)
			my += v * float64(y)
		}
	}
	offX := int(math.Round(Width/2 - mx/mass))
	offY := int(math.Round(Width/2 - my/mass))
	clear(dst)
	for y := 0; y < th; y++ {
		for x := 0; x < tw; x++ {
			dx, dy := x+offX, y+offY
			if dx >= 0 && dx < Width && dy >= 0 && dy < Width {
				dst[dy*Width+dx] = min(1, max(0, small[y*tw+x]))
			}
		}
	}
	return nil
}

// MaxImageSide is the longest side FromImage works at; larger images are
// scaled down to it first.
const MaxImageSide = 320

// inkSignal returns, for every pixel of the w×h luminance image g, how much
// ink it holds in [0, 1] (1 for the core of a stroke, 0 for paper and for
// everything outside the digit's strokes).
func inkSignal(g []float32, w, h int) ([]float32, error) {
	bg, sigma := background(g, w, h)
	// Which side of the background the ink lies on: the side with more
	// mass beyond a few noise deviations.
	var darker, lighter float64
	for i, v := range g {
		r := float64(v - bg[i])
		darker += max(0, -r-3*sigma)
		lighter += max(0, r-3*sigma)
	}
	s := make([]float32, len(g))
	peak := float32(0)
	for i, v := range g {
		r := v - bg[i]
		if darker > lighter {
			r = -r
		}
		s[i] = max(0, r)
		peak = max(peak, s[i])
	}
	if peak < 1.0/32 {
		return nil, fmt.Errorf("image has no contrast (all pixels within %.3f of the background): no digit to find", peak)
	}
	if min(w, h) >= 48 { // photo-sized: average away the pixel noise first
		s = boxBlur3(s, w, h)
		peak = 0
		for _, v := range s {
			peak = max(peak, v)
		}
	}
	thr := max(otsu(s, peak), float32(3*sigma))
	if thr >= peak {
		thr = peak / 2
	}
	keep := strokes(s, w, h, thr)
	// Ink level: the median signal of the stroke pixels maps to 1, half the
	// threshold to 0, so paper noise near a stroke stays dark.
	level := strokeMedian(s, keep, thr, peak)
	lo := thr / 2
	if level <= lo {
		level = peak
	}
	out := make([]float32, len(s))
	for i, k := range keep {
		if k {
			out[i] = min(1, max(0, (s[i]-lo)/(level-lo)))
		}
	}
	return out, nil
}

// strokeMedian returns the median of the values of s above thr where keep
// is set, to within peak/1024 (from a histogram: no sorting).
func strokeMedian(s []float32, keep []bool, thr, peak float32) float32 {
	const bins = 1024
	var hist [bins]int
	n := 0
	for i, k := range keep {
		if k && s[i] > thr {
			hist[min(bins-1, int(s[i]/peak*bins))]++
			n++
		}
	}
	seen := 0
	for b, c := range hist {
		if seen += c; 2*seen > n {
			return (float32(b) + 0.5) / bins * peak
		}
	}
	return peak
}

// background fits a smooth surface (a quadratic in x and y) to the paper
// of g and returns it with the paper's noise standard deviation. The first
// fit uses the image's border; the next ones every pixel the previous fit
// explains within a few deviations, so strokes do not pull the surface.
func background(g []float32, w, h int) ([]float32, float64) {
	ring := max(1, min(w, h)/16)
	onRing := func(x, y int) bool { return x < ring || y < ring || x >= w-ring || y >= h-ring }
	// Fit to about 10000 pixels at most: the surface is smooth.
	step := max(1, int(math.Sqrt(float64(w*h)/10000)))
	fit := func(use func(x, y int) bool) ([6]float64, bool) {
		var a [6][6]float64
		var rhs [6]float64
		n := 0
		for y := 0; y < h; y += step {
			for x := 0; x < w; x += step {
				if !use(x, y) {
					continue
				}
				f := quadTerms(x, y, w, h)
				v := float64(g[y*w+x])
				for i := range f {
					rhs[i] += f[i] * v
					for j := i; j < len(f); j++ { // the lower half mirrors it
						a[i][j] += f[i] * f[j]
					}
				}
				n++
			}
		}
		if n < 12 {
			return [6]float64{}, false
		}
		for i := range a {
			for j := 0; j < i; j++ {
				a[i][j] = a[j][i]
			}
		}
		return solve6(a, rhs)
	}
	eval := func(c [6]float64) []float32 {
		bg := make([]float32, len(g))
		for y := 0; y < h; y++ {
			v := quadTerms(0, y, w, h)[2]
			// Along a row the surface is a quadratic in u alone.
			a0, a1, a2 := c[0]+c[2]*v+c[5]*v*v, c[1]+c[4]*v, c[3]
			for x := 0; x < w; x++ {
				u := quadTerms(x, y, w, h)[1]
				bg[y*w+x] = float32(a0 + u*(a1+u*a2))
			}
		}
		return bg
	}
	// noise: the median absolute residual of the border, as a deviation.
	noise := func(bg []float32) float64 {
		var r []float64
		for y := 0; y < h; y += step {
			for x := 0; x < w; x += step {
				if onRing(x, y) {
					r = append(r, math.Abs(float64(g[y*w+x]-bg[y*w+x])))
				}
			}
		}
		slices.Sort(r)
		return max(1.0/255, 1.4826*r[len(r)/2])
	}
	c, ok := fit(onRing)
	if !ok || w < 8 || h < 8 {
		// Too small for a surface: the border's median is the background.
		var r []float64
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if onRing(x, y) {
					r = append(r, float64(g[y*w+x]))
				}
			}
		}
		slices.Sort(r)
		c = [6]float64{r[len(r)/2]}
		bg := eval(c)
		return bg, noise(bg)
	}
	bg := eval(c)
	sigma := noise(bg)
	for range 2 {
		lim := float32(2.5 * sigma)
		next, ok := fit(func(x, y int) bool {
			i := y*w + x
			return g[i]-bg[i] < lim && bg[i]-g[i] < lim
		})
		if !ok {
			break
		}
		bg = eval(next)
		sigma = noise(bg)
	}
	return bg, sigma
}

// quadTerms returns 1, x, y, x², xy, y² with x and y scaled to [-1, 1].
func quadTerms(x, y, w, h int) [6]float64 {
	u := 2*float64(x)/float64(max(1, w-1)) - 1
	v := 2*float64(y)/float64(max(1, h-1)) - 1
	return [6]float64{1, u, v, u * u, u * v, v * v}
}

// solve6 solves a·c = b by Gaussian elimination with partial pivoting; it
// reports false for a (nearly) singular system.
func solve6(a [6][6]float64, b [6]float64) ([6]float64, bool) {
	const n = 6
	for col := 0; col < n; col++ {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-9*math.Abs(a[0][0]) {
			return [6]float64{}, false
		}
		a[col], a[p] = a[p], a[col]
		b[col], b[p] = b[p], b[col]
		for r := col + 1; r < n; r++ {
			f := a[r][col] / a[col][col]
			for k := col; k < n; k++ {
				a[r][k] -= f * a[col][k]
			}
			b[r] -= f * b[col]
		}
	}
	var c [6]float64
	for r := n - 1; r >= 0; r-- {
		v := b[r]
		for k := r + 1; k < n; k++ {
			v -= a[r][k] * c[k]
		}
		c[r] = v / a[r][r]
	}
	return c, true
}

// otsu returns the threshold in [0, peak] that best splits the values of s
// into two classes (Otsu's method: the largest between-class variance).
func otsu(s []float32, peak float32) float32 {
	const bins = 256
	var hist [bins]float64
	for _, v := range s {
		hist[min(bins-1, int(v/peak*bins))]++
	}
	var total, sumAll float64
	for i, c := range hist {
		total += c
		sumAll += float64(i) * c
	}
	var wB, sumB, best float64
	thr := 0
	for i, c := range hist {
		wB += c
		sumB += float64(i) * c
		wF := total - wB
		if wB == 0 || wF == 0 {
			continue
		}
		mB, mF := sumB/wB, (sumAll-sumB)/wF
		if between := wB * wF * (mB - mF) * (mB - mF); between > best {
			best, thr = between, i
		}
	}
	return float32(thr+1) / bins * peak
}

// strokes marks the pixels that belong to the digit: the connected
// components (8-connectivity) of pixels above thr, keeping the largest and
// any other of at least an eighth of its size lying near it, each grown by
// the faint pixels around it (above thr/2) so anti-aliased edges stay.
func strokes(s []float32, w, h int, thr float32) []bool {
	label := make([]int32, len(s))
	var sizes []int
	var boxes [][4]int
	stack := []int{}
	for i, v := range s {
		if v <= thr || label[i] != 0 {
			continue
		}
		id := int32(len(sizes) + 1)
		box := [4]int{w, h, 0, 0}
		size := 0
		label[i] = id
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := j%w, j/w
			size++
			box = [4]int{min(box[0], x), min(box[1], y), max(box[2], x+1), max(box[3], y+1)}
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= w || yy >= h {
						continue
					}
					if k := yy*w + xx; label[k] == 0 && s[k] > thr {
						label[k] = id
						stack = append(stack, k)
					}
				}
			}
		}
		sizes = append(sizes, size)
		boxes = append(boxes, box)
	}
	big := 0
	for i, n := range sizes {
		if n > sizes[big] {
			big = i
		}
	}
	// Near: within half the main stroke's larger side of its box.
	mb := boxes[big]
	margin := max(mb[2]-mb[0], mb[3]-mb[1]) / 2
	kept := make([]bool, len(sizes)+1)
	for i, n := range sizes {
		b := boxes[i]
		near := b[0] < mb[2]+margin && b[2] > mb[0]-margin && b[1] < mb[3]+margin && b[3] > mb[1]-margin
		kept[i+1] = i == big || n*8 >= sizes[big] && near
	}
	keep := make([]bool, len(s))
	for i, l := range label {
		keep[i] = kept[l]
	}
	// Grow by the faint neighbours, twice: the edges of the strokes.
	for range 2 {
		grown := slices.Clone(keep)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := y*w + x
				if keep[i] || s[i] <= thr/2 {
					continue
				}
				for d := range 4 {
					xx, yy := x+[4]int{-1, 1, 0, 0}[d], y+[4]int{0, 0, -1, 1}[d]
					if xx >= 0 && yy >= 0 && xx < w && yy < h && keep[yy*w+xx] {
						grown[i] = true
						break
					}
				}
			}
		}
		keep = grown
	}
	return keep
}

// boxBlur3 averages every pixel with its 3×3 neighbourhood (clipped at the
// edges).
func boxBlur3(g []float32, w, h int) []float32 {
	out := make([]float32, len(g))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var sum float32
			n := 0
			for yy := max(0, y-1); yy <= min(h-1, y+1); yy++ {
				for xx := max(0, x-1); xx <= min(w-1, x+1); xx++ {
					sum += g[yy*w+xx]
					n++
				}
			}
			out[y*w+x] = sum / float32(n)
		}
	}
	return out
}

// toGray returns the image's luminance in [0, 1], row-major, alpha
// composited over black.
func toGray(img image.Image) []float32 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]float32, w*h)
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, v := range row {
				out[y*w+x] = float32(v) / 255
			}
		}
		return out
	case *image.RGBA: // premultiplied, like RGBA()
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := 0; x < w; x++ {
				p := row[4*x : 4*x+3]
				out[y*w+x] = float32(0.299*float64(p[0])+0.587*float64(p[1])+0.114*float64(p[2])) / 255
			}
		}
		return out
	case *image.NRGBA: // not premultiplied: composite over black here
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := 0; x < w; x++ {
				p := row[4*x : 4*x+4]
				out[y*w+x] = float32((0.299*float64(p[0])+0.587*float64(p[1])+0.114*float64(p[2]))*float64(p[3])/255) / 255
			}
		}
		return out
	case *image.YCbCr: // JPEG: Y is the luminance
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out[y*w+x] = float32(m.Y[m.YOffset(b.Min.X+x, b.Min.Y+y)]) / 255
			}
		}
		return out
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA() // premultiplied 16-bit
			out[y*w+x] = float32(0.299*float64(r)+0.587*float64(g)+0.114*float64(bl)) / 65535
		}
	}
	return out
}

// inkBox returns the bounding box [x0, x1) × [y0, y1) of pixels above thr.
// The caller guarantees that at least one pixel is 1 after stretching.
func inkBox(g []float32, w, h int, thr float32) (x0, y0, x1, y1 int) {
	x0, y0, x1, y1 = w, h, 0, 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if g[y*w+x] > thr {
				x0, y0 = min(x0, x), min(y0, y)
				x1, y1 = max(x1, x+1), max(y1, y+1)
			}
		}
	}
	return x0, y0, x1, y1
}

// resampleArea scales the bw×bh block at (x0, y0) of the w-wide image g to
// tw×th by area averaging: each target pixel is the mean of the source area
// it covers (fractional pixels weighted), so it works both ways in size.
func resampleArea(g []float32, w, x0, y0, bw, bh, tw, th int) []float32 {
	out := make([]float32, tw*th)
	sx, sy := float64(bw)/float64(tw), float64(bh)/float64(th)
	for ty := 0; ty < th; ty++ {
		ya, yb := float64(ty)*sy, float64(ty+1)*sy
		for tx := 0; tx < tw; tx++ {
			xa, xb := float64(tx)*sx, float64(tx+1)*sx
			var sum float64
			for y := int(ya); y < bh && float64(y) < yb; y++ {
				wy := math.Min(yb, float64(y+1)) - math.Max(ya, float64(y))
				for x := int(xa); x < bw && float64(x) < xb; x++ {
					wx := math.Min(xb, float64(x+1)) - math.Max(xa, float64(x))
					sum += wx * wy * float64(g[(y0+y)*w+x0+x])
				}
			}
			out[ty*tw+tx] = float32(sum / (sx * sy))
		}
	}
	return out
}

// TextArt draws a 28×28 image as 14 lines of 28 characters (two pixel rows
// per line), darker characters for brighter pixels.
func TextArt(pixels []float32) []string {
	const ramp = " .:-=+*#%@"
	lines := make([]string, 0, Width/2)
	for y := 0; y < Width; y += 2 {
		row := make([]byte, Width)
		for x := 0; x < Width; x++ {
			v := (pixels[y*Width+x] + pixels[(y+1)*Width+x]) / 2
			i := int(v * float32(len(ramp)))
			row[x] = ramp[min(len(ramp)-1, max(0, i))]
		}
		lines = append(lines, string(row))
	}
	return lines
}
