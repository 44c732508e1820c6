package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gomlp/gomlp/interop"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
)

// foreign reports whether path holds another tool's format (detected from
// the content), which inspect, eval and predict read through interop.
func foreign(path string) bool {
	switch f, _ := interop.DetectFile(path); f {
	case interop.Safetensors, interop.Torch, interop.TorchLegacy:
		return true
	}
	return false
}

// loadForeign maps a PyTorch or safetensors file to a network, refusing
// when another reading of the file was possible.
func loadForeign(path string) (*layers.Network, error) {
	f, err := interop.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%v", trimForeign(err))
	}
	net, m, err := interop.FromTensors(f.Tensors, interop.MetaOptions(f.Metadata))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, trimForeign(err))
	}
	if m.Ambiguous != "" {
		return nil, fmt.Errorf("%s: the layers are ambiguous (%s): convert it with mlp import -layers", path, m.Ambiguous)
	}
	return checkMNIST(path, net)
}

func trimForeign(err error) string {
	msg := err.Error()
	for _, p := range []string{"interop: ", "torchpt: ", "safetensors: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// inspectForeign prints a PyTorch or safetensors file's tensors with their
// statistics, and the network mlp import would read from it.
func inspectForeign(path string, stdout io.Writer) error {
	f, err := interop.ReadFile(path)
	if err != nil {
		msg := strings.TrimPrefix(trimForeign(err), path+": ")
		if format, _ := interop.DetectFile(path); format != interop.TorchLegacy {
			msg = fmt.Sprintf("not a valid %s file: %s", format, msg)
		}
		return oneLine(path + ": " + msg)
	}
	size := int64(-1)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	w := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(w, "%s: %s, %d bytes\n", path, f.Format, size)
	if f.Metadata != nil {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range f.Metadata {
				if !yield(k) {
					return
				}
			}
		})
		fmt.Fprintf(w, "metadata: %d entries\n", len(keys))
		for _, k := range keys {
			fmt.Fprintf(w, "  %s\t%s\n", printable(k), printable(f.Metadata[k]))
		}
	}
	var total uint64
	for _, t := range f.Tensors {
		total += uint64(layers.NumElements(t.Shape))
	}
	fmt.Fprintf(w, "tensors: %d, %d elements\n", len(f.Tensors), total)
	if len(f.Tensors) > 0 {
		fmt.Fprintln(w, "  NAME\tDTYPE\tSHAPE\tELEMENTS\tMIN\tMAX\tMEAN\tNON-FINITE")
	}
	for _, t := range f.Tensors {
		var acc accumulator
		for _, v := range t.Data {
			acc.addFloat(float64(v))
		}
		s := acc.stats()
		if t.Data == nil && layers.NumElements(t.Shape) > 0 {
			s = stats{"(not read)", "", "", ""}
		}
		fmt.Fprintf(w, "  %s\t%s\t%v\t%d\t%s\t%s\t%s\t%s\n", printable(t.Name), t.DType, t.Shape, layers.NumElements(t.Shape), s.min, s.max, s.mean, s.nonFinite)
	}
	if _, m, err := interop.FromTensors(f.Tensors, interop.MetaOptions(f.Metadata)); err != nil {
		fmt.Fprintf(w, "as a network: none (%s)\n", trimForeign(err))
	} else {
		fmt.Fprintln(w, "as a network (what mlp import would read):")
		for _, l := range m.Lines() {
			fmt.Fprintln(w, "  "+l)
		}
	}
	return w.Flush()
}

// writeLogits writes the network's logits for every row of x, one row per
// line, values separated by spaces, with enough digits to be exact.
func writeLogits(path string, net *layers.Network, x *mat.Matrix) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(out)
	l := interop.Logits(net, x)
	var b []byte
	for r := 0; r < l.Rows; r++ {
		b = b[:0]
		for c, v := range l.Row(r) {
			if c > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendFloat(b, float64(v), 'g', -1, 32)
		}
		b = append(b, '\n')
		bw.Write(b)
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
