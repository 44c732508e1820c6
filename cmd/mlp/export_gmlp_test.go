package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/interop"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/train"
)

// mlp export to .gmlp writes the slim deployment checkpoint: the network
// and the data's metadata, without optimizer state or training progress.
func TestExportWeightsOnlyGMLP(t *testing.T) {
	dir := t.TempDir()
	net, err := layers.NewSpec(784, []int{8}, 10).Build(1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := interop.NetworkCheckpoint(net, map[string]string{"csv.label": "kind", "train.epoch": "3", "optim.method": "momentum"})
	if err != nil {
		t.Fatal(err)
	}
	c.Tensors = append(c.Tensors, ckpt.Tensor{Name: "dense_1/biases/momentum", Shape: []int{10}, DType: ckpt.Float32, Data: make([]float32, 10)})
	src, dst := filepath.Join(dir, "full.gmlp"), filepath.Join(dir, "slim.gmlp")
	if err := ckpt.Save(src, c); err != nil {
		t.Fatal(err)
	}
	rc, stdout, stderr := mlp("export", "-model", src, "-out", dst)
	if rc != 0 || !strings.Contains(stdout, "weights only") {
		t.Fatalf("export: %d %s %s", rc, stdout, stderr)
	}
	slim, err := ckpt.Load(dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(slim.Tensors) != len(net.Tensors()) {
		t.Errorf("%d tensors in the slim file, want the network's %d", len(slim.Tensors), len(net.Tensors()))
	}
	if slim.Metadata["csv.label"] != "kind" || slim.Metadata["train.epoch"] != "" || slim.Metadata["optim.method"] != "" {
		t.Errorf("metadata: %v", slim.Metadata)
	}
	if _, err := train.LoadNetwork(slim); err != nil {
		t.Errorf("the slim file does not load: %v", err)
	}
	rc, _, stderr = mlp("export", "-model", src, "-out", filepath.Join(dir, "x.gmlp"), "-weights-only=false")
	if rc != 1 || !strings.Contains(stderr, "copy the file instead") {
		t.Errorf("-weights-only=false to .gmlp: %d %q", rc, stderr)
	}
}
