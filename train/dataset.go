package train

import (
	"fmt"

	"github.com/gomlp/gomlp/dataset"
)

// Dataset is the one dataset type of gomlp (see package dataset): features
// X with class labels Y for a classifier, or float Targets for a
// regression network. Package mnist returns the same type.
type Dataset = dataset.Dataset

// checkData returns an error unless d fits a network with the given input
// width and outputs (classes for a classifier, target columns for a
// regression network).
func checkData(d Dataset, name string, inputs, outputs int, regression bool) error {
	if err := d.Check(); err != nil {
		return fmt.Errorf("train: %s set: %v", name, trimDataset(err))
	}
	if d.Len() == 0 {
		return nil
	}
	if d.X.Cols != inputs {
		return fmt.Errorf("train: %s set has %d features per example; the network takes %d", name, d.X.Cols, inputs)
	}
	if regression {
		if d.Targets == nil {
			return fmt.Errorf("train: %s set has class labels but the network is a regression model (give Targets, or build a classifier)", name)
		}
		if d.Targets.Cols != outputs {
			return fmt.Errorf("train: %s set has %d targets per example; the network has %d outputs", name, d.Targets.Cols, outputs)
		}
		return nil
	}
	if d.Targets != nil {
		return fmt.Errorf("train: %s set has regression targets but the network is a classifier (give labels Y, or build with a regression head)", name)
	}
	for i, y := range d.Y {
		if y >= outputs {
			return fmt.Errorf("train: %s set: example %d has label %d; the network has %d classes (0..%d)", name, i, y, outputs, outputs-1)
		}
	}
	return nil
}

func trimDataset(err error) string {
	msg := err.Error()
	if len(msg) > 9 && msg[:9] == "dataset: " {
		return msg[9:]
	}
	return msg
}

// Steps returns the optimizer steps that epochs epochs over examples
// examples take in batches of batchSize (the last batch of an epoch may be
// short), for schedules such as sgd.Cosine that count steps.
func Steps(examples, batchSize, epochs int) int {
	if examples <= 0 || batchSize <= 0 || epochs <= 0 {
		return 0
	}
	return epochs * ((examples + batchSize - 1) / batchSize)
}
