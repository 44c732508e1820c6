package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // decoders for image.Decode
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
)

// Request is the JSON body of POST /v1/predict: one row of features per
// example.
type Request struct {
	Inputs [][]float32 `json:"inputs"`
}

// Response is the answer of POST /v1/predict. Inputs is set for an image:
// the pixels the network saw (row by row, mnist.Width wide).
type Response struct {
	Classes       []int       `json:"classes"`
	Probabilities [][]float32 `json:"probabilities"`
	Inputs        [][]float32 `json:"inputs,omitempty"`
}

// requestError is a problem with the request, answered with its status.
type requestError struct {
	code int
	msg  string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func (h *Handler) predict(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	net := h.net.Load() // one network for the whole request, whatever SetNetwork does meanwhile
	resp, err := h.answer(net, w, r)
	if err != nil {
		var re *requestError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, http.StatusRequestEntityTooLarge, "request body larger than %d bytes", tooBig.Limit)
		case errors.As(err, &re):
			writeError(w, re.code, "%s", re.msg)
		default:
			writeError(w, http.StatusBadRequest, "reading the request: %v", err)
		}
		return
	}
	h.metrics.countClasses(resp.Classes)
	writeJSON(w, http.StatusOK, resp)
}

// answer decodes the request by its content type and runs the network.
func (h *Handler) answer(net *layers.Network, w http.ResponseWriter, r *http.Request) (*Response, error) {
	body := http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes)
	ct := r.Header.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ct)
	if ct == "" {
		mediaType, err = "application/json", nil
	}
	if err != nil {
		return nil, badRequest("Content-Type %q: %v", ct, err)
	}
	switch {
	case mediaType == "application/json":
		data, err := readAll(body, r.ContentLength, h.opts.MaxBodyBytes)
		if err != nil {
			return nil, err
		}
		if rows, ok := parseInputs(data); ok {
			return h.run(net, rows, false)
		}
		var req Request
		if err := decodeJSON(bytes.NewReader(data), &req); err != nil {
			return nil, err
		}
		return h.run(net, req.Inputs, false)
	case mediaType == "multipart/form-data":
		data, err := fileFromMultipart(multipart.NewReader(body, params["boundary"]))
		if err != nil {
			return nil, err
		}
		return h.runImage(r.Context(), net, data)
	case strings.HasPrefix(mediaType, "image/"):
		data, err := readAll(body, r.ContentLength, h.opts.MaxBodyBytes)
		if err != nil {
			return nil, err
		}
		return h.runImage(r.Context(), net, data)
	}
	return nil, &requestError{http.StatusUnsupportedMediaType,
		fmt.Sprintf("Content-Type %q: send application/json, an image (image/png, image/jpeg, image/gif) or multipart/form-data", mediaType)}
}

// decodeJSON reads exactly one Request object, naming the first problem.
func decodeJSON(body io.Reader, req *Request) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(req)
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		if _, err := dec.Token(); err != io.EOF {
			return badRequest("bad JSON: more data after the request object")
		}
		return nil
	case errors.Is(err, io.EOF):
		return badRequest(`empty body: send {"inputs": [[...], ...]}`)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("bad JSON: the body ends in the middle of the request")
	case errors.As(err, &syntax):
		return badRequest("bad JSON at byte %d: %v", syntax.Offset, err)
	case errors.As(err, &typ):
		if typ.Value == "number" || strings.HasPrefix(typ.Value, "number ") {
			// A number float32 cannot hold (such as 1e39): it would be ±Inf.
			return badRequest("inputs: %s is not a finite float32 (at byte %d)", typ.Value, typ.Offset)
		}
		where := "the request"
		if typ.Field != "" {
			where = typ.Field
		}
		return badRequest(`bad JSON: %s as %s (at byte %d); want {"inputs": [[numbers...], ...]}`, typ.Value, where, typ.Offset)
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return badRequest("bad JSON: %s", strings.TrimPrefix(err.Error(), "json: ")) // unknown fields and the like
}

// run checks the rows and runs the network on them.
func (h *Handler) run(net *layers.Network, rows [][]float32, image bool) (*Response, error) {
	if len(rows) == 0 {
		return nil, badRequest(`no inputs: send {"inputs": [[...], ...]} with at least one row`)
	}
	if len(rows) > h.opts.MaxBatch {
		return nil, badRequest("%d rows in one request; at most %d", len(rows), h.opts.MaxBatch)
	}
	x, err := net.InputMatrix(rows) // wrong widths, NaN and Inf are errors here
	if err != nil {
		return nil, badRequest("%s", strings.TrimPrefix(err.Error(), "layers: "))
	}
	probs := mat.New(len(rows), net.Outputs())
	start := time.Now()
	net.Predict(probs, x)
	h.metrics.inference(time.Since(start))
	resp := &Response{Classes: make([]int, len(rows)), Probabilities: make([][]float32, len(rows))}
	mat.ArgmaxRows(resp.Classes, probs)
	for i := range rows {
		resp.Probabilities[i] = probs.Row(i)
	}
	if image {
		resp.Inputs = rows
	}
	return resp, nil
}

// runImage decodes an image, converts it with mnist.FromImage and runs the
// network on it. The image's size is checked from its header first, and
// only a few images are decoded at once (see Handler.images).
func (h *Handler) runImage(ctx context.Context, net *layers.Network, data []byte) (*Response, error) {
	if net.Inputs() != mnist.Pixels {
		return nil, badRequest("the network takes %d inputs; images need a network of %d (28×28 pixels)", net.Inputs(), mnist.Pixels)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, badRequest("image: not a PNG, JPEG or GIF we can read: %v", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > h.opts.MaxImagePixels/max(1, cfg.Height) {
		return nil, badRequest("image: %s of %d×%d pixels; at most %d pixels", format, cfg.Width, cfg.Height, h.opts.MaxImagePixels)
	}
	select {
	case h.images <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	row := make([]float32, mnist.Pixels)
	err = convertImage(row, data, format)
	<-h.images
	if err != nil {
		return nil, err
	}
	return h.run(net, [][]float32{row}, true)
}

// fileFromMultipart returns the contents of the first file of a form.
func fileFromMultipart(mr *multipart.Reader) ([]byte, error) {
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, badRequest("multipart form holds no file: send the image as a file field")
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, err
			}
			return nil, badRequest("multipart form: %v", err)
		}
		if part.FileName() == "" {
			continue
		}
		return io.ReadAll(part)
	}
}

// convertImage decodes an image and converts it into MNIST form in row.
func convertImage(row []float32, data []byte, format string) error {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return badRequest("image: %s: %v", format, err)
	}
	if err := mnist.FromImage(row, img); err != nil {
		return badRequest("image: %v", err)
	}
	return nil
}

// readAll reads the body into a buffer of the declared length when there
// is one (within the limit), saving io.ReadAll's regrowing; net/http ends
// such a body after exactly that many bytes.
func readAll(body io.Reader, declared, limit int64) ([]byte, error) {
	if declared <= 0 || declared > limit {
		return io.ReadAll(body)
	}
	buf := make([]byte, declared)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, err
	}
	return buf, nil
}
