package serve

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/gomlp/gomlp/layers"
)

// Default limits (see Options).
const (
	DefaultMaxBatch       = 256
	DefaultMaxBodyBytes   = 8 << 20
	DefaultMaxImagePixels = 4096 * 4096
)

// Options sets a Handler's limits. Zero values take the defaults.
type Options struct {
	// MaxBatch is the most rows one JSON request may hold.
	MaxBatch int
	// MaxBodyBytes bounds a request body; a larger one gets 413.
	MaxBodyBytes int64
	// MaxImagePixels bounds width×height of an uploaded image, checked
	// from its header before it is decoded.
	MaxImagePixels int
}

func (o Options) withDefaults() Options {
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxImagePixels <= 0 {
		o.MaxImagePixels = DefaultMaxImagePixels
	}
	return o
}

// Handler serves one network (replaceable with SetNetwork). It is safe for
// concurrent use.
type Handler struct {
	opts    Options
	net     atomic.Pointer[layers.Network]
	reloads atomic.Uint64
	metrics *metrics
	mux     *http.ServeMux

	// images bounds the images decoded at once: a large photo takes tens
	// of megabytes while it is converted.
	images chan struct{}
}

//go:embed page/index.html
var page []byte

// New returns a handler that serves net. The network must have a known
// input and output width (any network built from a layers.Spec has); it
// must not be trained while it is served.
func New(net *layers.Network, opts Options) (*Handler, error) {
	if err := servable(net); err != nil {
		return nil, err
	}
	h := &Handler{opts: opts.withDefaults(), metrics: newMetrics(), images: make(chan struct{}, runtime.GOMAXPROCS(0))}
	h.net.Store(net)
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("/v1/predict", h.predict)
	h.mux.HandleFunc("/healthz", h.healthz)
	h.mux.HandleFunc("/metrics", h.metrics.serve)
	h.mux.HandleFunc("/{$}", h.page)
	return h, nil
}

func servable(net *layers.Network) error {
	if net == nil {
		return errors.New("serve: no network")
	}
	if net.Inputs() <= 0 || net.Outputs() < 2 {
		return fmt.Errorf("serve: the network takes %d inputs to %d outputs; it needs a Dense layer and at least 2 classes", net.Inputs(), net.Outputs())
	}
	return nil
}

// SetNetwork replaces the served network. Requests already running finish
// on the old one. It fails, leaving the old network in place, if net could
// not be served.
func (h *Handler) SetNetwork(net *layers.Network) error {
	if err := servable(net); err != nil {
		return err
	}
	h.net.Store(net)
	h.reloads.Add(1)
	h.metrics.reloads.Add(1)
	return nil
}

// Network returns the network being served.
func (h *Handler) Network() *layers.Network { return h.net.Load() }

// ServeHTTP routes the request (see the package documentation) and counts
// it in the metrics.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	h.mux.ServeHTTP(rec, r)
	h.metrics.observe(routeOf(r.URL.Path), rec.code, time.Since(start))
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(page)
}

func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	net := h.net.Load()
	writeJSON(w, http.StatusOK, map[string]any{
		"status":  "ok",
		"inputs":  net.Inputs(),
		"outputs": net.Outputs(),
		"reloads": h.reloads.Load(),
	})
}

// statusRecorder remembers the status code a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, errorBody{Error: fmt.Sprintf(format, args...)})
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "method not allowed: use %s", allow)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v) // a failed write means the client left
}
