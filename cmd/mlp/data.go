package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gomlp/gomlp/internal/regular"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/train"
)

// loadData loads MNIST for the commands; tests replace it to check that
// bad input is refused before any data is touched.
var loadData = loadMNIST

// loadMNIST finds (or downloads) MNIST as package mnist documents, telling
// the user on w what it fetches unless quiet. Downloading is asked for
// unless $MLP_NO_DOWNLOAD is set (for machines that must not reach out).
func loadMNIST(ctx context.Context, dir string, w io.Writer, quiet bool) (trainSet, test train.Dataset, err error) {
	opt := mnist.Options{Dir: dir, Download: os.Getenv("MLP_NO_DOWNLOAD") == ""}
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

// maxModelTensors bounds the tensors of a checkpoint that mlp loads as a
// network (eval, predict, -resume, -init): two per layer for at most 65
// layers, times the copies a training checkpoint keeps (parameters, best
// parameters, optimizer state), is a few hundred; this leaves room to spare.
const maxModelTensors = 4096

// checkModelFile checks, before the checkpoint is read, that path is a
// regular file and that its footer (ckpt/FORMAT.md, section 8) does not
// declare more tensors than a network can have: a file of a million
// records would otherwise cost hundreds of MB to reject. Anything else
// wrong with the file is left to ckpt.Load to explain.
func checkModelFile(path string) error {
	fh, err := regular.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil || info.Size() < 64 {
		return nil
	}
	var foot [64]byte
	if _, err := fh.ReadAt(foot[:], info.Size()-64); err != nil || string(foot[56:]) != "\x89GMLEND\n" {
		return nil
	}
	if n := binary.LittleEndian.Uint64(foot[24:]); n > maxModelTensors {
		return fmt.Errorf("%s holds %d tensors; a network that mlp loads has at most %d (mlp inspect lists them)", path, n, maxModelTensors)
	}
	return nil
}
