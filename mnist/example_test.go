package mnist_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"log"
	"os"

	"github.com/gomlp/gomlp/mnist"
)

// Load finds the data set (downloading it, as asked, into the user cache the first
// time), holds out the last 5,000 training examples for validation, and
// keeps the test set for the final evaluation.
func ExampleLoad() {
	all, test, err := mnist.Load(context.Background(), mnist.Options{
		Download: true,
		Progress: func(p mnist.Progress) {
			fmt.Fprintf(os.Stderr, "\r%s %d/%d bytes", p.File, p.Done, p.Total)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	train, val, err := all.Split(mnist.DefaultValSize)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.X.Shape(), val.X.Shape(), test.X.Shape())
	fmt.Println("first training label:", train.Y[0])
}

// ReadImages decodes an IDX image file, raw or gzipped. Here the file is
// made up on the spot: two images, one black and one white.
func ExampleReadImages() {
	var idx bytes.Buffer
	binary.Write(&idx, binary.BigEndian, []uint32{0x803, 2, 28, 28})
	idx.Write(make([]byte, 784))
	idx.Write(bytes.Repeat([]byte{255}, 784))
	file := idx.Bytes()

	x, err := mnist.ReadImages(bytes.NewReader(file))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(x.Shape(), x.At(0, 400), x.At(1, 400))

	// The same file cut short is an error, not a smaller data set.
	_, err = mnist.ReadImages(bytes.NewReader(file[:1000]))
	fmt.Println(err)
	// Output:
	// 2x784 0 1
	// truncated: header declares 2 images (1568 bytes), only 984 bytes present
}
