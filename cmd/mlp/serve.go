package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gomlp/gomlp/serve"
)

func runServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	model := fs.String("model", "mnist.gmlp", "the checkpoint to serve (reloaded on SIGHUP)")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	batch := fs.Int("max-batch", serve.DefaultMaxBatch, "most rows in one request")
	body := fs.Int64("max-body", serve.DefaultMaxBodyBytes, "largest request body in bytes")
	watch := fs.Duration("watch", 0, "also reload when the model file changes, checking this often (e.g. 2s; 0: only on SIGHUP)")
	if err := parseFlags(fs, args, stdout, "mlp serve [-model FILE] [-addr HOST:PORT]\n\nServes the network over HTTP until SIGINT or SIGTERM:\n  POST /v1/predict  {\"inputs\": [[784 pixels], ...]} or an image\n  GET  /            a page to draw a digit on\n  GET  /healthz, GET /metrics (Prometheus)\nSIGHUP (or, with -watch, a change of the file) reloads the model without\ndropping requests."); err != nil {
		return helpOK(err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("serve: unexpected argument %q (see mlp serve -h)", fs.Arg(0))
	case *batch < 1:
		return fmt.Errorf("serve: -max-batch %d: must be at least 1", *batch)
	case *body < 1024:
		return fmt.Errorf("serve: -max-body %d: must be at least 1024 bytes", *body)
	case *watch < 0:
		return fmt.Errorf("serve: -watch %v: must not be negative", *watch)
	}
	net0, err := loadModel(*model)
	if err != nil {
		return err
	}
	h, err := serve.New(net0, serve.Options{MaxBatch: *batch, MaxBodyBytes: *body})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	fmt.Fprintf(stdout, "serving %s (%d inputs, %d classes) on http://%s/\n", *model, net0.Inputs(), net0.Outputs(), ln.Addr())
	reload := func() {
		// A bad file leaves the served network in place.
		if n, err := loadModel(*model); err != nil {
			fmt.Fprintf(stderr, "mlp: reload: %v (still serving the previous network)\n", err)
		} else if err := h.SetNetwork(n); err != nil {
			fmt.Fprintf(stderr, "mlp: reload: %v (still serving the previous network)\n", err)
		} else {
			fmt.Fprintf(stdout, "reloaded %s\n", *model)
		}
	}
	var tick <-chan time.Time
	if *watch > 0 {
		t := time.NewTicker(*watch)
		defer t.Stop()
		tick = t.C
	}
	go func() {
		last := fileStamp(*model)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				reload()
				last = fileStamp(*model)
			case <-tick:
				// ckpt.Save replaces the file by renaming, so a changed stamp
				// means a complete new file.
				if now := fileStamp(*model); now != last {
					last = now
					reload()
				}
			}
		}
	}()
	if err := serve.Serve(ctx, ln, h); err != nil {
		return fmt.Errorf("serve: %v", err)
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}

// fileStamp identifies a version of a file by its modification time and
// size ("" if it cannot be read).
func fileStamp(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fmt.Sprint(fi.ModTime().UnixNano(), fi.Size())
}
