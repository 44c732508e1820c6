package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// runExport implements `mlp export -model SRC.gmlp -out DST`: the format
// comes from DST's extension.
func runExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	model := fs.String("model", "mnist.gmlp", "the checkpoint to export")
	out := fs.String("out", "", "the file to write; its extension picks the format (.onnx)")
	if err := parseFlags(fs, args, stdout, "mlp export -model SRC.gmlp -out DST.onnx\n\nWrites a checkpoint's network for inference elsewhere (ONNX: Gemm, Relu,\nSoftmax; dropout left out; a symbolic batch dimension)."); err != nil {
		return helpOK(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return errors.New("export: -out DST is required")
	}
	net, err := loadNetworkFile(*model)
	if err != nil {
		return fmt.Errorf("export: %v", err)
	}
	switch ext := strings.ToLower(filepath.Ext(*out)); ext {
	case ".onnx":
		if err := exportONNX(net, *out); err != nil {
			return fmt.Errorf("export: %v", err)
		}
	default:
		return fmt.Errorf("export: %s: unknown extension %q (want .onnx)", *out, ext)
	}
	fmt.Fprintf(stdout, "wrote %s (%s)\n", *out, specOf(net))
	return nil
}
