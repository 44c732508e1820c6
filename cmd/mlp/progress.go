package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gomlp/gomlp/train"
)

// progress draws training progress: on a terminal, a bar redrawn in place
// during each epoch; always, one summary line per epoch.
type progress struct {
	w      io.Writer
	bar    bool // redraw a bar in place (a terminal, not -quiet)
	quiet  bool // no epoch lines either
	epochs int
	drawn  bool
	last   time.Time
}

func newProgress(w io.Writer, epochs int, quiet bool) *progress {
	return &progress{w: w, bar: !quiet && isTerminal(w), quiet: quiet, epochs: epochs}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// batch redraws the bar, at most ten times a second.
func (p *progress) batch(s train.BatchStats) {
	if !p.bar || (time.Since(p.last) < 100*time.Millisecond && s.Batch != s.Batches) {
		return
	}
	p.last = time.Now()
	const width = 24
	frac := float64(s.Samples) / float64(max(1, s.EpochSamples))
	filled := int(frac * width)
	rate := float64(s.Samples) / max(s.Elapsed.Seconds(), 1e-9)
	eta := time.Duration(float64(s.EpochSamples-s.Samples) / max(rate, 1e-9) * float64(time.Second))
	fmt.Fprintf(p.w, "\r\x1b[Kepoch %*d/%d [%s%s] %3.0f%%  %s samples/s  loss %.4f  ETA %s",
		digits(p.epochs), s.Epoch, p.epochs, strings.Repeat("=", filled), strings.Repeat(" ", width-filled),
		100*frac, humanRate(rate), s.MeanLoss, eta.Round(100*time.Millisecond))
	p.drawn = true
}

// epoch prints the summary line of a finished epoch; note is appended.
func (p *progress) epoch(s train.EpochStats, note string) {
	if p.quiet {
		return
	}
	val := ""
	if s.Validated {
		val = fmt.Sprintf("  val loss %.4f  val %.2f%%", s.ValLoss, 100*s.ValAccuracy)
	}
	p.printf("epoch %*d/%d  loss %.4f  train %.2f%%%s  %s samples/s  %.1fs%s",
		digits(p.epochs), s.Epoch, p.epochs, s.Loss, 100*s.TrainAccuracy, val,
		humanRate(s.SamplesPerSec), s.Duration.Seconds(), note)
}

// printf prints a line (none with -quiet), first clearing the bar if one is drawn.
func (p *progress) printf(format string, args ...any) {
	if p.quiet {
		return
	}
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

func digits(n int) int { return len(fmt.Sprint(n)) }

// humanRate prints a rate with a k or M suffix: 151k, 1.2M.
func humanRate(r float64) string {
	switch {
	case r >= 10e6:
		return fmt.Sprintf("%.0fM", r/1e6)
	case r >= 1e6:
		return fmt.Sprintf("%.1fM", r/1e6)
	case r >= 10e3:
		return fmt.Sprintf("%.0fk", r/1e3)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}
