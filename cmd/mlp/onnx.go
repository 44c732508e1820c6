package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/onnx"
	"github.com/gomlp/gomlp/onnxnet"
	"github.com/gomlp/gomlp/train"
)

// isONNX reports whether the file at path starts like an ONNX model.
func isONNX(path string) bool {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return false // never open a FIFO or device just to look
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return onnx.LooksLikeModel(head[:n])
}

// importONNX reads an ONNX model and rebuilds the network it holds,
// printing how each layer was mapped.
func importONNX(src string, stdout io.Writer) (*layers.Network, error) {
	m, err := onnx.ReadFile(src)
	if err != nil {
		return nil, oneLine(strings.TrimPrefix(err.Error(), "onnx: "))
	}
	return importModel(src, m, stdout)
}

// importModel rebuilds the network of a decoded ONNX model, printing how
// each layer was mapped.
func importModel(src string, m *onnx.Model, stdout io.Writer) (*layers.Network, error) {
	net, rep, err := onnxnet.Import(m)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", src, strings.TrimPrefix(err.Error(), "onnxnet: "))
	}
	fmt.Fprintf(stdout, "%s: ONNX model (IR %d, opset %d, from %s), %s\n", src, m.IRVersion, m.Opset(), producer(m), specOf(net))
	for _, l := range rep.Lines {
		fmt.Fprintln(stdout, "  "+l)
	}
	return net, nil
}

// runExportONNX implements mlp export for a .onnx destination.
func runExportONNX(model, dst string, stdout io.Writer) error {
	c, err := ckpt.Load(model)
	if err != nil {
		return fmt.Errorf("export: %v", trimPkg(err))
	}
	net, err := train.LoadNetwork(c)
	if err != nil {
		return fmt.Errorf("export: %s: %v", model, trimPkg(err))
	}
	if err := exportONNX(net, dst); err != nil {
		return fmt.Errorf("export: %v", err)
	}
	fmt.Fprintf(stdout, "wrote %s: %s (ONNX, IR version %d, opset %d)\n", dst, specOf(net), onnxnet.IRVersion, onnxnet.Opset)
	return nil
}

// exportONNX writes net as an ONNX model.
func exportONNX(net *layers.Network, dst string) error {
	m, err := onnxnet.Export(net, onnxnet.ExportOptions{})
	if err != nil {
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "onnxnet: "))
	}
	return onnx.WriteFile(dst, m)
}

// inspectONNX lists an ONNX model: header, metadata, inputs and outputs,
// nodes and initializers.
func inspectONNX(path string, stdout io.Writer) error {
	m, err := onnx.ReadFile(path)
	if err != nil {
		return oneLine(strings.TrimPrefix(err.Error(), "onnx: "))
	}
	g := m.Graph
	w := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(w, "%s: ONNX model, IR version %d, from %s\n", path, m.IRVersion, producer(m))
	opsets := make([]string, len(m.OpsetImports))
	for i, o := range m.OpsetImports {
		d := o.Domain
		if d == "" {
			d = "ai.onnx"
		}
		opsets[i] = fmt.Sprintf("%s %d", d, o.Version)
	}
	fmt.Fprintf(w, "opsets: %s\n", strings.Join(opsets, ", "))
	meta := m.Metadata()
	fmt.Fprintf(w, "metadata: %d entries\n", len(meta))
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		fmt.Fprintf(w, "  %s\t%s\n", printable(k), printable(meta[k]))
	}
	inits := map[string]bool{}
	for _, t := range g.Initializers {
		inits[t.Name] = true
	}
	for _, list := range []struct {
		what string
		vs   []*onnx.ValueInfo
	}{{"inputs", g.Inputs}, {"outputs", g.Outputs}} {
		fmt.Fprintf(w, "%s:\n", list.what)
		for _, v := range list.vs {
			if inits[v.Name] {
				continue
			}
			fmt.Fprintf(w, "  %s\t%s\n", printable(v.Name), valueType(v))
		}
	}
	fmt.Fprintf(w, "nodes: %d\n", len(g.Nodes))
	for i, n := range g.Nodes {
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s -> %s\n", i, printable(n.OpType), printable(n.Name), strings.Join(n.Inputs, ", "), strings.Join(n.Outputs, ", "))
	}
	fmt.Fprintf(w, "initializers: %d\n", len(g.Initializers))
	if len(g.Initializers) > 0 {
		fmt.Fprintln(w, "  NAME\tDTYPE\tSHAPE\tELEMENTS\tMIN\tMAX\tMEAN\tNON-FINITE")
	}
	for _, t := range g.Initializers {
		n, _ := t.NumElements()
		s := stats{min: "-", max: "-", mean: "-", nonFinite: "-"}
		if v, err := t.Float32s(); err == nil {
			var acc accumulator
			for _, x := range v {
				acc.addFloat(float64(x))
			}
			s = acc.stats()
		} else if v, err := t.Int64s(); err == nil {
			var acc accumulator
			for _, x := range v {
				acc.addInt(x)
			}
			s = acc.stats()
		}
		fmt.Fprintf(w, "  %s\t%v\t%v\t%d\t%s\t%s\t%s\t%s\n", printable(t.Name), t.DataType, t.Dims, n, s.min, s.max, s.mean, s.nonFinite)
	}
	if _, _, err := onnxnet.Import(m); err != nil {
		fmt.Fprintf(w, "importable: no: %s\n", strings.TrimPrefix(err.Error(), "onnxnet: "))
	} else {
		fmt.Fprintln(w, "importable: yes (mlp import)")
	}
	return w.Flush()
}

func producer(m *onnx.Model) string {
	p := strings.TrimSpace(m.ProducerName + " " + m.ProducerVersion)
	if p == "" {
		return "an unnamed producer"
	}
	return printable(p)
}

func valueType(v *onnx.ValueInfo) string {
	switch {
	case v.NotTensor != "":
		return v.NotTensor
	case v.Type == nil:
		return "untyped"
	case !v.Type.HasShape:
		return v.Type.ElemType.String() + " [unknown shape]"
	}
	dims := make([]string, len(v.Type.Shape))
	for i, d := range v.Type.Shape {
		dims[i] = printable(d.String())
	}
	return fmt.Sprintf("%v [%s]", v.Type.ElemType, strings.Join(dims, " "))
}

func specOf(net *layers.Network) string {
	if s, ok := net.Spec(); ok {
		return s.String()
	}
	return fmt.Sprintf("%d inputs, %d outputs", net.Inputs(), net.Outputs())
}
