// Package serve puts a trained network behind HTTP: an http.Handler that a
// program mounts on its own mux (or runs with Serve), with
//
//	POST /v1/predict  {"inputs": [[...], ...]} → {"classes": [...], "probabilities": [[...], ...]}
//	                  or an image (image/png, image/jpeg, image/gif body, or
//	                  multipart/form-data with one file) → the same, plus
//	                  "inputs": the 28×28 pixels the network saw
//	GET  /            a page to draw a digit on and watch the network read it
//	GET  /healthz     {"status": "ok", ...}
//	GET  /metrics     counters and a latency histogram in the Prometheus text format
//
// Every problem with a request (malformed JSON, a row of the wrong width, a
// value that is not finite, too many rows, an image that cannot be read) is
// answered with a 4xx status and a JSON body {"error": "..."} that names
// it; nothing a client sends makes the handler panic or answer 500.
// A body larger than Options.MaxBodyBytes gets 413, an unknown content type
// 415, a wrong method 405; everything else is 400.
//
// The network can be replaced while requests are served (SetNetwork, for
// example on SIGHUP): requests already running finish on the network they
// started with, later ones use the new one, and none is dropped.
//
// Images go through mnist.FromImage, so they need a network with
// mnist.Pixels inputs; JSON works for any width.
package serve
