package mnist

import "github.com/gomlp/gomlp/dataset"

// Sizes of the standard sets, and the default validation split.
const (
	TrainSize      = 60000
	TestSize       = 10000
	DefaultValSize = 5000
)

// Dataset is gomlp's one dataset type (see package dataset): for MNIST,
// row i of X holds 784 pixels in [0, 1] showing the digit Y[i] (0..9).
// Split holds out the last examples as views, without copying.
type Dataset = dataset.Dataset
