package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
)

// writeTable writes n rows of a table with three features on mixed scales
// and two label columns: "kind" (three named classes, from the features)
// and "value" (a smooth function of them).
func writeTable(t *testing.T, dir string, n int, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString("x,y,noise,kind,value\n")
	for range n {
		x, y, z := rng.Float64()*2-1, rng.Float64()*1000, rng.NormFloat64()
		kind := "low"
		switch s := x + (y-500)/500; {
		case s > 0.5:
			kind = "high"
		case s > -0.5:
			kind = "mid"
		}
		fmt.Fprintf(&b, "%g,%g,%g,%s,%g\n", x, y, z, kind, 3*x+math.Sin(y/200)+0.01*z)
	}
	path := filepath.Join(dir, fmt.Sprintf("table%d.csv", seed))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestCSVClassifyEndToEnd(t *testing.T) {
	dir := t.TempDir()
	trainCSV, testCSV := writeTable(t, dir, 600, 1), writeTable(t, dir, 200, 2)
	model := filepath.Join(dir, "kind.gmlp")
	plot := filepath.Join(dir, "curves.svg")
	rc, out, errOut := mlp("train", "-csv", trainCSV, "-label", "kind", "-out", model, "-plot", plot)
	if rc != 0 {
		t.Fatalf("train: %d %s", rc, errOut)
	}
	if svg, err := os.ReadFile(plot); err != nil || !strings.Contains(string(svg), "<svg") {
		t.Errorf("-plot: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], `task: classify (column "kind": non-numeric label`) {
		t.Errorf("first line %q", lines[0])
	}
	if !strings.Contains(out, "3 classes (high, low, mid)") || !strings.Contains(out, "validation") {
		t.Errorf("output:\n%s", out)
	}
	var acc float64
	if _, err := fmt.Sscanf(lastLine(out), "test accuracy: %f%%", &acc); err != nil || acc < 90 {
		t.Errorf("last line %q", lastLine(out))
	}
	rc, out, errOut = mlp("eval", "-model", model, "-csv", testCSV)
	if _, err := fmt.Sscanf(lastLine(out), "test accuracy: %f%%", &acc); rc != 0 || err != nil || acc < 90 {
		t.Errorf("eval: %d %q %s", rc, lastLine(out), errOut)
	}
	if !strings.Contains(out, "confusion matrix") {
		t.Errorf("eval output:\n%s", out)
	}
	// Predict: the label column may be absent, columns may be reordered.
	noLabel := filepath.Join(dir, "nolabel.csv")
	os.WriteFile(noLabel, []byte("noise,value,y,x\n0,0.5,900,0.9\n0,0.1,10,-0.9\n"), 0o644)
	rc, out, errOut = mlp("predict", "-model", model, "-csv", noLabel)
	if rc != 0 {
		t.Fatalf("predict: %s", errOut)
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 3 || rows[0] != "kind,p(high),p(low),p(mid)" || !strings.HasPrefix(rows[1], "high,") || !strings.HasPrefix(rows[2], "low,") {
		t.Errorf("predictions:\n%s", out)
	}
}

func TestCSVRegressEndToEnd(t *testing.T) {
	dir := t.TempDir()
	trainCSV, testCSV := writeTable(t, dir, 600, 3), writeTable(t, dir, 200, 4)
	model := filepath.Join(dir, "value.gmlp")
	rc, out, errOut := mlp("train", "-csv", trainCSV, "-label", "value", "-ignore", "kind", "-activation", "tanh", "-out", model, "-quiet")
	if rc != 0 {
		t.Fatalf("train: %s", errOut)
	}
	rc, out, errOut = mlp("eval", "-model", model, "-csv", testCSV)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	n := len(lines)
	var r2 float64
	if rc != 0 || n < 3 || !strings.HasPrefix(lines[n-3], "test mse: ") || !strings.HasPrefix(lines[n-2], "test mae: ") {
		t.Fatalf("eval: %d\n%s%s", rc, out, errOut)
	}
	if _, err := fmt.Sscanf(lines[n-1], "test r2: %f", &r2); err != nil || r2 < 0.95 || !strings.Contains(lines[n-1], ".") || len(strings.TrimPrefix(lines[n-1], "test r2: ")) != 6 {
		t.Errorf("last line %q", lines[n-1])
	}
	if !strings.Contains(out, "act=tanh head=mse normalize scale_targets") {
		t.Errorf("the model does not rebuild its activation:\n%s", out)
	}
	rc, out, _ = mlp("predict", "-model", model, "-csv", testCSV)
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if rc != 0 || len(rows) != 201 || rows[0] != "value" {
		t.Errorf("predict: %d rows, header %q", len(rows), rows[0])
	}
	// The Huber loss and GELU, with a test split held out by train itself.
	rc, out, errOut = mlp("train", "-csv", trainCSV, "-label", "value", "-ignore", "kind", "-loss", "huber", "-activation", "gelu", "-out", model, "-force")
	if _, err := fmt.Sscanf(lastLine(out), "test r2: %f", &r2); rc != 0 || err != nil || r2 < 0.9 {
		t.Errorf("huber: %d %q %s", rc, lastLine(out), errOut)
	}
	if !strings.Contains(out, "task: regress (column \"value\": labels with fractional values") || !strings.Contains(out, "act=gelu head=huber") {
		t.Errorf("huber output:\n%s", out)
	}
}

func TestCSVErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeTable(t, dir, 50, 5)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	ragged := write("ragged.csv", "a,b,y\n1,2,x\n3,4\n")
	text := write("text.csv", "a,b,y\n1,2,x\n3,four,y\n")
	empty := write("empty.csv", "")
	model := filepath.Join(dir, "m.gmlp")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "-csv", ragged, "-label", "y", "-out", model}, "ragged.csv: line 3: 2 cells, but the header has 3 columns"},
		{[]string{"train", "-csv", text, "-label", "y", "-out", model}, `text.csv: line 3, column "b": "four" is not a number`},
		{[]string{"train", "-csv", empty, "-label", "y", "-out", model}, "empty.csv: the file is empty"},
		{[]string{"train", "-csv", good, "-label", "species", "-out", model}, `line 1: no column named "species" (the columns are "x", "y", "noise", "kind", "value")`},
		{[]string{"train", "-csv", good, "-out", model}, "-csv needs -label COLUMN"},
		{[]string{"train", "-label", "y"}, "-label applies to -csv"},
		{[]string{"train", "-csv", good, "-label", "kind", "-task", "guess"}, `-task "guess": want classify or regress`},
		{[]string{"train", "-csv", good, "-label", "kind", "-task", "regress", "-out", model}, `is not a number, but regression needs numeric targets`},
		{[]string{"train", "-csv", good, "-label", "kind", "-activation", "swish", "-out", model}, `unknown activation "swish"`},
		{[]string{"train", "-csv", good, "-label", "value", "-out", model}, `column "kind": "low" is not a number; feature columns must be numeric (leave the column out, or encode it as numbers); -ignore COLUMN leaves a column out`},
		{[]string{"train", "-csv", good, "-label", "value", "-ignore", "kind,colour", "-out", model}, `no column named "colour" to ignore`},
		{[]string{"train", "-csv", good, "-label", "kind", "-test", "1"}, "-test 1: must be a fraction in [0, 1)"},
		{[]string{"eval", "-model", model, "-csv", good}, "m.gmlp"},
	} {
		rc, _, errOut := mlp(c.args...)
		if rc != 1 || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "mlp: ") {
			t.Errorf("%v: status %d, stderr %q; want %q", c.args, rc, errOut, c.want)
		}
	}
	// A model trained on MNIST is not a table model.
	toy := saveToyModel(t, dir)
	if rc, _, errOut := mlp("eval", "-model", toy, "-csv", good); rc != 1 || !strings.Contains(errOut, "was not trained on a table") {
		t.Errorf("MNIST model with -csv: %d %q", rc, errOut)
	}
	// A table model given labels it never saw.
	if rc, _, errOut := mlp("train", "-csv", good, "-label", "kind", "-out", model, "-quiet"); rc != 0 {
		t.Fatal(errOut)
	}
	if rc, _, errOut := mlp("eval", "-model", model); rc != 1 || !strings.Contains(errOut, "it was trained on a table: give that table's columns with -csv TABLE") {
		t.Errorf("table model without -csv: %d %q", rc, errOut)
	}
	other := write("other.csv", "x,y,noise,kind,value\n0,0,0,medium,1\n")
	if rc, _, errOut := mlp("eval", "-model", model, "-csv", other); rc != 1 || !strings.Contains(errOut, `line 2, column "kind": label "medium" is not one of the model's classes ("high", "low", "mid")`) {
		t.Errorf("unknown class: %d %q", rc, errOut)
	}
	// predict ignores the label column, whatever it holds.
	if rc, out, errOut := mlp("predict", "-model", model, "-csv", other); rc != 0 || strings.Count(out, "\n") != 2 {
		t.Errorf("predict with an unknown label: %d %q %q", rc, out, errOut)
	}
}

// -resume continues a table run exactly: 3 epochs, then resumed to 6,
// equals 6 straight, with and without a validation split.
func TestCSVResumeIsExact(t *testing.T) {
	dir := t.TempDir()
	for _, rows := range []int{200, 700} { // 700: 560 training rows, so a validation split
		table := writeTable(t, dir, rows, 7)
		straight, split := filepath.Join(dir, "straight.gmlp"), filepath.Join(dir, "split.gmlp")
		args := []string{"train", "-csv", table, "-label", "kind", "-schedule", "constant", "-quiet", "-force"} // the second table replaces the first one's files
		if rc, _, errOut := mlp(append(args, "-epochs", "6", "-out", straight)...); rc != 0 {
			t.Fatal(errOut)
		}
		if rc, _, errOut := mlp(append(args, "-epochs", "3", "-out", split)...); rc != 0 {
			t.Fatal(errOut)
		}
		rc, out, errOut := mlp("train", "-csv", table, "-resume", split, "-epochs", "6")
		if rc != 0 || !strings.Contains(out, "resuming "+split+" after epoch") {
			t.Fatalf("resume: %d %s %s", rc, out, errOut)
		}
		a, errA := ckpt.Load(straight)
		b, errB := ckpt.Load(split)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if len(a.Tensors) != len(b.Tensors) {
			t.Fatalf("%d rows: %d tensors, resumed %d", rows, len(a.Tensors), len(b.Tensors))
		}
		for i, ta := range a.Tensors {
			if tb := b.Tensors[i]; ta.Name != tb.Name || fmt.Sprint(ta.Data) != fmt.Sprint(tb.Data) {
				t.Errorf("%d rows: %s differs after resuming", rows, ta.Name)
			}
		}
		if a.Metadata["train.best_epoch"] != b.Metadata["train.best_epoch"] || a.Metadata["train.epoch"] != b.Metadata["train.epoch"] {
			t.Errorf("%d rows: best/last epoch %s/%s, resumed %s/%s", rows, a.Metadata["train.best_epoch"], a.Metadata["train.epoch"], b.Metadata["train.best_epoch"], b.Metadata["train.epoch"])
		}
	}
	// Settings of the split cannot change on resume.
	table := writeTable(t, dir, 100, 8)
	model := filepath.Join(dir, "m.gmlp")
	if rc, _, errOut := mlp("train", "-csv", table, "-label", "kind", "-epochs", "2", "-out", model, "-quiet"); rc != 0 {
		t.Fatal(errOut)
	}
	if rc, _, errOut := mlp("train", "-csv", table, "-resume", model, "-test", "0.5"); rc != 1 || !strings.Contains(errOut, "-test cannot change a resumed run") {
		t.Errorf("-test on resume: %d %q", rc, errOut)
	}
}
