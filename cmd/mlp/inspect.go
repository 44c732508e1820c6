package main

import (
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
	"text/tabwriter"
	"unicode"

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

	w := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(w, "%s: gomlp checkpoint, %d bytes\n", path, size)
	keys := make([]string, 0, len(c.Metadata))
	for k := range c.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Fprintf(w, "metadata: %d entries\n", len(keys))
	for _, k := range keys {
		fmt.Fprintf(w, "  %s\t%s\n", k, printable(c.Metadata[k]))
	}
	var total uint64
	for _, t := range c.Tensors {
		total += uint64(t.Len())
	}
	fmt.Fprintf(w, "tensors: %d, %d elements\n", len(c.Tensors), total)
	if len(c.Tensors) > 0 {
		fmt.Fprintln(w, "  NAME\tDTYPE\tSHAPE\tELEMENTS\tMIN\tMAX\tMEAN\tNON-FINITE")
	}
	for i := range c.Tensors {
		t := &c.Tensors[i]
		s := tensorStats(t)
		fmt.Fprintf(w, "  %s\t%v\t%v\t%d\t%s\t%s\t%s\t%s\n", t.Name, t.DType, t.Shape, t.Len(), s.min, s.max, s.mean, s.nonFinite)
	}
	return w.Flush()
}

// oneLine makes sure an error prints as a single line.
func oneLine(msg string) error {
	return errors.New(strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", "; ")), " "))
}

// printable shows a metadata value as is when that is safe and unambiguous,
// quoted otherwise (control characters, escapes, leading or trailing space).
func printable(v string) string {
	if v == "" || strings.TrimSpace(v) != v {
		return strconv.Quote(v)
	}
	for _, r := range v {
		if !unicode.IsPrint(r) && r != ' ' {
			return strconv.Quote(v)
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
