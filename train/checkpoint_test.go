package train

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
)

// Training 4 epochs straight equals training 2, saving a checkpoint to a
// file, rebuilding everything from that file alone and training 2 more.
func TestResumeFromFileIsExact(t *testing.T) {
	trainSet := blobs(1, 200, 8, 3)
	spec := layers.Spec{Inputs: 8, Hidden: []int{12}, Outputs: 3, Keep: 0.7, InputKeep: 1}
	for _, tc := range []struct {
		name string
		val  Dataset
		opt  sgd.Config
	}{
		{"momentum, no validation", Dataset{}, sgd.Config{Method: sgd.Momentum, LR: 0.02, Schedule: sgd.Cosine(60, 0.1), Momentum: 0.9}},
		// Flipped labels make epoch 1 the best on validation, so the
		// checkpoint after epoch 2 must carry the best weights separately.
		{"adam, best epoch in the past", flipped(blobs(2, 60, 8, 3), 3), sgd.Config{Method: sgd.Adam, LR: 0.01, WeightDecay: 1e-3, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Epochs: 4, BatchSize: 16, Seed: 9, L2: 1e-3}
			whole, tr := newTrainer(t, spec, tc.opt, cfg)
			if _, err := tr.Fit(context.Background(), trainSet, tc.val); err != nil {
				t.Fatal(err)
			}

			cfg.Epochs = 2
			_, first := newTrainer(t, spec, tc.opt, cfg)
			if _, err := first.Fit(context.Background(), trainSet, tc.val); err != nil {
				t.Fatal(err)
			}
			c, err := first.Checkpoint(map[string]string{"note": "after epoch 2"})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "run.gmlp")
			if err := ckpt.Save(path, c); err != nil {
				t.Fatal(err)
			}
			loaded, err := ckpt.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.val.Len() > 0 && loaded.Tensor(bestPrefix+"dense_0/weights") == nil {
				t.Fatalf("state %+v: the checkpoint holds no best weights", first.State())
			}
			second, err := ResumeFrom(loaded, Config{Epochs: 4})
			if err != nil {
				t.Fatal(err)
			}
			if second.State() != first.State() {
				t.Errorf("resumed state %+v, want %+v", second.State(), first.State())
			}
			if _, err := second.Fit(context.Background(), trainSet, tc.val); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(snapshot(second.net), snapshot(whole)) {
				t.Errorf("the resumed run differs from the uninterrupted one")
			}
			if second.State() != tr.State() {
				t.Errorf("final state %+v, want %+v", second.State(), tr.State())
			}
		})
	}
}

func TestResumeRefusesFinishedOrForeignCheckpoints(t *testing.T) {
	spec := layers.Spec{Inputs: 8, Hidden: []int{12}, Outputs: 3, Keep: 1, InputKeep: 1}
	_, tr := newTrainer(t, spec, sgd.Config{Method: sgd.Momentum, LR: 0.02, Momentum: 0.9}, Config{Epochs: 1, BatchSize: 16})
	if _, err := tr.Fit(context.Background(), blobs(1, 50, 8, 3), Dataset{}); err != nil {
		t.Fatal(err)
	}
	c, err := tr.Checkpoint(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, epochs := range []int{0, 1} { // 0: the total saved in the checkpoint
		if _, err := ResumeFrom(c, Config{Epochs: epochs}); err == nil || !strings.Contains(err.Error(), "already done 1 epochs of the 1") {
			t.Errorf("resuming a finished run with Epochs=%d: err = %v", epochs, err)
		}
	}
	// An optimizer of another kind has other state tensors.
	_, adam := newTrainer(t, spec, sgd.Config{Method: sgd.Adam, LR: 0.02, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8}, Config{Epochs: 3, BatchSize: 16})
	before := snapshot(adam.net)
	if err := adam.Resume(c); err == nil || !strings.Contains(err.Error(), "adam_m") {
		t.Errorf("momentum checkpoint into an Adam trainer: err = %v", err)
	}
	if !reflect.DeepEqual(before, snapshot(adam.net)) {
		t.Errorf("a failed Resume changed the network")
	}
}

func TestLoadNetworkPredictsLikeTheSavedOne(t *testing.T) {
	d := blobs(3, 100, 8, 3)
	net, tr := newTrainer(t, layers.Spec{Inputs: 8, Hidden: []int{12, 6}, Outputs: 3, Keep: 0.5, InputKeep: 1},
		sgd.Config{Method: sgd.Nesterov, LR: 0.05, Momentum: 0.9}, Config{Epochs: 2, BatchSize: 10, Seed: 4})
	if _, err := tr.Fit(context.Background(), d, Dataset{}); err != nil {
		t.Fatal(err)
	}
	c, err := tr.Checkpoint(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadNetwork(c)
	if err != nil {
		t.Fatal(err)
	}
	want, have := mat.New(d.Len(), 3), mat.New(d.Len(), 3)
	net.Predict(want, d.X)
	got.Predict(have, d.X)
	if !reflect.DeepEqual(want.Data, have.Data) {
		t.Errorf("the rebuilt network predicts differently")
	}
	delete(c.Metadata, layers.MetaHidden)
	if _, err := LoadNetwork(c); err == nil || !strings.Contains(err.Error(), layers.MetaHidden) {
		t.Errorf("checkpoint without architecture: err = %v", err)
	}
}

// The tutorial's finetuning: a 784-256-10 model initialises a
// 784-256-128-10 one (scaled down here): the first layer is restored, the
// rest is reported as new.
func TestInitFromFinetunesAModifiedModel(t *testing.T) {
	_, old := newTrainer(t, layers.Spec{Inputs: 8, Hidden: []int{6}, Outputs: 3, Keep: 1, InputKeep: 1},
		sgd.Config{Method: sgd.Momentum, LR: 0.05, Momentum: 0.9}, Config{Epochs: 1, BatchSize: 10})
	if _, err := old.Fit(context.Background(), blobs(3, 50, 8, 3), Dataset{}); err != nil {
		t.Fatal(err)
	}
	c, err := old.Checkpoint(nil)
	if err != nil {
		t.Fatal(err)
	}
	bigger, err := layers.Spec{Inputs: 8, Hidden: []int{6, 5}, Outputs: 3, Keep: 1, InputKeep: 1}.Build(1)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(bigger)
	if _, err := InitFrom(bigger, c, true); err == nil || !strings.Contains(err.Error(), `"dense_1/weights": checkpoint [6 3], model [6 5]`) {
		t.Errorf("strict: err = %v", err)
	}
	if !reflect.DeepEqual(before, snapshot(bigger)) {
		t.Fatalf("a failed strict init changed the network")
	}
	rep, err := InitFrom(bigger, c, false)
	if err != nil {
		t.Fatal(err)
	}
	want := InitReport{
		Restored: []string{"dense_0/biases", "dense_0/weights"},
		New:      []string{"dense_1/biases", "dense_1/weights", "dense_2/biases", "dense_2/weights"},
		Reshaped: []string{"dense_1/weights: checkpoint [6 3], network [6 5]", "dense_1/biases: checkpoint [3], network [5]"},
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report\n%+v, want\n%+v", rep, want)
	}
	if w := bigger.Tensors()[0]; !reflect.DeepEqual(w.Data, c.Tensor(w.Name).Data) {
		t.Errorf("%s was not restored", w.Name)
	}
	if after := snapshot(bigger); !reflect.DeepEqual(after[2:], before[2:]) {
		t.Errorf("the new layers did not keep their initial values")
	}
}
