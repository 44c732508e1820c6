package main

import (
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/gif" // decoders for image.Decode
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/gomlp/gomlp/internal/regular"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
)

func runPredict(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	model := fs.String("model", "mnist.gmlp", "the checkpoint to use")
	top := fs.Int("top", 3, "how many of the most probable digits to list")
	show := fs.Int("show", 0, "draw this many MNIST test digits as text with the network's answer beside each")
	data := fs.String("data", "", "with -show: directory holding the MNIST files")
	showInput := fs.Bool("show-input", false, "draw, under each image's answer, the 28×28 input the network saw")
	maxPixels := fs.Int("max-pixels", defaultMaxPixels, "refuse images with more pixels than this (width×height), read from the header before decoding")
	csvPath := fs.String("csv", "", "predict every row of this table with a model trained by mlp train -csv; writes CSV to stdout")
	if err := parseFlags(fs, args, stdout, "mlp predict [-model FILE] [-top K] IMAGE...\n       mlp predict [-model FILE] -show N\n       mlp predict -model FILE -csv TABLE > predictions.csv\n\nClassifies PNG, JPEG or GIF images of digits of any size: each is converted to\n28×28 grayscale like MNIST (a light digit on a dark background, fitted to 20×20,\ncentred by mass; dark ink on light paper is inverted). -show draws test digits."); err != nil {
		return helpOK(err)
	}
	if *csvPath != "" {
		if fs.NArg() > 0 || *show > 0 {
			return fmt.Errorf("predict: -csv reads rows from the table; give no images and no -show")
		}
		return runPredictCSV(*model, *csvPath, stdout)
	}
	switch {
	case *top < 1 || *top > mnist.NumClasses:
		return fmt.Errorf("predict: -top %d: must be in 1..%d", *top, mnist.NumClasses)
	case *show < 0 || *show > mnist.TestSize:
		return fmt.Errorf("predict: -show %d: must be in 0..%d", *show, mnist.TestSize)
	case *show == 0 && fs.NArg() == 0:
		return fmt.Errorf("predict: no images given (see mlp predict -h)")
	case *maxPixels < 1:
		return fmt.Errorf("predict: -max-pixels %d: must be at least 1", *maxPixels)
	case fs.NArg() > maxImages:
		return fmt.Errorf("predict: %d images, more than the limit of %d in one call", fs.NArg(), maxImages)
	}
	if err := checkDataDir("predict", *data); err != nil {
		return err
	}
	// Decode every image before the model, so a bad file fails fast.
	x := mat.New(fs.NArg(), mnist.Pixels)
	for i, path := range fs.Args() {
		if err := readDigit(x.Row(i), path, *maxPixels); err != nil {
			return err
		}
	}
	net, err := loadModel(*model)
	if err != nil {
		return err
	}
	probs := mat.New(x.Rows, mnist.NumClasses)
	if x.Rows > 0 {
		net.Predict(probs, x)
	}
	for i, path := range fs.Args() {
		best := ranked(probs.Row(i))
		parts := make([]string, *top)
		for k, d := range best[:*top] {
			parts[k] = fmt.Sprintf("%d %.1f%%", d, 100*probs.Row(i)[d])
		}
		fmt.Fprintf(stdout, "%s: %d  (%s)\n", printable(path), best[0], strings.Join(parts, ", "))
		if *showInput {
			fmt.Fprintln(stdout, strings.Join(mnist.TextArt(x.Row(i)), "\n"))
		}
	}
	if *show == 0 {
		return nil
	}
	ctx, stop := interruptible(stderr)
	defer stop()
	_, test, err := loadData(ctx, *data, stdout, false)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w while loading MNIST", errInterrupted)
		}
		return err
	}
	shown := test.X.RowView(0, *show)
	probs = mat.New(*show, mnist.NumClasses)
	net.Predict(probs, &shown)
	wrong := 0
	for i := 0; i < *show; i++ {
		best := ranked(probs.Row(i))
		verdict := "right"
		if best[0] != int(test.Y[i]) {
			verdict, wrong = "WRONG", wrong+1
		}
		art := mnist.TextArt(shown.Row(i))
		art[5] += fmt.Sprintf("   test digit %d", i)
		art[6] += fmt.Sprintf("   label      %d", test.Y[i])
		art[7] += fmt.Sprintf("   predicted  %d (%.1f%%)  %s", best[0], 100*probs.Row(i)[best[0]], verdict)
		fmt.Fprintln(stdout, strings.Join(art, "\n"))
	}
	fmt.Fprintf(stdout, "%d of %d shown digits classified correctly\n", *show-wrong, *show)
	return nil
}

// defaultMaxPixels bounds the images predict decodes: 4096×4096 (16.8
// million pixels, 64 MB as RGBA). The header is read first, so a small file
// that declares a huge image is refused before any pixel is allocated.
const defaultMaxPixels = 4096 * 4096

// maxImages bounds the images of one predict call (3 KB of pixels each).
const maxImages = 1 << 20

// readDigit decodes an image file into MNIST form, after checking its
// declared size against maxPixels.
func readDigit(dst []float32, path string, maxPixels int) error {
	f, err := regular.Open(path)
	if err != nil {
		return fmt.Errorf("predict: %v", trimPathErr(err))
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		return fmt.Errorf("predict: %s: not a PNG, JPEG or GIF image we can read: %v", printable(path), err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("predict: %s (%s): the image is %d×%d: no pixels", printable(path), format, cfg.Width, cfg.Height)
	}
	if n := int64(cfg.Width) * int64(cfg.Height); n > int64(maxPixels) {
		return fmt.Errorf("predict: %s (%s): %d×%d is %d pixels, more than the limit of %d (raise it with -max-pixels)", printable(path), format, cfg.Width, cfg.Height, n, maxPixels)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("predict: %v", err)
	}
	img, format, err := image.Decode(f)
	if err != nil {
		return fmt.Errorf("predict: %s: not a PNG, JPEG or GIF image we can read: %v", printable(path), err)
	}
	if err := mnist.FromImage(dst, img); err != nil {
		return fmt.Errorf("predict: %s (%s): %v", printable(path), format, err)
	}
	return nil
}

// trimPathErr drops the "open " that *PathError puts before the path.
func trimPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// ranked returns the classes ordered by falling probability.
func ranked(p []float32) []int {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case p[a] > p[b]:
			return -1
		case p[a] < p[b]:
			return 1
		}
		return 0
	})
	return idx
}
