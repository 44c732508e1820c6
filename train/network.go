package train

import (
	"fmt"
	"maps"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
)

// NetworkCheckpoint returns a checkpoint holding only what LoadNetwork
// needs: the network's architecture (its Spec) and its parameters, with the
// pairs in extra added to the metadata. It has no optimizer state and no
// training progress, so it is at most half the size of a Trainer's
// checkpoint and is the form to deploy or embed. Its tensors alias the
// network's memory.
//
// The network must have been built from a layers.Spec.
func NetworkCheckpoint(net *layers.Network, extra map[string]string) (*ckpt.Checkpoint, error) {
	spec, ok := net.Spec()
	if !ok {
		return nil, fmt.Errorf("train: the network was not built from a layers.Spec, so a checkpoint could not rebuild it")
	}
	meta := map[string]string{MetaWriter: "gomlp"}
	maps.Copy(meta, extra)
	maps.Copy(meta, spec.Meta())
	return &ckpt.Checkpoint{Metadata: meta, Tensors: toCkpt(net.Tensors(), "")}, nil
}

// SaveNetwork writes NetworkCheckpoint(net, nil) to path atomically (see
// ckpt.Save): weights and architecture only, for serving. Training cannot
// resume from such a file; finetuning (InitFrom) can start from it.
func SaveNetwork(path string, net *layers.Network) error {
	c, err := NetworkCheckpoint(net, nil)
	if err != nil {
		return err
	}
	return ckpt.Save(path, c)
}
