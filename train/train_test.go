package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
)

// blobs returns n examples of `classes` well separated Gaussian clusters in
// `features` dimensions.
func blobs(seed uint64, n, features, classes int) Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	centres := make([][]float64, classes)
	crng := rand.New(rand.NewPCG(1234, 5)) // the same centres for every split
	for c := range centres {
		centres[c] = make([]float64, features)
		for j := range centres[c] {
			centres[c][j] = crng.NormFloat64() * 3
		}
	}
	d := Dataset{X: mat.New(n, features), Y: make([]int, n)}
	for i := 0; i < n; i++ {
		c := rng.IntN(classes)
		d.Y[i] = c
		for j, v := range centres[c] {
			d.X.Set(i, j, float32(v+rng.NormFloat64()*0.5))
		}
	}
	return d
}

func newTrainer(t testing.TB, spec layers.Spec, opt sgd.Config, cfg Config) (*layers.Network, *Trainer) {
	t.Helper()
	net, err := spec.Build(cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	o, err := sgd.New(net.Params(), opt)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(net, o, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return net, tr
}

func snapshot(net *layers.Network) [][]float32 {
	var s [][]float32
	for _, p := range net.Params() {
		s = append(s, append([]float32(nil), p.Value.Data...))
	}
	return s
}

func TestLearnsXOR(t *testing.T) {
	d := Dataset{X: mat.New(64, 2), Y: make([]int, 64)}
	for i := 0; i < 64; i++ {
		a, b := i&1, (i>>1)&1
		d.X.Set(i, 0, float32(a))
		d.X.Set(i, 1, float32(b))
		d.Y[i] = a ^ b
	}
	net, tr := newTrainer(t, layers.Spec{Inputs: 2, Hidden: []int{16}, Outputs: 2, Keep: 1, InputKeep: 1},
		sgd.Config{Method: sgd.Adam, LR: 0.02, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8}, Config{Epochs: 150, BatchSize: 16, Seed: 1})
	res, err := tr.Fit(context.Background(), d, Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	_, acc, err := Evaluate(net, d)
	if err != nil {
		t.Fatal(err)
	}
	last := res.Epochs[len(res.Epochs)-1]
	if acc != 1 || last.Loss > 0.1 {
		t.Errorf("XOR: accuracy %v, final loss %v; want 100%% and a small loss", acc, last.Loss)
	}
}

func TestLearnsSeparableProblem(t *testing.T) {
	trainSet, val := blobs(1, 600, 10, 4), blobs(2, 200, 10, 4)
	_, tr := newTrainer(t, layers.Spec{Inputs: 10, Hidden: []int{32}, Outputs: 4, Keep: 0.8, InputKeep: 1},
		sgd.Config{Method: sgd.Momentum, LR: 0.05, Momentum: 0.9}, Config{Epochs: 10, BatchSize: 32, Seed: 3})
	var batches, epochs int
	tr.cfg.OnBatch = func(b BatchStats) {
		batches++
		if b.Batches != 19 || b.EpochSamples != 600 || b.Samples != min(600, 32*b.Batch) {
			t.Errorf("batch stats %+v", b)
		}
	}
	tr.cfg.OnEpoch = func(s EpochStats) error {
		epochs++
		if !s.Validated || s.SamplesPerSec <= 0 || s.Duration <= 0 || s.LR != 0.05 {
			t.Errorf("epoch stats %+v", s)
		}
		return nil
	}
	res, err := tr.Fit(context.Background(), trainSet, val)
	if err != nil {
		t.Fatal(err)
	}
	if batches != 10*19 || epochs != 10 || len(res.Epochs) != 10 {
		t.Errorf("%d batches, %d epoch callbacks, %d epochs; want 190, 10, 10", batches, epochs, len(res.Epochs))
	}
	if res.BestAccuracy != 1 {
		t.Errorf("best validation accuracy %v, want 1", res.BestAccuracy)
	}
	if first, last := res.Epochs[0], res.Epochs[9]; !(last.Loss < first.Loss) {
		t.Errorf("loss went from %v to %v", first.Loss, last.Loss)
	}
	if s := tr.State(); s.Epoch != 10 || s.Step != 190 || s.BestEpoch != res.BestEpoch {
		t.Errorf("state %+v", s)
	}
}

// flipped returns d with every label moved to the next class: a validation
// set that gets worse as the network learns d.
func flipped(d Dataset, classes int) Dataset {
	f := Dataset{X: d.X, Y: make([]int, len(d.Y))}
	for i, y := range d.Y {
		f.Y[i] = (y + 1) % classes
	}
	return f
}

func TestEarlyStoppingRestoresBest(t *testing.T) {
	trainSet := blobs(1, 300, 6, 3)
	val := flipped(blobs(2, 100, 6, 3), 3)
	net, tr := newTrainer(t, layers.Spec{Inputs: 6, Hidden: []int{16}, Outputs: 3, Keep: 1, InputKeep: 1},
		sgd.Config{Method: sgd.SGD, LR: 0.05}, Config{Epochs: 50, BatchSize: 30, Seed: 5, Patience: 3})
	saved := map[int][][]float32{}
	tr.cfg.OnEpoch = func(s EpochStats) error {
		saved[s.Epoch] = snapshot(net)
		return nil
	}
	res, err := tr.Fit(context.Background(), trainSet, val)
	if err != nil {
		t.Fatal(err)
	}
	if !res.EarlyStopped || len(res.Epochs) != res.BestEpoch+3 {
		t.Fatalf("early stopped %v after %d epochs, best %d; want a stop 3 epochs after the best", res.EarlyStopped, len(res.Epochs), res.BestEpoch)
	}
	if !reflect.DeepEqual(snapshot(net), saved[res.BestEpoch]) {
		t.Errorf("the network does not hold the weights of the best epoch %d", res.BestEpoch)
	}
	if reflect.DeepEqual(snapshot(net), saved[len(res.Epochs)]) {
		t.Errorf("the network holds the last epoch's weights")
	}
	for _, e := range res.Epochs[res.BestEpoch:] {
		if e.Improved || e.ValAccuracy > res.BestAccuracy {
			t.Errorf("epoch %+v after the best one", e)
		}
	}
}

func TestCancellation(t *testing.T) {
	trainSet, val := blobs(1, 300, 6, 3), blobs(2, 100, 6, 3)
	for _, withVal := range []bool{true, false} {
		net, tr := newTrainer(t, layers.Spec{Inputs: 6, Hidden: []int{16}, Outputs: 3, Keep: 1, InputKeep: 1},
			sgd.Config{Method: sgd.Momentum, LR: 0.01, Momentum: 0.9}, Config{Epochs: 5, BatchSize: 30, Seed: 5})
		ctx, cancel := context.WithCancel(context.Background())
		var atCancel, epoch1 [][]float32
		tr.cfg.OnEpoch = func(s EpochStats) error {
			if s.Epoch == 1 {
				epoch1 = snapshot(net)
			}
			return nil
		}
		tr.cfg.OnBatch = func(b BatchStats) {
			if b.Epoch == 2 && b.Batch == 4 {
				cancel()
				atCancel = snapshot(net)
			}
		}
		v := Dataset{}
		if withVal {
			v = val
		}
		res, err := tr.Fit(ctx, trainSet, v)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "epoch 2 after 4 of 10 batches") {
			t.Fatalf("error %v, want a cancellation in epoch 2 after 4 batches", err)
		}
		if len(res.Epochs) != 1 || tr.State().Epoch != 1 || tr.State().Step != 14 {
			t.Errorf("%d epochs reported, state %+v; want 1 epoch, 14 steps", len(res.Epochs), tr.State())
		}
		want := atCancel // without validation: what was trained so far
		if withVal {
			want = epoch1 // with validation: the best (only) epoch
		}
		if !reflect.DeepEqual(snapshot(net), want) {
			t.Errorf("validation %v: the network does not hold the expected weights", withVal)
		}
	}
}

func allFinite(net *layers.Network) bool {
	for _, p := range net.Params() {
		for _, v := range p.Value.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return false
			}
		}
	}
	return true
}

func TestDivergenceReported(t *testing.T) {
	trainSet, val := blobs(1, 300, 6, 3), blobs(2, 100, 6, 3)
	net, tr := newTrainer(t, layers.Spec{Inputs: 6, Hidden: []int{16}, Outputs: 3, Keep: 1, InputKeep: 1},
		sgd.Config{Method: sgd.SGD, LR: 0.01, Schedule: sgd.StepDecay(10, 1e30)}, Config{Epochs: 5, BatchSize: 30, Seed: 5})
	// The rate is sane for the first epoch (10 steps), then 1e28: the loss
	// blows up in epoch 2.
	var epoch1 [][]float32
	tr.cfg.OnEpoch = func(s EpochStats) error {
		if s.Epoch == 1 {
			epoch1 = snapshot(net)
		}
		return nil
	}
	res, err := tr.Fit(context.Background(), trainSet, val)
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("error %v, want ErrDiverged", err)
	}
	for _, s := range []string{"epoch 2", "step", "learning rate", "normalise the inputs"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if len(res.Epochs) != 1 || res.BestEpoch != 1 {
		t.Errorf("%d epochs, best %d; want 1 and 1", len(res.Epochs), res.BestEpoch)
	}
	if !allFinite(net) || !reflect.DeepEqual(snapshot(net), epoch1) {
		t.Error("the network does not hold the weights of epoch 1")
	}
}

func TestDivergenceWithoutValidationKeepsStart(t *testing.T) {
	trainSet := blobs(1, 90, 6, 3)
	net, tr := newTrainer(t, layers.Spec{Inputs: 6, Hidden: []int{16}, Outputs: 3, Keep: 1, InputKeep: 1},
		sgd.Config{Method: sgd.SGD, LR: 1e30}, Config{Epochs: 3, BatchSize: 30, Seed: 5})
	start := snapshot(net)
	_, err := tr.Fit(context.Background(), trainSet, Dataset{})
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "epoch 1") {
		t.Fatalf("error %v, want ErrDiverged in epoch 1", err)
	}
	if !reflect.DeepEqual(snapshot(net), start) {
		t.Error("after diverging in the first epoch the network should hold its starting weights")
	}
}

func TestDeterministic(t *testing.T) {
	trainSet, val := blobs(1, 200, 8, 3), blobs(2, 50, 8, 3)
	spec := layers.Spec{Inputs: 8, Hidden: []int{12, 12}, Outputs: 3, Keep: 0.5, InputKeep: 1}
	opt := sgd.Config{Method: sgd.Adam, LR: 0.01, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8}
	fit := func(seed uint64) [][]float32 {
		net, tr := newTrainer(t, spec, opt, Config{Epochs: 3, BatchSize: 16, Seed: seed})
		if _, err := tr.Fit(context.Background(), trainSet, val); err != nil {
			t.Fatal(err)
		}
		return snapshot(net)
	}
	a, b, c := fit(7), fit(7), fit(8)
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with the same seed differ")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("runs with different seeds are identical")
	}
}

// A run stopped after two epochs and resumed from its tensors and state in
// a fresh trainer ends bit-identical to a run of four epochs.
func TestResumeIsExact(t *testing.T) {
	for _, m := range []sgd.Method{sgd.Momentum, sgd.Nesterov, sgd.Adam} {
		testResume(t, sgd.Config{Method: m, LR: 0.02, Momentum: 0.9, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, Schedule: sgd.StepDecay(20, 0.5)})
	}
}

func testResume(t *testing.T, opt sgd.Config) {
	trainSet := blobs(1, 200, 8, 3)
	spec := layers.Spec{Inputs: 8, Hidden: []int{12}, Outputs: 3, Keep: 0.7, InputKeep: 1}
	cfg := Config{Epochs: 4, BatchSize: 16, Seed: 9, L2: 1e-3}

	whole, tr := newTrainer(t, spec, opt, cfg)
	if _, err := tr.Fit(context.Background(), trainSet, Dataset{}); err != nil {
		t.Fatal(err)
	}

	cfg2 := cfg
	cfg2.Epochs = 2
	_, first := newTrainer(t, spec, opt, cfg2)
	if _, err := first.Fit(context.Background(), trainSet, Dataset{}); err != nil {
		t.Fatal(err)
	}
	meta := first.State().Meta()

	resumed, second := newTrainer(t, spec, opt, Config{Epochs: 4, BatchSize: 16, Seed: 9, L2: 1e-3})
	if err := layers.CopyTensors(second.Tensors(), first.Tensors()); err != nil {
		t.Fatal(err)
	}
	st, err := StateFromMeta(meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := second.SetState(st); err != nil {
		t.Fatal(err)
	}
	res, err := second.Fit(context.Background(), trainSet, Dataset{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Epochs) != 2 || res.Epochs[0].Epoch != 3 {
		t.Errorf("resumed run trained epochs %+v, want 3 and 4", res.Epochs)
	}
	if !reflect.DeepEqual(snapshot(resumed), snapshot(whole)) {
		t.Errorf("%s: the resumed run differs from the uninterrupted one", opt.Method)
	}
}

func TestPenaltiesAddToGradients(t *testing.T) {
	d := blobs(1, 20, 5, 3)
	spec := layers.Spec{Inputs: 5, Hidden: []int{4}, Outputs: 3, Keep: 1, InputKeep: 1}
	x := d.X
	labels := d.Y
	plain, _ := newTrainer(t, spec, sgd.Config{LR: 0.1}, Config{Epochs: 1, Seed: 2})
	plain.ForwardBackward(x, labels)
	penalised, tr := newTrainer(t, spec, sgd.Config{LR: 0.1}, Config{Epochs: 1, Seed: 2, L1: 0.01, L2: 0.1})
	w0 := snapshot(penalised)
	tr.TrainBatch(x, labels)
	for i, p := range penalised.Params() {
		q := plain.Params()[i]
		for j, g := range p.Grad.Data {
			want := q.Grad.Data[j]
			if p.Regularize {
				w := w0[i][j]
				want += 0.1 * w
				if w > 0 {
					want += 0.01
				} else if w < 0 {
					want -= 0.01
				}
			}
			if math.Abs(float64(g-want)) > 1e-6 {
				t.Fatalf("%s[%d]: gradient %v, want %v", p.Name, j, g, want)
			}
		}
	}
}

func TestBadData(t *testing.T) {
	_, tr := newTrainer(t, layers.Spec{Inputs: 4, Hidden: []int{3}, Outputs: 3, Keep: 1, InputKeep: 1}, sgd.Config{LR: 0.1}, Config{Epochs: 1})
	good := Dataset{X: mat.New(2, 4), Y: []int{0, 2}}
	for _, c := range []struct {
		train, val Dataset
		want       string
	}{
		{Dataset{X: mat.New(2, 4), Y: []int{0, 3}}, Dataset{}, "label 3"},
		{Dataset{X: mat.New(2, 5), Y: []int{0, 1}}, Dataset{}, "5 features"},
		{Dataset{X: mat.New(3, 4), Y: []int{0, 1}}, Dataset{}, "3 examples but 2 labels"},
		{Dataset{}, Dataset{}, "empty"},
		{good, Dataset{X: mat.New(1, 4), Y: []int{9}}, "validation set: example 0 has label 9"},
	} {
		if _, err := tr.Fit(context.Background(), c.train, c.val); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}

func TestOptimizerMustMatchNetwork(t *testing.T) {
	spec := layers.Spec{Inputs: 4, Hidden: []int{3}, Outputs: 2, Keep: 1, InputKeep: 1}
	a, _ := spec.Build(1)
	b, _ := spec.Build(1)
	opt, err := sgd.New(b.Params(), sgd.Config{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(a, opt, Config{Epochs: 1}); err == nil || !strings.Contains(err.Error(), "not made for this network") {
		t.Errorf("error %v", err)
	}
}

func TestStateMeta(t *testing.T) {
	s := State{Epoch: 7, Step: 3010, BestEpoch: 5, BestAccuracy: 0.9812, BestLoss: 0.0612}
	got, err := StateFromMeta(s.Meta())
	if err != nil || got != s {
		t.Errorf("round trip of %+v: %+v, %v", s, got, err)
	}
	m := s.Meta()
	m[MetaBestEpoch] = "9"
	if _, err := StateFromMeta(m); err == nil {
		t.Error("best epoch after the last epoch accepted")
	}
	delete(m, MetaStep)
	if _, err := StateFromMeta(m); err == nil || !strings.Contains(err.Error(), MetaStep) {
		t.Errorf("missing step: %v", err)
	}
}

func TestTrainingStepNoAllocs(t *testing.T) {
	d := blobs(1, 256, 20, 5)
	_, tr := newTrainer(t, layers.Spec{Inputs: 20, Hidden: []int{16, 16}, Outputs: 5, Keep: 0.5, InputKeep: 1},
		sgd.Config{Method: sgd.Adam, LR: 0.01, ClipNorm: 5, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8}, Config{Epochs: 1, BatchSize: 64, L1: 1e-4, L2: 1e-4})
	tr.perm = make([]int, 256)
	tr.xb = make([]float32, 64*20)
	for i := range tr.perm {
		tr.perm[i] = (i * 37) % 256
	}
	idx := tr.perm[:64]
	if a := testing.AllocsPerRun(20, func() { tr.step(d, idx) }); a != 0 {
		t.Errorf("a training step (gather, forward, backward, penalties, update) allocates %v times", a)
	}
}
