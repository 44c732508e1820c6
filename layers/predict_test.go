package layers

import (
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"

	"github.com/gomlp/gomlp/mat"
)

// 64 goroutines predicting at once, with several batch sizes, must agree
// bit for bit with serial calls of the same batch size.
func TestPredictConcurrent(t *testing.T) {
	n := mustBuild(t, Spec{Inputs: 50, Hidden: []int{40, 30}, Outputs: 10, Keep: 0.5, InputKeep: 1}, 8)
	rng := rand.New(rand.NewPCG(4, 4))
	sizes := []int{1, 3, 16, 33}
	inputs := make([]*mat.Matrix, len(sizes))
	want := make([]*mat.Matrix, len(sizes))
	for i, b := range sizes {
		inputs[i] = randMatrix(rng, b, 50, 1)
		want[i] = mat.New(b, 10)
		n.Predict(want[i], inputs[i])
	}
	const goroutines, calls = 64, 20
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for c := 0; c < calls; c++ {
				i := (g + c) % len(sizes)
				got := mat.New(sizes[i], 10)
				n.Predict(got, inputs[i])
				if !reflect.DeepEqual(got.Data, want[i].Data) {
					errs <- "Predict differs from the serial result"
					return
				}
				classes := make([]int, sizes[i])
				n.Classify(classes, inputs[i])
				wantClasses := make([]int, sizes[i])
				mat.ArgmaxRows(wantClasses, want[i])
				if !reflect.DeepEqual(classes, wantClasses) {
					errs <- "Classify differs from the serial result"
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestPredictNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	n := mustBuild(t, Spec{Inputs: 100, Hidden: []int{32}, Outputs: 10, Keep: 0.5, InputKeep: 1}, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, b := range []int{1, 50} {
		x := randMatrix(rng, b, 100, 1)
		dst := mat.New(b, 10)
		classes := make([]int, b)
		if a := testing.AllocsPerRun(20, func() { n.Predict(dst, x) }); a != 0 {
			t.Errorf("batch %d: Predict allocates %v times per call", b, a)
		}
		if a := testing.AllocsPerRun(20, func() { n.Classify(classes, x) }); a != 0 {
			t.Errorf("batch %d: Classify allocates %v times per call", b, a)
		}
	}
}

func TestTrainingStepNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	n := mustBuild(t, Spec{Inputs: 100, Hidden: []int{32, 16}, Outputs: 10, Keep: 0.5, InputKeep: 1}, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	x := randMatrix(rng, 40, 100, 1)
	labels := make([]int, 40)
	for i := range labels {
		labels[i] = i % 10
	}
	if a := testing.AllocsPerRun(20, func() { n.ForwardBackward(x, labels) }); a != 0 {
		t.Errorf("ForwardBackward allocates %v times per call", a)
	}
	if a := testing.AllocsPerRun(20, func() { n.Evaluate(x, labels) }); a != 0 {
		t.Errorf("Evaluate allocates %v times per call", a)
	}
}
