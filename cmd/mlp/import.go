package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// runImport implements `mlp import SRC -out DST.gmlp`: the format of SRC is
// found from its content.
func runImport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	out := fs.String("out", "", "the checkpoint to write (.gmlp)")
	args, pos := splitPositional(args)
	if err := parseFlags(fs, args, stdout, "mlp import SRC -out DST.gmlp\n\nReads a model written elsewhere (ONNX; the format is found from the content),\nprints how its layers map to gomlp's, and saves it as a checkpoint."); err != nil {
		return helpOK(err)
	}
	pos = append(pos, fs.Args()...)
	if len(pos) != 1 {
		return errors.New("import: want one source file (usage: mlp import SRC -out DST.gmlp)")
	}
	if *out == "" {
		return errors.New("import: -out DST.gmlp is required")
	}
	src := pos[0]
	if !isONNX(src) {
		return fmt.Errorf("import: %s: not a format gomlp imports (ONNX)", src)
	}
	net, err := importONNX(src, stdout)
	if err != nil {
		return fmt.Errorf("import: %v", err)
	}
	if err := saveNetwork(*out, net, map[string]string{"imported_from": "onnx"}); err != nil {
		return fmt.Errorf("import: %v", err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

// splitPositional moves a leading positional argument (mlp import SRC
// -out DST) out of the way of the flag parser, which stops at the first
// non-flag.
func splitPositional(args []string) (flags, pos []string) {
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return args[1:], args[:1]
	}
	return args, nil
}
