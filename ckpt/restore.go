package ckpt

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Report says what Restore did, by model-side name (checkpoint name for
// Unexpected), each list sorted.
type Report struct {
	Restored   []string // copied from the checkpoint
	Skipped    []string // matched a Skip pattern (on either side)
	Missing    []string // in the model but not the checkpoint (AllowMissing)
	Unexpected []string // in the checkpoint but not the model (AllowUnexpected)
}

// MaxProblems is how many problems a RestoreError lists; the others are
// only counted, so that a file with a million bad tensors gives a short
// error.
const MaxProblems = 20

// RestoreError says why a Restore was refused. The model was not changed.
type RestoreError struct {
	File     string   // the checkpoint's path, "" if it was not loaded from a file
	Problems []string // the first MaxProblems, by name, one line each: the quoted name (see QuoteName) and what is wrong
	More     int      // how many more problems there were
	Hint     string   // which options would let a finetuning restore go through
}

func (e *RestoreError) Error() string {
	var b strings.Builder
	from := "the checkpoint"
	if e.File != "" {
		from = e.File
	}
	n := len(e.Problems) + e.More
	plural := "s"
	if n == 1 {
		plural = ""
	}
	fmt.Fprintf(&b, "ckpt: cannot restore from %s (%d problem%s; the model was not changed):", from, n, plural)
	for _, p := range e.Problems {
		b.WriteString("\n" + p)
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n… and %d more", e.More)
	}
	if e.Hint != "" {
		b.WriteString("\nhint: " + e.Hint)
	}
	return b.String()
}

// Restore copies the checkpoint's tensors into the model's tensors, matched
// by name. The model side, into, is a list of destinations whose Data (or
// Raw) the model owns; their Name, Shape and DType say what they expect.
//
// It works in two phases. First it checks everything: every destination has
// a checkpoint tensor of the same dtype and exactly the same shape (no
// implicit reshape, not even [1] to []), every checkpoint tensor has a
// destination, and no value is NaN or infinite. Only if all of that holds does
// it copy. Otherwise it returns a *RestoreError listing every problem, and
// the model is untouched.
//
// Restore is strict by default. For finetuning a changed model, Skip leaves
// tensors matching a pattern alone, AllowMissing and AllowUnexpected accept
// tensors present on one side only, Rename maps checkpoint name prefixes to
// model ones, and AllowNonFinite accepts NaN and infinity.
func (c *Checkpoint) Restore(into []Tensor, opts ...RestoreOption) (Report, error) {
	return c.restore(into, restoreOptions(opts), false)
}

// Check does Restore's first phase only: it returns the Report or the
// *RestoreError that Restore would, copying nothing. Only the Name, Shape
// and DType of into are read, so their Data and Raw may be nil: a program
// can check a checkpoint against a model before allocating the model.
func (c *Checkpoint) Check(into []Tensor, opts ...RestoreOption) (Report, error) {
	return c.restore(into, restoreOptions(opts), true)
}

func (c *Checkpoint) restore(into []Tensor, o *options, dry bool) (Report, error) {
	if err := o.checkPatterns(); err != nil {
		return Report{}, err
	}
	var rep Report
	var problems []problem
	addf := func(kind problemKind, name, format string, args ...any) {
		problems = append(problems, problem{kind, name, QuoteName(name) + ": " + fmt.Sprintf(format, args...)})
	}

	// Checkpoint tensors by the model-side name they map to.
	byName := make(map[string]*Tensor, len(c.Tensors))
	for i := range c.Tensors {
		t := &c.Tensors[i]
		name := o.mapName(t.Name)
		if prev, dup := byName[name]; dup {
			addf(other, name, "checkpoint tensors %s and %s both map to this name", QuoteName(prev.Name), QuoteName(t.Name))
			continue
		}
		byName[name] = t
	}

	type pair struct{ dst, src *Tensor }
	var copies []pair
	used := make(map[*Tensor]bool, len(c.Tensors))
	seen := make(map[string]bool, len(into))
	for i := range into {
		dst := &into[i]
		src := byName[dst.Name]
		if src != nil {
			used[src] = true
		}
		switch {
		case seen[dst.Name]:
			addf(other, dst.Name, "listed twice in the model")
			continue
		case o.skipped(dst.Name):
			rep.Skipped = append(rep.Skipped, dst.Name)
		case src == nil && o.allowMissing:
			rep.Missing = append(rep.Missing, dst.Name)
		case src == nil:
			addf(missing, dst.Name, "missing from the checkpoint (model %s)", typeAndShape(dst, dst))
		default:
			if kind, why := mismatch(src, dst, o, dry); why != "" {
				addf(kind, dst.Name, "%s", why)
			} else {
				copies = append(copies, pair{dst, src})
				rep.Restored = append(rep.Restored, dst.Name)
			}
		}
		seen[dst.Name] = true
	}
	for i := range c.Tensors {
		t := &c.Tensors[i]
		name := o.mapName(t.Name)
		switch {
		case used[t] || byName[name] != t:
			// matched, or already reported as a name collision
		case o.skipped(name):
			rep.Skipped = append(rep.Skipped, name)
		case o.allowUnexpected:
			rep.Unexpected = append(rep.Unexpected, t.Name)
		default:
			addf(unexpected, name, "in the checkpoint %s but not in the model", typeAndShape(t, t))
		}
	}

	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b problem) int { return strings.Compare(a.name, b.name) })
		e := &RestoreError{File: c.file, Hint: hint(problems)}
		for _, p := range problems[:min(len(problems), MaxProblems)] {
			e.Problems = append(e.Problems, p.line)
		}
		e.More = len(problems) - len(e.Problems)
		return Report{}, e
	}
	for _, p := range copies {
		if !dry {
			copy(p.dst.Data, p.src.Data)
			copy(p.dst.Raw, p.src.Raw)
		}
	}
	for _, l := range [][]string{rep.Restored, rep.Skipped, rep.Missing, rep.Unexpected} {
		slices.Sort(l)
	}
	return rep, nil
}

type problemKind int

const (
	other problemKind = iota
	missing
	unexpected
	changed // dtype or shape differs
	nonFinite
)

type problem struct {
	kind       problemKind
	name, line string
}

// mismatch says why src cannot be copied into dst, or "".
func mismatch(src, dst *Tensor, o *options, dry bool) (problemKind, string) {
	from := ""
	if n := o.mapName(src.Name); n != src.Name {
		from = fmt.Sprintf(" (checkpoint name %s)", QuoteName(src.Name))
	}
	if src.DType != dst.DType || !slices.Equal(src.Shape, dst.Shape) {
		return changed, fmt.Sprintf("checkpoint %s, model %s%s", typeAndShape(src, dst), typeAndShape(dst, src), from)
	}
	if !dry && !holds(dst) {
		return other, fmt.Sprintf("the model's %v buffer does not hold shape %v (Data %d, Raw %d)", dst.DType, dst.Shape, len(dst.Data), len(dst.Raw))
	}
	if !holds(src) {
		return other, fmt.Sprintf("the checkpoint's %v buffer does not hold shape %v%s", src.DType, src.Shape, from)
	}
	if !o.allowNonFinite {
		if i := firstNonFinite(src); i >= 0 {
			return nonFinite, fmt.Sprintf("checkpoint element %d %s is %s%s", i, coords(src.Shape, i), valueString(src, i), from)
		}
	}
	return other, ""
}

// holds reports whether t's buffer has exactly the elements its shape needs.
func holds(t *Tensor) bool {
	n := t.Len()
	if n < 0 || !t.DType.valid() {
		return false
	}
	if t.DType == Float32 {
		return len(t.Data) == n && len(t.Raw) == 0
	}
	return len(t.Raw) == n*t.DType.Size() && len(t.Data) == 0
}

// typeAndShape prints t's shape, prefixed by its dtype when other's differs
// or it is not float32.
func typeAndShape(t, other *Tensor) string {
	if t.DType == Float32 && other.DType == Float32 {
		return fmt.Sprint(t.Shape)
	}
	return fmt.Sprintf("%v %v", t.DType, t.Shape)
}

// hint suggests the options that would let a finetuning restore through.
func hint(problems []problem) string {
	has := map[problemKind]bool{}
	skipName := ""
	for _, p := range problems {
		has[p.kind] = true
		if p.kind == changed && skipName == "" {
			skipName = p.name
		}
	}
	skip := skipName != ""
	var h []string
	if skip {
		pattern := skipName
		if i := strings.LastIndexByte(skipName, '/'); i >= 0 {
			pattern = skipName[:i+1] + "*"
		}
		h = append(h, fmt.Sprintf("to finetune a model whose layers changed, keep the model's values for them with ckpt.Skip(%s)", QuoteName(pattern)))
	}
	if has[missing] {
		h = append(h, "ckpt.AllowMissing() keeps model tensors the checkpoint lacks")
	}
	if has[unexpected] {
		h = append(h, "ckpt.AllowUnexpected() ignores checkpoint tensors the model lacks")
	}
	if has[missing] && has[unexpected] {
		h = append(h, "ckpt.Rename(from, to) maps renamed layers")
	}
	if has[nonFinite] {
		h = append(h, "the checkpoint holds NaN or infinite values, so the run that wrote it had diverged: use an earlier checkpoint, or restore the values as they are with the option ckpt.AllowNonFinite()")
	}
	return strings.Join(h, "; ")
}

// mapName applies the longest matching Rename to a checkpoint name.
func (o *options) mapName(name string) string {
	best := -1
	for i, r := range o.renames {
		if strings.HasPrefix(name, r.from) && (best < 0 || len(r.from) > len(o.renames[best].from)) {
			best = i
		}
	}
	if best < 0 {
		return name
	}
	return o.renames[best].to + name[len(o.renames[best].from):]
}

func (o *options) skipped(name string) bool {
	for _, p := range o.skip {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
