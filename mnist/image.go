package mnist

import (
	"fmt"
	"image"
	"math"
)

// FromImage converts any image into an MNIST-style input: 28×28 grayscale
// in [0, 1], a light digit on a dark background, scaled to fit a 20×20 box
// (keeping its aspect ratio) and centred on its centre of mass, as the
// original data set was prepared. Dark-on-light images (ink on paper) are
// inverted first, judged by the brightness of the image's border. The
// result is written to dst, which must hold Pixels values.
//
// It fails for an empty image or one with no contrast (nothing to centre).
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
	lo, hi := float32(1), float32(0)
	for _, v := range gray {
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi-lo < 1.0/32 {
		return fmt.Errorf("image has no contrast (all pixels near %.2f): no digit to find", lo)
	}
	invert := borderMean(gray, w, h) > (lo+hi)/2
	for i, v := range gray { // stretch to [0, 1], digit bright
		v = (v - lo) / (hi - lo)
		if invert {
			v = 1 - v
		}
		gray[i] = v
	}
	x0, y0, x1, y1 := inkBox(gray, w, h, 0.2)
	bw, bh := x1-x0, y1-y0
	// Fit the box into 20×20 keeping the aspect ratio.
	scale := 20 / float64(max(bw, bh))
	tw := max(1, int(math.Round(float64(bw)*scale)))
	th := max(1, int(math.Round(float64(bh)*scale)))
	small := resampleArea(gray, w, x0, y0, bw, bh, tw, th)
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

// toGray returns the image's luminance in [0, 1], row-major, alpha
// composited over black.
func toGray(img image.Image) []float32 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]float32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA() // premultiplied 16-bit
			out[y*w+x] = float32(0.299*float64(r)+0.587*float64(g)+0.114*float64(bl)) / 65535
		}
	}
	return out
}

func borderMean(g []float32, w, h int) float32 {
	var sum float64
	n := 0
	for x := 0; x < w; x++ {
		sum += float64(g[x]) + float64(g[(h-1)*w+x])
		n += 2
	}
	for y := 1; y < h-1; y++ {
		sum += float64(g[y*w]) + float64(g[y*w+w-1])
		n += 2
	}
	return float32(sum / float64(n))
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
