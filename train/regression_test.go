package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/sgd"
)

// waves returns n examples of a smooth two-output function of 3 features
// on very different scales (the third is noise), for regression tests.
func waves(seed uint64, n int) Dataset {
	rng := rand.New(rand.NewPCG(seed, 3))
	d := Dataset{X: mat.New(n, 3), Targets: mat.New(n, 2)}
	for i := range n {
		a, b, c := rng.Float64()*4-2, rng.Float64()*2000+5000, rng.NormFloat64()*0.01
		d.X.Set(i, 0, float32(a))
		d.X.Set(i, 1, float32(b))
		d.X.Set(i, 2, float32(c))
		u := (b - 6000) / 1000
		d.Targets.Set(i, 0, float32(math.Sin(2*a)+0.5*u*u+rng.NormFloat64()*0.05))
		d.Targets.Set(i, 1, float32(10*a*u+rng.NormFloat64()*0.05))
	}
	return d
}

func regressionTrainer(t testing.TB, spec layers.Spec, trainSet Dataset, opt sgd.Config, cfg Config) (*layers.Network, *Trainer) {
	t.Helper()
	net, tr := newTrainer(t, spec, opt, cfg)
	if spec.Normalize {
		if err := net.FitNormalizer(trainSet.X); err != nil {
			t.Fatal(err)
		}
	}
	if spec.ScaleTargets {
		if err := net.FitTargets(trainSet.Targets); err != nil {
			t.Fatal(err)
		}
	}
	return net, tr
}

func TestRegressionLearns(t *testing.T) {
	trainSet, val := waves(1, 800), waves(2, 200)
	for _, head := range []layers.Head{layers.HeadMSE, layers.HeadHuber} {
		spec := layers.Spec{Inputs: 3, Hidden: []int{32, 32}, Outputs: 2, Activation: layers.ActTanh, Head: head, Normalize: true, Init: layers.Glorot(), Keep: 1, InputKeep: 1}
		net, tr := regressionTrainer(t, spec, trainSet, sgd.DefaultConfig(sgd.Adam, 0.01), Config{Epochs: 60, BatchSize: 32, Seed: 1})
		res, err := tr.Fit(context.Background(), trainSet, val)
		if err != nil {
			t.Fatal(err)
		}
		score, err := Regression(net, val)
		if err != nil {
			t.Fatal(err)
		}
		last := res.Epochs[len(res.Epochs)-1]
		t.Logf("%v: validation MSE %.4f, MAE %.4f, R² %.4f (epoch %d)", head, score.MSE(), score.MAE(), score.R2(), res.BestEpoch)
		// A network that ignores the inputs has R² 0; the noise allows ~0.999.
		if score.R2() < 0.95 {
			t.Errorf("%v: validation R² %.4f; want >= 0.95", head, score.R2())
		}
		if last.TrainAccuracy != 0 || last.ValAccuracy != 0 || last.ValR2 == 0 {
			t.Errorf("%v: epoch stats %+v", head, last)
		}
	}
}

// Early stopping for regression watches the validation loss: with
// validation targets that disagree with training, the loss rises, training
// stops, and the network holds the best epoch's weights.
func TestRegressionEarlyStoppingOnValidationLoss(t *testing.T) {
	trainSet, val := waves(1, 400), waves(2, 100)
	mat.Scale(-1, val.Targets.Data)
	spec := layers.Spec{Inputs: 3, Hidden: []int{16}, Outputs: 2, Activation: layers.ActGELU, Head: layers.HeadMSE, Normalize: true, Keep: 1, InputKeep: 1}
	net, tr := regressionTrainer(t, spec, trainSet, sgd.DefaultConfig(sgd.Adam, 0.01), Config{Epochs: 50, BatchSize: 20, Seed: 2, Patience: 3})
	res, err := tr.Fit(context.Background(), trainSet, val)
	if err != nil {
		t.Fatal(err)
	}
	if !res.EarlyStopped || res.BestEpoch >= len(res.Epochs) {
		t.Fatalf("early stopped %v after %d epochs, best %d", res.EarlyStopped, len(res.Epochs), res.BestEpoch)
	}
	best := res.Epochs[res.BestEpoch-1].ValLoss
	for _, e := range res.Epochs {
		if e.ValLoss < best {
			t.Errorf("epoch %d has a lower validation loss %v than the best %v", e.Epoch, e.ValLoss, best)
		}
	}
	l, _, err := Evaluate(net, val)
	if err != nil || math.Abs(l-best) > 1e-6*math.Max(1, best) {
		t.Errorf("the network's validation loss %v (err %v), the best epoch's %v", l, err, best)
	}
}

// Training 4 epochs straight equals training 2, saving to a file,
// resuming from the file alone and training 2 more, for every activation,
// with a normaliser, for a classifier and for a regression network (with a
// validation set, so the best weights travel too).
func TestResumeIsExactForEveryActivationAndHead(t *testing.T) {
	for act := layers.ActReLU; act <= layers.ActGELU; act++ {
		for _, head := range []layers.Head{layers.HeadSoftmax, layers.HeadMSE, layers.HeadHuber} {
			spec := layers.Spec{Inputs: 3, Hidden: []int{8, 6}, Outputs: 3, Activation: act, Head: head, Normalize: true, InputKeep: 1, Keep: 0.8}
			trainSet, val := blobs(1, 120, 3, 3), blobs(2, 40, 3, 3)
			if head.Regression() {
				spec.Outputs, spec.ScaleTargets = 2, act%2 == 0
				trainSet, val = waves(1, 120), waves(2, 40)
			}
			opt := sgd.DefaultConfig(sgd.Adam, 0.01)
			opt.Schedule = sgd.Cosine(24, 0.1)
			cfg := Config{Epochs: 4, BatchSize: 16, Seed: 5, L2: 1e-4}
			whole, tr := regressionTrainer(t, spec, trainSet, opt, cfg)
			if _, err := tr.Fit(context.Background(), trainSet, val); err != nil {
				t.Fatal(err)
			}
			// Save after epoch 2 from OnEpoch, where the network holds that
			// epoch's weights (after Fit returns it holds the best ones).
			path := filepath.Join(t.TempDir(), "run.gmlp")
			var first *Trainer
			stop := errors.New("stop")
			cfg.OnEpoch = func(s EpochStats) error {
				if s.Epoch < 2 {
					return nil
				}
				c, err := first.Checkpoint(nil)
				if err != nil {
					return err
				}
				if err := ckpt.Save(path, c); err != nil {
					return err
				}
				return stop
			}
			_, first = regressionTrainer(t, spec, trainSet, opt, cfg)
			if _, err := first.Fit(context.Background(), trainSet, val); !errors.Is(err, stop) {
				t.Fatal(err)
			}
			loaded, err := ckpt.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			second, err := ResumeFrom(loaded, Config{Epochs: 4})
			if err != nil {
				t.Fatalf("%v: %v", spec, err)
			}
			if _, err := second.Fit(context.Background(), trainSet, val); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tensorData(second.net), tensorData(whole)) || second.State() != tr.State() {
				t.Errorf("%v: the resumed run differs from the uninterrupted one: state %+v, want %+v", spec, second.State(), tr.State())
			}
			if got, _ := second.net.Spec(); got.String() != spec.String() {
				t.Errorf("resumed as %v, want %v", got, spec)
			}
		}
	}
}

// tensorData copies every tensor of the network, the normaliser's included.
func tensorData(net *layers.Network) [][]float32 {
	var s [][]float32
	for _, t := range net.Tensors() {
		s = append(s, append([]float32(nil), t.Data...))
	}
	return s
}

// The normaliser is part of the model: a loaded network normalises by
// itself, and nothing beside the model needs carrying.
func TestLoadNetworkWithNormalizer(t *testing.T) {
	trainSet := waves(3, 100)
	spec := layers.Spec{Inputs: 3, Hidden: []int{8}, Outputs: 2, Activation: layers.ActSigmoid, Head: layers.HeadHuber, Normalize: true, ScaleTargets: true, Keep: 1, InputKeep: 1}
	net, tr := regressionTrainer(t, spec, trainSet, sgd.DefaultConfig(sgd.Adam, 0.01), Config{Epochs: 2, BatchSize: 10, Seed: 4})
	if _, err := tr.Fit(context.Background(), trainSet, Dataset{}); err != nil {
		t.Fatal(err)
	}
	c, err := tr.Checkpoint(nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Tensor(layers.NormalizerMean); m == nil || m.Data[1] < 5000 {
		t.Fatalf("checkpoint normaliser mean %v", m)
	}
	got, err := LoadNetwork(c)
	if err != nil {
		t.Fatal(err)
	}
	want, have := mat.New(trainSet.Len(), 2), mat.New(trainSet.Len(), 2)
	net.Predict(want, trainSet.X)
	got.Predict(have, trainSet.X)
	if !reflect.DeepEqual(want.Data, have.Data) {
		t.Errorf("the loaded network predicts differently")
	}
	// Extra tensors a program stored beside the model: an error by
	// default, whose hint names an option LoadNetwork accepts.
	c.Tensors = append(c.Tensors, ckpt.Tensor{Name: "extra/table", Shape: []int{2}, DType: ckpt.Float32, Data: []float32{1, 2}})
	_, err = LoadNetwork(c)
	if err == nil || !strings.Contains(err.Error(), "AllowUnexpected") {
		t.Fatalf("extra tensor: %v", err)
	}
	if _, err := LoadNetwork(c, ckpt.AllowUnexpected()); err != nil {
		t.Errorf("with AllowUnexpected: %v", err)
	}
}

func TestRegressionBadData(t *testing.T) {
	spec := layers.Spec{Inputs: 3, Hidden: []int{4}, Outputs: 2, Head: layers.HeadMSE, Keep: 1, InputKeep: 1}
	_, tr := newTrainer(t, spec, sgd.Config{LR: 0.1}, Config{Epochs: 1})
	good := waves(1, 10)
	for _, c := range []struct {
		d    Dataset
		want string
	}{
		{blobs(1, 10, 3, 2), "class labels but the network is a regression model"},
		{Dataset{X: good.X, Targets: mat.New(10, 1)}, "1 targets per example; the network has 2 outputs"},
		{Dataset{X: good.X, Targets: mat.New(9, 2)}, "10 examples but 9 rows of targets"},
	} {
		if _, err := tr.Fit(context.Background(), c.d, Dataset{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
	_, cls := newTrainer(t, layers.Spec{Inputs: 3, Outputs: 2, Keep: 1, InputKeep: 1}, sgd.Config{LR: 0.1}, Config{Epochs: 1})
	if _, err := cls.Fit(context.Background(), good, Dataset{}); err == nil || !strings.Contains(err.Error(), "regression targets but the network is a classifier") {
		t.Errorf("targets for a classifier: %v", err)
	}
}
