package mnist

import (
	"image"
	"math"
	"testing"
)

// Whatever the image, FromImage returns an error or 784 values in [0, 1];
// it never panics.
func FuzzFromImage(f *testing.F) {
	f.Add([]byte{27, 27, 0, 255, 0})
	f.Add([]byte{0, 0, 7})
	f.Add([]byte{0, 39, 0, 0, 0, 0, 200})
	f.Add([]byte{39, 0, 255, 255, 254})
	f.Add([]byte{9, 9, 128, 128, 128, 128, 129})
	dst := make([]float32, Pixels)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 3 {
			return
		}
		w, h := 1+int(b[0])%64, 1+int(b[1])%64
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = b[2+i%(len(b)-2)]
		}
		if err := FromImage(dst, img); err != nil {
			return
		}
		for i, v := range dst {
			if !(v >= 0 && v <= 1) || math.IsNaN(float64(v)) {
				t.Fatalf("%dx%d image: pixel %d is %v", w, h, i, v)
			}
		}
	})
}
