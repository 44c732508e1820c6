package regular

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckDestinationDestination(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{file, filepath.Join(dir, "absent"), filepath.Join(dir, "no", "such")} {
		if err := CheckDestination(ok); err != nil {
			t.Errorf("CheckDestination(%s): %v", ok, err)
		}
	}
	err := CheckDestination(dir)
	if err == nil || err.Error() != dir+" is a directory, not a regular file: refusing to replace it" {
		t.Errorf("CheckDestination(dir) = %v", err)
	}
	link := filepath.Join(dir, "link")
	if os.Symlink(dir, link) == nil {
		if err := CheckDestination(link); err == nil || !strings.Contains(err.Error(), link+" is a directory") {
			t.Errorf("CheckDestination(link to dir) = %v", err)
		}
		okLink := filepath.Join(dir, "link2")
		if err := os.Symlink(file, okLink); err != nil {
			t.Fatal(err)
		}
		if err := CheckDestination(okLink); err != nil {
			t.Errorf("CheckDestination(link to file) = %v", err)
		}
	}
}

func TestKind(t *testing.T) {
	for m, want := range map[os.FileMode]string{
		os.ModeDir:                        "a directory",
		os.ModeNamedPipe:                  "a named pipe",
		os.ModeDevice | os.ModeCharDevice: "a character device",
		os.ModeDevice:                     "a device",
		os.ModeSocket:                     "a socket",
		os.ModeSymlink:                    "a symbolic link",
		0:                                 "a regular file",
		os.ModeIrregular:                  "not a regular file",
	} {
		if got := Kind(m); got != want {
			t.Errorf("Kind(%v) = %q, want %q", m, got, want)
		}
	}
}
