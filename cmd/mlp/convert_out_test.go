package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/interop"
	"github.com/gomlp/gomlp/layers"
)

// convertSources writes a gomlp checkpoint for export and names a PyTorch
// file for import.
func convertSources(t *testing.T, dir string) (gmlp, pt string) {
	t.Helper()
	net, err := layers.NewSpec(4, []int{3}, 2).Build(1)
	if err != nil {
		t.Fatal(err)
	}
	gmlp = filepath.Join(dir, "src.gmlp")
	if err := interop.SaveNetwork(gmlp, net, nil); err != nil {
		t.Fatal(err)
	}
	return gmlp, torchData + "sequential.pt"
}

// mlpRefuses runs mlp with args and checks that it fails with exactly want.
func mlpRefuses(t *testing.T, want string, args ...string) {
	t.Helper()
	rc, stdout, stderr := mlp(args...)
	if rc != 1 || stderr != "mlp: "+want+"\n" || stdout != "" {
		t.Errorf("mlp %q: %d\nstdout %q\nstderr %q\nwant   %q", args, rc, stdout, stderr, "mlp: "+want+"\n")
	}
}

// import and export check -out as mlp train does, before reading the
// source: an existing file only with -force, and never a directory.
func TestConvertOutChecked(t *testing.T) {
	dir := t.TempDir()
	gmlp, pt := convertSources(t, dir)
	missing := filepath.Join(dir, "missing") // a source that cannot be read

	old := []byte("keep me")
	for _, name := range []string{"old.gmlp", "old.pt", "old.safetensors"} {
		if err := os.WriteFile(filepath.Join(dir, name), old, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"d.gmlp", "d.pt"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	exists := func(cmd, path string) string {
		return cmd + ": -out " + path + " exists: not replacing it (pass -force to replace it, or choose another -out)"
	}
	isDir := func(cmd, path string) string {
		return cmd + ": -out " + path + " is a directory, not a regular file: refusing to replace it"
	}
	mlpRefuses(t, exists("import", p("old.gmlp")), "import", missing, "-out", p("old.gmlp"))
	mlpRefuses(t, exists("export", p("old.pt")), "export", "-model", missing, "-out", p("old.pt"))
	mlpRefuses(t, exists("export", p("old.safetensors")), "export", "-model", missing, "-out", p("old.safetensors"))
	mlpRefuses(t, isDir("import", p("d.gmlp")), "import", missing, "-out", p("d.gmlp"), "-force")
	mlpRefuses(t, isDir("export", p("d.pt")), "export", "-model", missing, "-out", p("d.pt"), "-force")
	mlpRefuses(t, "import: -out "+p("no/x.gmlp")+": the directory "+p("no")+" does not exist", "import", missing, "-out", p("no/x.gmlp"))
	for _, name := range []string{"old.gmlp", "old.pt", "old.safetensors"} {
		if b, err := os.ReadFile(p(name)); err != nil || string(b) != string(old) {
			t.Errorf("%s was changed: %q %v", name, b, err)
		}
	}
	for _, name := range []string{"d.gmlp", "d.pt"} {
		if info, err := os.Stat(p(name)); err != nil || !info.IsDir() {
			t.Errorf("%s was replaced: %v", name, err)
		}
	}

	// With -force an existing regular file is replaced.
	if rc, _, stderr := mlp("import", pt, "-out", p("old.gmlp"), "-force"); rc != 0 {
		t.Fatalf("import -force: %s", stderr)
	}
	if rc, _, stderr := mlp("export", "-model", gmlp, "-out", p("old.pt"), "-force"); rc != 0 {
		t.Fatalf("export -force: %s", stderr)
	}
	if _, err := ckpt.Load(p("old.gmlp")); err != nil {
		t.Errorf("old.gmlp after -force: %v", err)
	}
	if _, err := interop.ReadFile(p("old.pt")); err != nil {
		t.Errorf("old.pt after -force: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 6 {
		t.Errorf("files left in %s: %v", dir, entries)
	}
}
