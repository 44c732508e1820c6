//go:build unix

package mnist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO named like an MNIST file is refused at once: opening it for
// reading must not wait for a writer that never comes.
func TestFIFOInDataDirIsRefused(t *testing.T) {
	fx := newFixture()
	dir := fx.writeDir(t, false)
	fifo := filepath.Join(dir, fx.files[0].name+".gz")
	os.Remove(fifo)
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	l := fx.loader(t)
	l.Dir = dir
	done := make(chan error, 1)
	go func() { _, _, err := l.load(context.Background()); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is a named pipe, not a regular file") {
			t.Errorf("error %v does not say the FIFO is not a regular file", err)
		}
	case <-time.After(20 * time.Second):
		// Unblock the open so the goroutine can end, then fail.
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("Load hangs on a FIFO")
	}
}

// The zero Options never touch the network: no mirror is asked and no go
// command runs; the error says downloads were not asked for.
func TestZeroOptionsDoNotDownload(t *testing.T) {
	fx := newFixture()
	m := fx.serve(t)
	l := newLoader(Options{CacheDir: t.TempDir(), Mirrors: []string{m.base()}})
	l.files = fx.files
	l.envDir = ""
	l.goCmd = "/nonexistent/go"
	_, _, err := l.load(context.Background())
	if err == nil || !strings.Contains(err.Error(), "downloads: not asked for (Options.Download)") {
		t.Errorf("error %v, want downloads not asked for", err)
	}
	if m.count() != 0 {
		t.Errorf("the mirror was asked %d times", m.count())
	}
}
