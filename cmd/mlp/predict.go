package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	_ "image/gif" // decoders for image.Decode
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"

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
	if err := parseFlags(fs, args, stdout, "mlp predict [-model FILE] [-top K] IMAGE...\n       mlp predict [-model FILE] -show N\n\nClassifies PNG, JPEG or GIF images of digits of any size: each is converted to\n28×28 grayscale like MNIST (a light digit on a dark background, fitted to 20×20,\ncentred by mass; dark ink on light paper is inverted). -show draws test digits."); err != nil {
		return helpOK(err)
	}
	switch {
	case *top < 1 || *top > mnist.NumClasses:
		return fmt.Errorf("predict: -top %d: must be in 1..%d", *top, mnist.NumClasses)
	case *show < 0 || *show > mnist.TestSize:
		return fmt.Errorf("predict: -show %d: must be in 0..%d", *show, mnist.TestSize)
	case *show == 0 && fs.NArg() == 0:
		return fmt.Errorf("predict: no images given (see mlp predict -h)")
	}
	// Decode every image before the model, so a bad file fails fast.
	x := mat.New(fs.NArg(), mnist.Pixels)
	for i, path := range fs.Args() {
		if err := readDigit(x.Row(i), path); err != nil {
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
		fmt.Fprintf(stdout, "%s: %d  (%s)\n", path, best[0], strings.Join(parts, ", "))
		if *showInput {
			fmt.Fprintln(stdout, strings.Join(mnist.TextArt(x.Row(i)), "\n"))
		}
	}
	if *show == 0 {
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, test, err := loadMNIST(ctx, *data, stdout, false)
	if err != nil {
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

// readDigit decodes an image file into MNIST form.
func readDigit(dst []float32, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("predict: %v", err)
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil {
		return fmt.Errorf("predict: %s: not a PNG, JPEG or GIF image we can read: %v", path, err)
	}
	if err := mnist.FromImage(dst, img); err != nil {
		return fmt.Errorf("predict: %s (%s): %v", path, format, err)
	}
	return nil
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
