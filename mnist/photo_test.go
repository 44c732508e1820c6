package mnist_test

import (
	"context"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// photoStyle is how one digit is "photographed".
type photoStyle struct {
	size       int     // the photo is size×size pixels
	scale      float64 // photo pixels per MNIST pixel
	angle      float64 // rotation in radians
	dx, dy     float64 // offset of the digit from the centre, in photo pixels
	pen        int     // grow (>0) or thin (<0) the strokes by this many photo pixels
	paper, ink float64 // luminance of paper and ink in [0, 1]
	gradient   float64 // light falls off by this much from one corner to the other
	gradAngle  float64 // direction of the light's fall-off
	blur       float64 // Gaussian blur sigma in photo pixels
	noise      float64 // sensor noise sigma
}

func randomStyle(rng *rand.Rand) photoStyle {
	u := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	size := 120 + rng.IntN(120)
	scale := float64(size) / 28 * u(0.6, 0.9)
	return photoStyle{
		size:      size,
		scale:     scale,
		angle:     u(-12, 12) * math.Pi / 180,
		dx:        u(-0.08, 0.08) * float64(size),
		dy:        u(-0.08, 0.08) * float64(size),
		pen:       rng.IntN(5) - 2,
		paper:     u(0.55, 0.85),
		ink:       u(0.08, 0.3),
		gradient:  u(0.1, 0.35),
		gradAngle: u(0, 2*math.Pi),
		blur:      u(0.5, 1.8),
		noise:     u(0.02, 0.06),
	}
}

// photograph renders an MNIST digit (784 values, light on dark) as a photo
// of dark ink on grey paper: rotated, scaled, off centre, with a thicker or
// thinner pen, uneven light, blur and noise.
func photograph(digit []float32, st photoStyle, rng *rand.Rand) *image.Gray {
	n := st.size
	ink := make([]float64, n*n)
	sin, cos := math.Sincos(st.angle)
	c := float64(n) / 2
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			px, py := float64(x)-c-st.dx, float64(y)-c-st.dy
			u := (cos*px+sin*py)/st.scale + 14 - 0.5
			v := (-sin*px+cos*py)/st.scale + 14 - 0.5
			ink[y*n+x] = bilinear(digit, u, v)
		}
	}
	for range max(st.pen, -st.pen) {
		ink = morph3(ink, n, st.pen > 0)
	}
	ink = gaussBlur(ink, n, st.blur)
	gx, gy := math.Cos(st.gradAngle), math.Sin(st.gradAngle)
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			// light: 1 at one side, 1-gradient at the other
			t := ((float64(x)-c)*gx + (float64(y)-c)*gy) / float64(n)
			light := 1 - st.gradient*(t+0.5)
			v := min(1, ink[y*n+x])
			lum := light*(st.paper*(1-v)+st.ink*v) + st.noise*rng.NormFloat64()
			img.SetGray(x, y, color.Gray{uint8(255 * min(1, max(0, lum)))})
		}
	}
	return img
}

func bilinear(d []float32, u, v float64) float64 {
	x0, y0 := math.Floor(u), math.Floor(v)
	fx, fy := u-x0, v-y0
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= 28 || y >= 28 {
			return 0
		}
		return float64(d[y*28+x])
	}
	ix, iy := int(x0), int(y0)
	return (1-fy)*((1-fx)*at(ix, iy)+fx*at(ix+1, iy)) + fy*((1-fx)*at(ix, iy+1)+fx*at(ix+1, iy+1))
}

// morph3 dilates (grow) or erodes the image with a 3×3 square.
func morph3(g []float64, n int, grow bool) []float64 {
	out := make([]float64, len(g))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			best := g[y*n+x]
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= n || yy >= n {
						continue
					}
					if v := g[yy*n+xx]; grow == (v > best) {
						best = v
					}
				}
			}
			out[y*n+x] = best
		}
	}
	return out
}

func gaussBlur(g []float64, n int, sigma float64) []float64 {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	pass := func(src []float64, horizontal bool) []float64 {
		out := make([]float64, len(src))
		for y := 0; y < n; y++ {
			for x := 0; x < n; x++ {
				var s float64
				for i, w := range k {
					xx, yy := x, y
					if horizontal {
						xx = min(n-1, max(0, x+i-r))
					} else {
						yy = min(n-1, max(0, y+i-r))
					}
					s += w * src[yy*n+xx]
				}
				out[y*n+x] = s
			}
		}
		return out
	}
	return pass(pass(g, true), false)
}

// trainedNet trains 784-256-10 for three epochs (a few seconds), enough
// for 97% on the test set.
func trainedNet(t *testing.T) (*layers.Network, mnist.Dataset) {
	if os.Getenv("MNIST_DIR") == "" {
		t.Skip("MNIST_DIR not set")
	}
	if testing.Short() || underRace || runtime.GOARCH != "amd64" || mat.Impl() == "generic" {
		t.Skip("trains a network: needs the amd64 assembly kernels, no -short and no -race")
	}
	all, test, err := mnist.Load(context.Background(), mnist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	net, err := layers.NewSpec(mnist.Pixels, []int{256}, mnist.NumClasses).Build(1)
	if err != nil {
		t.Fatal(err)
	}
	const epochs = 3
	opt, err := sgd.New(net.Params(), sgd.Config{Method: sgd.Momentum, LR: 0.2, Momentum: 0.9, WeightDecay: 5e-4,
		Schedule: sgd.Cosine(epochs*(all.Len()+127)/128, 0)})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.New(net, opt, train.Config{Epochs: epochs, BatchSize: 128})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), train.Dataset(all), train.Dataset{}); err != nil {
		t.Fatal(err)
	}
	return net, test
}

// FromImage reads photo-like renderings of real test digits (grey paper,
// uneven light, noise, blur, rotation, pens of several widths) as well as
// the network reads the digits themselves, nearly.
func TestFromImageReadsPhotos(t *testing.T) {
	net, test := trainedNet(t)
	const n = 200
	rng := rand.New(rand.NewPCG(7, 7))
	x := mat.New(n, mnist.Pixels)
	pens := make([]int, n)
	for i := 0; i < n; i++ {
		st := randomStyle(rng)
		pens[i] = st.pen
		photo := photograph(test.X.Row(i), st, rng)
		if err := mnist.FromImage(x.Row(i), photo); err != nil {
			t.Fatalf("photo of test digit %d: %v", i, err)
		}
	}
	got := make([]int, n)
	net.Classify(got, x)
	direct := make([]int, n)
	orig := test.X.RowView(0, n)
	net.Classify(direct, &orig)
	right, rightDirect := 0, 0
	var wrong []string
	var byPen, rightByPen [5]int
	for i := range got {
		byPen[pens[i]+2]++
		if got[i] == int(test.Y[i]) {
			rightByPen[pens[i]+2]++
		}
		if direct[i] == int(test.Y[i]) {
			rightDirect++
		}
		if got[i] == int(test.Y[i]) {
			right++
		} else if len(wrong) < 3 {
			wrong = append(wrong, strings.Join(mnist.TextArt(x.Row(i)), "\n")+"\n^ label "+string(rune('0'+test.Y[i]))+", read "+string(rune('0'+got[i])))
		}
	}
	for p := range byPen {
		t.Logf("pen %+d px: %d of %d right", p-2, rightByPen[p], byPen[p])
	}
	t.Logf("photos read right: %d of %d (%.1f%%); the same digits as MNIST pixels: %d of %d", right, n, 100*float64(right)/n, rightDirect, n)
	if right < n*90/100 {
		t.Errorf("photos read right: %d of %d, want at least 90%%; some misread:\n%s", right, n, strings.Join(wrong, "\n"))
	}
}
