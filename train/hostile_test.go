package train

import (
	"bytes"
	"maps"
	"math"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/sgd"
)

// archOnly builds, through the format itself, a checkpoint of a few hundred
// bytes: no tensors, only architecture metadata. Saving such a file is
// fine; reading it must not allocate what it describes.
func archOnly(t testing.TB, arch map[string]string) *ckpt.Checkpoint {
	t.Helper()
	meta := map[string]string{"arch": "mlp", "arch.inputs": "784", "arch.hidden": "", "arch.outputs": "10", "arch.keep": "1", "arch.input_keep": "1", "arch.init": "he"}
	maps.Copy(meta, arch)
	var b bytes.Buffer
	if err := ckpt.Encode(&b, &ckpt.Checkpoint{Metadata: meta}); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 64<<10 {
		t.Fatalf("the hostile file has %d bytes", b.Len())
	}
	c, err := ckpt.Read(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMonsterMetadata: architecture metadata that would need gigabytes (or
// more memory than exists) is refused before anything is allocated, by the
// Spec's limits or because the file lacks the tensors it implies.
func TestMonsterMetadata(t *testing.T) {
	for _, tc := range []struct {
		arch map[string]string
		want string
	}{
		{map[string]string{"arch.hidden": "1000000000"}, "from 1 to 16777216"},
		{map[string]string{"arch.outputs": "2305843009213693952"}, "from 2 to 16777216"},
		{map[string]string{"arch.inputs": "4611686018427387904"}, "from 1 to 16777216"},
		{map[string]string{"arch.hidden": strings.TrimSuffix(strings.Repeat("1000,", 10000), ",")}, "at most 1024"},
		{map[string]string{"arch.hidden": "100000,100000"}, "at most 1073741824"},
		// Within the limits (800 million parameters, 6 GB with gradients),
		// but the file holds none of them.
		{map[string]string{"arch.hidden": "1000000"}, `"dense_0/weights": missing from the checkpoint (model [784 1000000])`},
		{map[string]string{"arch.hidden": "16777216", "arch.inputs": "50"}, "missing from the checkpoint"},
	} {
		c := archOnly(t, tc.arch)
		if _, err := LoadNetwork(c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadNetwork(%v): %v, want an error containing %q", tc.arch, err, tc.want)
		}
		if _, err := ResumeFrom(c, Config{}); err == nil {
			t.Errorf("ResumeFrom(%v): no error", tc.arch)
		}
	}
}

// resumable returns a small valid checkpoint written by a Trainer.
func resumable(t testing.TB) *ckpt.Checkpoint {
	t.Helper()
	_, tr := newTrainer(t, layers.NewSpec(4, []int{3}, 2), sgd.Config{Method: sgd.SGD, LR: 0.1}, Config{Epochs: 3, BatchSize: 4})
	c, err := tr.Checkpoint(nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestHostileResumeState: every size in the training state is checked
// against its limit before New allocates anything.
func TestHostileResumeState(t *testing.T) {
	if _, err := ResumeFrom(resumable(t), Config{}); err != nil {
		t.Fatalf("the valid checkpoint: %v", err)
	}
	for _, tc := range []struct{ key, value, want string }{
		{MetaBatchSize, "4611686018427387904", "train.batch_size=\"4611686018427387904\" is not an integer from 1 to 1048576"},
		{MetaBatchSize, "1000000000000", "from 1 to 1048576"},
		{MetaBatchSize, "1e12", "from 1 to 1048576"},
		{MetaBatchSize, "0", "from 1 to 1048576"},
		{MetaEpochs, "9223372036854775807", "from 1 to 1048576"},
		{MetaPatience, "-1", "from 0 to 1048576"},
		{MetaL2, "NaN", "not a number"},
		{MetaL1, "-Inf", "non-negative"},
		{MetaEpoch, "99999999999", "from 0 to 1048576"},
		{MetaStep, "-5", "train.step"},
		{MetaSeed, "-1", "unsigned"},
	} {
		c := resumable(t)
		c.Metadata[tc.key] = tc.value
		if _, err := ResumeFrom(c, Config{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%s: %v, want an error containing %q", tc.key, tc.value, err, tc.want)
		}
	}
	net, err := layers.NewSpec(4, nil, 2).Build(1)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := sgd.New(net.Params(), sgd.Config{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []Config{{Epochs: 1, BatchSize: math.MaxInt}, {Epochs: 1, BatchSize: MaxBatchSize + 1}, {Epochs: 1, BatchSize: -1}, {Epochs: math.MaxInt}} {
		if _, err := New(net, opt, cfg); err == nil || !strings.Contains(err.Error(), "need 1 to 1048576") {
			t.Errorf("New(%+v): %v, want an error naming the limit", cfg, err)
		}
	}
}

// FuzzResumeState: whatever the training-state metadata says, ResumeFrom
// returns an error or a Trainer within the limits; it never panics.
func FuzzResumeState(f *testing.F) {
	f.Add("4", "5", "0", "0", "0.001", "3", "1", "7")
	f.Add("4611686018427387904", "1e12", "-1", "NaN", "+Inf", "0", "18446744073709551615", "0")
	keys := []string{MetaBatchSize, MetaEpochs, MetaPatience, MetaL1, MetaL2, MetaEpoch, MetaSeed, MetaStep}
	base := resumable(f)
	f.Fuzz(func(t *testing.T, batch, epochs, patience, l1, l2, epoch, seed, step string) {
		c := *base
		c.Metadata = maps.Clone(base.Metadata)
		for i, v := range []string{batch, epochs, patience, l1, l2, epoch, seed, step} {
			c.Metadata[keys[i]] = v
		}
		tr, err := ResumeFrom(&c, Config{})
		if err != nil {
			return
		}
		if cfg := tr.Config(); cfg.BatchSize < 1 || cfg.BatchSize > MaxBatchSize || cfg.Epochs > MaxEpochs {
			t.Fatalf("ResumeFrom accepted %+v", cfg)
		}
	})
}
