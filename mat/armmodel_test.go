package mat

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/gomlp/gomlp/internal/gemmshape"
)

// The data bench/arm's performance model needs from this package, written
// as JSON to the file named by $GOMLP_ARM_MODEL_OUT (the test is skipped
// otherwise). It runs the arm64 dispatch policy on this machine with
// kernels that only count the loop iterations the NEON assembly would run
// (armModelSet), giving, per shape and policy, those counts and the time
// of everything else (the driver, the Go packing of partial panels and
// edge tiles, the transposed copy the dot path makes, dispatch); and it
// times the fastest kernel set's assembly on cache-resident operands, the
// calibration of llvm-mca against this machine.

// armCounts counts named loop iterations (the names of the regions in
// bench/arm's model).
type armCounts map[string]float64

func (c armCounts) gemmRow(k, n int, beta float32) {
	c["gemm.loop4"] += float64(n * (k / 4))
	c["gemm.loop1"] += float64(n * (k % 4))
	c["gemm.tile"] += float64(n)
}

func (c armCounts) pack(w int, trans bool) func(k int, src *float32, ld int, dst *float32, alpha float32) {
	name := map[int]string{8: "pack8", 12: "pack12"}[w]
	return func(k int, src *float32, ld int, dst *float32, alpha float32) {
		if trans {
			c[name+".trans4"] += float64(k / 4)
			c[name+".trans1"] += float64(k % 4)
		} else {
			c[name+".copy"] += float64(k)
		}
	}
}

// gemv mirrors gemvFastNEON and the block structure of gemvNEON.
func (c armCounts) gemv(p *fastArgs) {
	if p.n < 4 {
		c["go.gemv"] += float64(p.k * p.n)
		return
	}
	b32 := p.n / 32
	c["gemv.loop32"] += float64(b32 * (p.k / 4))
	c["gemv.step32"] += float64(b32 * (p.k % 4))
	c["gemv.block32"] += float64(b32)
	rem := p.n % 32
	b4 := (rem + 3) / 4
	c["gemv.loop4"] += float64(b4 * (p.k / 4))
	c["gemv.step4"] += float64(b4 * (p.k % 4))
	c["gemv.block4"] += float64(b4)
	if rem%4 != 0 {
		c["gemv.merge"]++
	}
}

// dot mirrors dotNEON (4×4 tiles) and, through dotFastNEON, dot5NEON (3×5
// tiles); partial tiles are merged.
func (c armCounts) dot(p *fastArgs) {
	c.dotTiles(p, 4, 4, "dot")
}

func (c armCounts) dotFast(p *fastArgs) {
	if useDot5(p.n) {
		c.dotTiles(p, 3, 5, "dot5")
		return
	}
	c.dot(p)
}

func (c armCounts) dotTiles(p *fastArgs, h, w int, name string) {
	tm, tn := (p.m+h-1)/h, (p.n+w-1)/w
	tiles := tm * tn
	c[name+".loop"] += float64(tiles * (p.k / 8))
	c[name+".loop4"] += float64(tiles * (p.k / 4 % 2))
	c[name+".step"] += float64(tiles * (p.k % 4))
	c[name+".tile"] += float64(tiles)
	c[name+".merge"] += float64(tiles - (p.m/h)*(p.n/w))
}

// col mirrors colFastNEON, colNEON and col5NEON: 16×4 or 16×5 tiles, the
// last ones flush with the edge and merged.
func (c armCounts) col(p *fastArgs) {
	if p.m < 16 || p.n < 4 {
		c["go.col"] += float64(p.m * p.n * p.k)
		return
	}
	w, name := 4, "col"
	if useCol5(p.n) {
		w, name = 5, "col5"
	}
	tm, tn := (p.m+15)/16, (p.n+w-1)/w
	tiles := tm * tn
	c[name+".loop"] += float64(tiles * p.k)
	c[name+".tile"] += float64(tiles)
	c[name+".merge"] += float64(tiles - (p.m/16)*(p.n/w))
}

func (c armCounts) elem(name string) func(n int) {
	return func(n int) {
		c[name+".loop16"] += float64(n / 16)
		c[name+".loop4"] += float64(n % 16 / 4)
	}
}

// armModelSet returns a kernel set with the NEON set's geometry and
// routing (asm_arm64.go) whose kernels count into cnt and compute nothing.
// withFast false is the policy before the NEON fast paths existed.
func armModelSet(cnt armCounts, withFast bool) *kernelSet {
	relu, add := cnt.elem("relu"), cnt.elem("add")
	ks := &kernelSet{
		name:     "arm64-model",
		gemm:     microKernel{mr: 8, nr: 12, fn: func(k int, a, b, c *float32, ldc int, beta float32) { cnt.gemmRow(k, 1, beta) }},
		relu:     func(dst, src []float32) { relu(len(dst)) },
		reluGrad: func(dst, grad, x []float32) {},
		add:      func(dst, x []float32) { add(len(dst)) },
		axpy:     func(alpha float32, x, y []float32) {},
		scale:    func(alpha float32, x []float32) {},
		packA:    panelPacker{copy: cnt.pack(8, false), trans: cnt.pack(8, true)},
		packB:    panelPacker{copy: cnt.pack(12, false), trans: cnt.pack(12, true)},
		gemmRow:  func(k, n int, a, b, c *float32, ldc int, beta float32) { cnt.gemmRow(k, n, beta) },
	}
	if withFast {
		ks.fast = &fastKernels{gemv: cnt.gemv, dot: cnt.dotFast, dot1: cnt.dot, col: cnt.col,
			transpose: func(rows, cols int, src *float32, lds int, dst *float32, ldd int) {
				transposeBy4x4(rows, cols, src, lds, dst, ldd, func(r, c int, _ *float32, _ int, _ *float32, _ int) {
					cnt["transpose.block"] += float64(r / 4 * (c / 4))
				})
			}}
	}
	return ks
}

// armModelShapes are the products of one training step of the 784-256-10
// network at batch 128 and of its inference at batch 1 (both layers).
var armModelShapes = append(append([]gemmshape.Shape(nil), gemmshape.Step...),
	gemmshape.Shape{M: 1, N: 10, K: 256, Role: "batch-1 inference, output layer"})

type armModelShape struct {
	M, N, K        int
	TransA, TransB bool
	Policy         string    // "before" (no fast paths) or "after"
	Counts         armCounts // loop iterations per region
	GoNanos        float64   // everything but the counted kernels, per call
}

type armModelKernel struct {
	Role   string  // row, gemv, dot, col, peak
	Symbol string  // the assembly function
	Flops  float64 // useful FLOP per call
	Nanos  float64 // best time per call
}

type armModelData struct {
	GOARCH  string
	Impl    string
	Shapes  []armModelShape
	Kernels []armModelKernel
	// Element operations of one batch-1 prediction (bias add and ReLU of
	// the hidden layer, bias add of the output), counted like the shapes.
	Predict armModelShape
}

// timer times functions for the model: each gets a batch of calls lasting
// about 0.3 ms (shorter than a scheduler time slice), then rounds run every
// batch in turn and keep each one's best time per call, so that a busy
// phase of a shared machine hits every measurement alike and rarely all
// rounds of one.
type timer struct {
	fns   []func()
	n     []int
	nanos []float64
}

// add registers f and returns the index of its result.
func (tm *timer) add(f func()) int {
	f()
	n := 1
	for {
		t := time.Now()
		for range n {
			f()
		}
		if time.Since(t) > 300*time.Microsecond {
			break
		}
		n *= 2
	}
	tm.fns, tm.n, tm.nanos = append(tm.fns, f), append(tm.n, n), append(tm.nanos, 0)
	return len(tm.fns) - 1
}

func (tm *timer) run(rounds int) {
	for range rounds {
		for i, f := range tm.fns {
			t := time.Now()
			for range tm.n[i] {
				f()
			}
			if ns := float64(time.Since(t).Nanoseconds()) / float64(tm.n[i]); tm.nanos[i] == 0 || ns < tm.nanos[i] {
				tm.nanos[i] = ns
			}
		}
	}
}

func funcName(f any) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}

func TestARMModelData(t *testing.T) {
	out := os.Getenv("GOMLP_ARM_MODEL_OUT")
	if out == "" {
		t.Skip("GOMLP_ARM_MODEL_OUT not set: no data for bench/arm wanted")
	}
	defer SetThreads(Threads())
	SetThreads(1)
	prev := active.Load()
	defer active.Store(prev)

	data := armModelData{GOARCH: runtime.GOARCH, Impl: kernelSets[0].name}
	var tm timer
	var timed []int // timer indices of data.Shapes
	rng := rand.New(rand.NewPCG(1, 2))
	randM := func(r, c int) *Matrix {
		m := New(r, c)
		for i := range m.Data {
			m.Data[i] = rng.Float32()
		}
		return m
	}
	for _, s := range armModelShapes {
		ar, ac, br, bc := s.Stored()
		a, b, c := randM(ar, ac), randM(br, bc), New(s.M, s.N)
		for _, policy := range []string{"before", "after"} {
			cnt := armCounts{}
			set := armModelSet(cnt, policy == "after")
			active.Store(set)
			Gemm(TransposeIf(s.TransA), TransposeIf(s.TransB), 1, a, b, 0, c)
			counts := armCounts{}
			for k, v := range cnt {
				counts[k] = v
			}
			tA, tB := TransposeIf(s.TransA), TransposeIf(s.TransB)
			timed = append(timed, tm.add(func() {
				active.Store(set)
				Gemm(tA, tB, 1, a, b, 0, c)
			}))
			data.Shapes = append(data.Shapes, armModelShape{M: s.M, N: s.N, K: s.K, TransA: s.TransA, TransB: s.TransB,
				Policy: policy, Counts: counts})
		}
	}

	// One prediction's element work: bias add and ReLU on 256, bias add
	// on 10.
	var predict int
	{
		cnt := armCounts{}
		active.Store(armModelSet(cnt, true))
		h, o := New(1, 256), New(1, 10)
		bh, bo := make([]float32, 256), make([]float32, 10)
		run := func() {
			AddRowVector(h, bh)
			ReLU(h, h)
			AddRowVector(o, bo)
		}
		run()
		counts := armCounts{}
		for k, v := range cnt {
			counts[k] = v
		}
		set := active.Load()
		data.Predict = armModelShape{M: 1, N: 256, K: 784, Policy: "after", Counts: counts}
		predict = tm.add(func() {
			active.Store(set)
			run()
		})
	}
	active.Store(prev)

	// Calibration: the AVX2 set's kernels (or, on other machines, the
	// fastest set's) on operands that fit in L1. The AVX2 kernels are
	// plain assembly functions the model can find by name; the avx512 set
	// reaches its GEMV through a Go wrapper.
	var kernels []int // timer indices of data.Kernels
	calSet := kernelSets[0]
	for _, ks := range kernelSets {
		if ks.name == "avx2+fma" {
			calSet = ks
		}
	}
	if ks := calSet; ks != &genericKernels && ks.fast != nil {
		mr, nr := ks.gemm.mr, ks.gemm.nr
		if row := ks.gemmRowStrided; row != nil {
			const k, n = 128, 2
			a, b, c := make([]float32, mr*k), make([]float32, n*nr*k), make([]float32, mr*n*nr)
			kernels = append(kernels, tm.add(func() {
				active.Store(prev)
				row(k, n, &a[0], &b[0], nr, nr*k, &c[0], n*nr, 0)
			}))
			data.Kernels = append(data.Kernels, armModelKernel{Role: "row", Symbol: funcName(row),
				Flops: 2 * float64(mr*nr*n*k)})
		}
		fast := []struct {
			role string
			fn   func(*fastArgs)
			args fastArgs
		}{
			{"gemv", ks.fast.gemv, fastArgs{k: 64, m: 1, n: 64, lda: 1, ldb: 64, ldc: 64}},
			{"dot", ks.fast.dot, fastArgs{k: 512, m: 6, n: 2, lda: 512, ldb: 512, ldc: 2}},
			{"col", ks.fast.col, fastArgs{k: 96, m: 32, n: 2, lda: 32, ldb: 2, ldc: 2}},
		}
		for _, f := range fast {
			if f.fn == nil {
				continue
			}
			p := f.args
			na, nb := p.m*p.k, p.n*p.k
			a, b, c := make([]float32, na), make([]float32, nb), make([]float32, p.m*p.ldc)
			p.a, p.b, p.c, p.alpha = &a[0], &b[0], &c[0], 1
			args := &p
			fn := f.fn
			kernels = append(kernels, tm.add(func() { fn(args) }))
			data.Kernels = append(data.Kernels, armModelKernel{Role: f.role, Symbol: funcName(f.fn),
				Flops: 2 * float64(p.m*p.n*p.k)})
		}
		if pk := ks.peak; pk != nil {
			const n = 1 << 12
			kernels = append(kernels, tm.add(func() { pk.run(n) }))
			data.Kernels = append(data.Kernels, armModelKernel{Role: "peak", Symbol: funcName(pk.run),
				Flops: float64(n * pk.flops)})
		}
	}

	tm.run(100)
	for i, t := range timed {
		data.Shapes[i].GoNanos = tm.nanos[t]
	}
	data.Predict.GoNanos = tm.nanos[predict]
	for i, t := range kernels {
		data.Kernels[i].Nanos = tm.nanos[t]
	}
	active.Store(prev)
	buf, err := json.MarshalIndent(data, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
