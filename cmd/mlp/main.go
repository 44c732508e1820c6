// Command mlp trains, evaluates and inspects gomlp models.
//
// PROVISIONAL: this minimal main only dispatches "inspect" so that the
// subcommand can be built and tried; the coordinator replaces this file with
// the real command.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "mlp: "+inspectUsage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "inspect":
		err = runInspect(os.Args[2:], os.Stdout, os.Stderr)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mlp: "+err.Error())
		os.Exit(1)
	}
}
