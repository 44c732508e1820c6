package serve

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Time limits of the server Serve runs.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second // the whole request, body included
	WriteTimeout      = 30 * time.Second
	IdleTimeout       = 2 * time.Minute
	ShutdownTimeout   = 10 * time.Second // for requests in flight when ctx ends
)

// Serve answers HTTP requests on ln with h until ctx ends, then shuts down
// gracefully: it stops accepting, lets the requests in flight finish (for
// up to ShutdownTimeout) and returns nil. The server has the time limits
// above and refuses request headers larger than 64 KiB.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		done <- srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-done
}
