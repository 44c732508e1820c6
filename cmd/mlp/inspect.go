package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gomlp/gomlp/ckpt"
)

const inspectUsage = "usage: mlp inspect FILE"

// runInspect implements `mlp inspect FILE`: it prints a checkpoint's
// metadata and, per tensor, name, dtype, shape, element count and
// min/max/mean. Anything that is not a valid checkpoint is an error of one
// line saying what is wrong with it (or what kind of file it is instead).
func runInspect(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	if err := parseFlags(fs, args, stdout, "mlp inspect FILE\n\nPrints a checkpoint's metadata and, per tensor, dtype, shape, element count\nand min/max/mean (of the finite values; NaN and infinities are counted)."); err != nil {
		return helpOK(err)
	}
	if fs.NArg() != 1 {
		return errors.New(inspectUsage)
	}
	path := fs.Arg(0)
	if err := checkInputFile(path); err != nil {
		return oneLine(err.Error())
	}
	if isONNX(path) {
		return inspectONNX(path, stdout)
	}
	if foreign(path) {
		return inspectForeign(path, stdout)
	}
	c, err := ckpt.Load(path)
	if err != nil {
		return oneLine(strings.TrimPrefix(err.Error(), "ckpt: "))
	}
	size := int64(-1)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}

	// The output is streamed: a first pass measures the columns, a second
	// prints each row as it computes its statistics, so time and memory
	// stay linear in the file, however many tensors it holds.
	w := bufio.NewWriterSize(stdout, 64<<10)
	fmt.Fprintf(w, "%s: gomlp checkpoint, %d bytes\n", printable(path), size)
	keys := make([]string, 0, len(c.Metadata))
	keyWidth := 0
	for k := range c.Metadata {
		keys = append(keys, k)
		keyWidth = max(keyWidth, utf8.RuneCountInString(ckpt.DisplayName(k)))
	}
	slices.Sort(keys)
	fmt.Fprintf(w, "metadata: %d entries\n", len(keys))
	for _, k := range keys {
		pk := ckpt.DisplayName(k)
		fmt.Fprintf(w, "  %s%s  %s\n", pk, pad(keyWidth-utf8.RuneCountInString(pk)), printable(c.Metadata[k]))
	}
	var total uint64
	nameW, shapeW, elemW := len("NAME"), len("SHAPE"), len("ELEMENTS")
	for i := range c.Tensors {
		t := &c.Tensors[i]
		total += uint64(t.Len())
		nameW = max(nameW, utf8.RuneCountInString(ckpt.DisplayName(t.Name)))
		shapeW = max(shapeW, len(fmt.Sprint(t.Shape)))
		elemW = max(elemW, len(strconv.Itoa(t.Len())))
	}
	fmt.Fprintf(w, "tensors: %d, %d elements\n", len(c.Tensors), total)
	if len(c.Tensors) > 0 {
		fmt.Fprintf(w, "  %-*s  %-7s  %-*s  %-*s  %-12s  %-12s  %-12s  %s\n", nameW, "NAME", "DTYPE", shapeW, "SHAPE", elemW, "ELEMENTS", "MIN", "MAX", "MEAN", "NON-FINITE")
	}
	for i := range c.Tensors {
		t := &c.Tensors[i]
		st := tensorStats(t)
		name := ckpt.DisplayName(t.Name)
		fmt.Fprintf(w, "  %s%s  %-7v  %-*s  %-*d  %-12s  %-12s  %-12s  %s\n", name, pad(nameW-utf8.RuneCountInString(name)),
			t.DType, shapeW, fmt.Sprint(t.Shape), elemW, t.Len(), st.min, st.max, st.mean, st.nonFinite)
	}
	return w.Flush()
}

// pad returns n spaces (none for n <= 0).
func pad(n int) string { return strings.Repeat(" ", max(n, 0)) }

// oneLine makes sure an error prints as a single line.
func oneLine(msg string) error {
	return errors.New(strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", "; ")), " "))
}

// printable shows a name or value as is when that is safe and unambiguous,
// and quoted with Go escapes otherwise: control characters (a newline that
// could forge an output line), invisible ones (zero-width space, byte order
// mark, no-break space: names that differ only by them must not look the
// same), invalid UTF-8, a leading quote, leading or trailing space.
func printable(v string) string {
	if v == "" || strings.TrimSpace(v) != v || v[0] == '"' || !utf8.ValidString(v) {
		return strconv.QuoteToASCII(v)
	}
	for _, r := range v {
		if !unicode.IsPrint(r) && r != ' ' {
			return strconv.QuoteToASCII(v)
		}
	}
	return v
}

type stats struct {
	min, max, mean, nonFinite string
}

// tensorStats computes min, max and mean of the finite elements and counts
// NaNs and infinities, whatever the dtype.
func tensorStats(t *ckpt.Tensor) stats {
	var acc accumulator
	switch t.DType {
	case ckpt.Float32:
		for _, v := range t.Data {
			acc.addFloat(float64(v))
		}
	case ckpt.Float64:
		for i := 0; i+8 <= len(t.Raw); i += 8 {
			acc.addFloat(math.Float64frombits(binary.LittleEndian.Uint64(t.Raw[i:])))
		}
	case ckpt.Int32:
		for i := 0; i+4 <= len(t.Raw); i += 4 {
			acc.addInt(int64(int32(binary.LittleEndian.Uint32(t.Raw[i:]))))
		}
	case ckpt.Int64:
		for i := 0; i+8 <= len(t.Raw); i += 8 {
			acc.addInt(int64(binary.LittleEndian.Uint64(t.Raw[i:])))
		}
	case ckpt.Uint8:
		for _, b := range t.Raw {
			acc.addInt(int64(b))
		}
	}
	return acc.stats()
}

type accumulator struct {
	n                 int // finite values
	sum               float64
	minF, maxF        float64
	ints              bool
	minI, maxI        int64
	nan, posInf, negI int
}

func (a *accumulator) addFloat(v float64) {
	switch {
	case math.IsNaN(v):
		a.nan++
	case math.IsInf(v, 1):
		a.posInf++
	case math.IsInf(v, -1):
		a.negI++
	default:
		if a.n == 0 || v < a.minF {
			a.minF = v
		}
		if a.n == 0 || v > a.maxF {
			a.maxF = v
		}
		a.sum += v
		a.n++
	}
}

func (a *accumulator) addInt(v int64) {
	a.ints = true
	if a.n == 0 || v < a.minI {
		a.minI = v
	}
	if a.n == 0 || v > a.maxI {
		a.maxI = v
	}
	a.sum += float64(v)
	a.n++
}

func (a *accumulator) stats() stats {
	s := stats{min: "-", max: "-", mean: "-", nonFinite: "-"}
	if a.n > 0 {
		if a.ints {
			s.min, s.max = strconv.FormatInt(a.minI, 10), strconv.FormatInt(a.maxI, 10)
		} else {
			s.min, s.max = fmtFloat(a.minF), fmtFloat(a.maxF)
		}
		s.mean = fmtFloat(a.sum / float64(a.n))
	}
	var nf []string
	for _, c := range []struct {
		n    int
		name string
	}{{a.nan, "NaN"}, {a.posInf, "+Inf"}, {a.negI, "-Inf"}} {
		if c.n > 0 {
			nf = append(nf, fmt.Sprintf("%d %s", c.n, c.name))
		}
	}
	if len(nf) > 0 {
		s.nonFinite = strings.Join(nf, ", ")
	}
	return s
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
