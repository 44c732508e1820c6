package mnist

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inkRing draws a dark ring (a zero) on a light w×h canvas, off centre.
func inkRing(w, h int, cx, cy, r0, r1 float64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			c := color.RGBA{240, 235, 230, 255}
			if d >= r0 && d <= r1 {
				c = color.RGBA{20, 20, 30, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func TestFromImageNormalisesLikeMNIST(t *testing.T) {
	dst := make([]float32, Pixels)
	// An ink-on-paper ring, tall and off centre on a 300×200 canvas.
	if err := FromImage(dst, inkRing(300, 200, 80, 120, 40, 55)); err != nil {
		t.Fatal(err)
	}
	x0, y0, x1, y1 := inkBox(dst, Width, Width, 0.2)
	if bw, bh := x1-x0, y1-y0; max(bw, bh) < 19 || max(bw, bh) > 21 {
		t.Errorf("digit box %dx%d, want the longer side to be 20", bw, bh)
	}
	var mass, mx, my float64
	for y := 0; y < Width; y++ {
		for x := 0; x < Width; x++ {
			v := float64(dst[y*Width+x])
			mass, mx, my = mass+v, mx+v*float64(x), my+v*float64(y)
		}
	}
	if cx, cy := mx/mass, my/mass; math.Abs(cx-14) > 1 || math.Abs(cy-14) > 1 {
		t.Errorf("centre of mass (%.2f, %.2f), want (14, 14)", cx, cy)
	}
	// Inverted: the corners are background (0), the ring is bright.
	if dst[0] != 0 || dst[Pixels-1] != 0 {
		t.Errorf("background not dark: %v %v", dst[0], dst[Pixels-1])
	}
	if dst[14*Width+14] > 0.1 {
		t.Errorf("hole of the ring is bright: %v", dst[14*Width+14])
	}
	art := TextArt(dst)
	if len(art) != Width/2 || !strings.ContainsAny(strings.Join(art, ""), "#%@") {
		t.Errorf("text art:\n%s", strings.Join(art, "\n"))
	}
}

func TestFromImageLightOnDarkIsNotInverted(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 28, 28))
	for y := 4; y < 24; y++ {
		for x := 12; x < 16; x++ {
			img.SetGray(x, y, color.Gray{255}) // a white "1" on black
		}
	}
	dst := make([]float32, Pixels)
	if err := FromImage(dst, img); err != nil {
		t.Fatal(err)
	}
	if dst[14*Width+14] < 0.9 || dst[0] != 0 {
		t.Errorf("centre %v corner %v: want a bright stroke on black", dst[14*Width+14], dst[0])
	}
}

func TestFromImageRejectsBlankAndEmpty(t *testing.T) {
	dst := make([]float32, Pixels)
	if err := FromImage(dst, image.NewGray(image.Rect(0, 0, 10, 10))); err == nil || !strings.Contains(err.Error(), "contrast") {
		t.Errorf("blank image: err = %v", err)
	}
	if err := FromImage(dst, image.NewGray(image.Rect(0, 0, 0, 5))); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty image: err = %v", err)
	}
}

// A real test digit, blown up 4× and printed dark on light like a photo of
// paper, comes back close to the original.
func TestFromImageRecoversRealDigits(t *testing.T) {
	dir := realDir(t)
	f, err := os.Open(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := ReadImages(f)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, Pixels)
	for i := 0; i < 20; i++ {
		orig := x.Row(i)
		img := image.NewGray(image.Rect(0, 0, 4*Width, 4*Height))
		for y := 0; y < 4*Height; y++ {
			for xx := 0; xx < 4*Width; xx++ {
				img.SetGray(xx, y, color.Gray{255 - uint8(orig[(y/4)*Width+xx/4]*255)})
			}
		}
		if err := FromImage(got, img); err != nil {
			t.Fatal(err)
		}
		if c := correlation(orig, got); c < 0.8 {
			t.Errorf("test image %d: correlation with the original %.3f, want >= 0.8\n%s\n%s",
				i, c, strings.Join(TextArt(orig), "\n"), strings.Join(TextArt(got), "\n"))
		}
	}
}

func correlation(a, b []float32) float64 {
	var ma, mb float64
	for i := range a {
		ma, mb = ma+float64(a[i]), mb+float64(b[i])
	}
	ma, mb = ma/float64(len(a)), mb/float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		da, db := float64(a[i])-ma, float64(b[i])-mb
		sab, saa, sbb = sab+da*db, saa+da*da, sbb+db*db
	}
	return sab / math.Sqrt(saa*sbb)
}

// A speck of dirt far from the digit and a strong lighting gradient change
// nothing: the box is the ring's, the background stays dark.
func TestFromImageIgnoresSpecksAndLighting(t *testing.T) {
	clean := make([]float32, Pixels)
	if err := FromImage(clean, inkRing(300, 200, 150, 100, 40, 55)); err != nil {
		t.Fatal(err)
	}
	img := inkRing(300, 200, 150, 100, 40, 55)
	for y := 0; y < 200; y++ {
		for x := 0; x < 300; x++ {
			c := img.RGBAAt(x, y)
			f := 1 - 0.45*float64(x)/300 // light falls off to the right
			img.SetRGBA(x, y, color.RGBA{uint8(float64(c.R) * f), uint8(float64(c.G) * f), uint8(float64(c.B) * f), 255})
		}
	}
	for y := 10; y < 16; y++ {
		for x := 280; x < 286; x++ {
			img.SetRGBA(x, y, color.RGBA{0, 0, 0, 255}) // a speck, top right
		}
	}
	got := make([]float32, Pixels)
	if err := FromImage(got, img); err != nil {
		t.Fatal(err)
	}
	if c := correlation(clean, got); c < 0.95 {
		t.Errorf("correlation with the clean ring %.3f, want >= 0.95\n%s", c, strings.Join(TextArt(got), "\n"))
	}
}

// The fast paths for common image types give what the general path gives.
func TestToGrayFastPaths(t *testing.T) {
	src := inkRing(37, 23, 18, 11, 5, 8)
	src.Set(3, 4, color.RGBA{200, 10, 90, 255})
	nrgba := image.NewNRGBA(src.Bounds())
	ycc := image.NewYCbCr(src.Bounds(), image.YCbCrSubsampleRatio444)
	gray := image.NewGray(src.Bounds())
	for y := 0; y < 23; y++ {
		for x := 0; x < 37; x++ {
			c := src.RGBAAt(x, y)
			nrgba.Set(x, y, c)
			gray.Set(x, y, c)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			i := ycc.YOffset(x, y)
			ycc.Y[i], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = yy, cb, cr
		}
	}
	nrgba.Set(5, 5, color.NRGBA{250, 250, 250, 100}) // translucent
	sub := src.SubImage(image.Rect(2, 3, 30, 20))
	for name, img := range map[string]image.Image{"rgba": src, "nrgba": nrgba, "ycbcr": ycc, "gray": gray, "sub": sub} {
		// The general path, through the image.Image interface only.
		want := toGray(struct{ image.Image }{img})
		got := toGray(img)
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1.5/255 {
				t.Fatalf("%s: pixel %d is %v, the general path says %v", name, i, got[i], want[i])
			}
		}
	}
}

// FromImage on what the serving page sends (a 280×280 canvas) and on a
// phone photo (4000×3000, scaled down to MaxImageSide first).
func BenchmarkFromImage(b *testing.B) {
	for _, size := range [][2]int{{280, 280}, {4000, 3000}} {
		img := inkRing(size[0], size[1], float64(size[0])/2, float64(size[1])/2, float64(size[1])/5, float64(size[1])/4)
		dst := make([]float32, Pixels)
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			for b.Loop() {
				if err := FromImage(dst, img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
