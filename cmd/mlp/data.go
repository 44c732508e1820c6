package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/train"
)

// loadMNIST finds (or downloads) MNIST as package mnist documents, telling
// the user on w what it fetches unless quiet.
func loadMNIST(ctx context.Context, dir string, w io.Writer, quiet bool) (trainSet, test train.Dataset, err error) {
	opt := mnist.Options{Dir: dir}
	if !quiet {
		tty := isTerminal(w)
		var last time.Time
		opt.Log = func(msg string) { fmt.Fprintln(w, msg) }
		opt.Progress = func(p mnist.Progress) {
			done := p.Done == p.Total
			if !tty || (!done && time.Since(last) < 100*time.Millisecond) {
				return
			}
			last = time.Now()
			fmt.Fprintf(w, "\r\x1b[K%s: %.1f of %.1f MB", p.File, float64(p.Done)/1e6, float64(p.Total)/1e6)
			if done {
				fmt.Fprintln(w)
			}
		}
	}
	tr, te, err := mnist.Load(ctx, opt)
	if err != nil {
		return train.Dataset{}, train.Dataset{}, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "mnist: "))
	}
	return train.Dataset(tr), train.Dataset(te), nil
}
