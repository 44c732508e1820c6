package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
)

// toyNet is an untrained 784-16-10 network: its answers are arbitrary but
// fixed by the seed, which is all these tests need.
func toyNet(t testing.TB, seed uint64) *layers.Network {
	net, err := layers.NewSpec(mnist.Pixels, []int{16}, mnist.NumClasses).Build(seed)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func newHandler(t testing.TB, opts Options) *Handler {
	h, err := New(toyNet(t, 1), opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// do sends one request to h and returns the status and body.
func do(h http.Handler, method, path, contentType string, body []byte) (int, []byte) {
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

func rowsJSON(rows, width int, v string) []byte {
	row := strings.TrimSuffix(strings.Repeat(v+",", width), ",")
	all := strings.TrimSuffix(strings.Repeat("["+row+"],", rows), ",")
	return []byte(`{"inputs": [` + all + `]}`)
}

func pngOf(t testing.TB, img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// digitImage is a dark bar (a "1") on light paper.
func digitImage(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := uint8(235)
			if x > w*45/100 && x < w*55/100 && y > h/6 && y < h*5/6 {
				c = 20
			}
			img.SetGray(x, y, color.Gray{c})
		}
	}
	return img
}

func TestBadRequestsAreNamed(t *testing.T) {
	h := newHandler(t, Options{MaxBatch: 4, MaxBodyBytes: 1 << 16, MaxImagePixels: 100 * 100})
	js := "application/json"
	for _, tc := range []struct {
		name, method, ctype string
		body                []byte
		code                int
		want                string // in the error message
	}{
		{"empty", "POST", js, nil, 400, "empty body"},
		{"syntax", "POST", js, []byte(`{"inputs": [[1, 2,]]}`), 400, "bad JSON at byte"},
		{"NaN literal", "POST", js, []byte(`{"inputs": [[NaN]]}`), 400, "bad JSON"},
		{"truncated", "POST", js, []byte(`{"inputs": [[1, 2`), 400, "ends in the middle"},
		{"trailing", "POST", js, []byte(`{"inputs": [[1]]} {}`), 400, "more data after"},
		{"not an object", "POST", js, []byte(`[1, 2]`), 400, "want {\"inputs\""},
		{"string value", "POST", js, []byte(`{"inputs": [["0.5"]]}`), 400, "string as inputs"},
		{"unknown field", "POST", js, []byte(`{"input": [[1]]}`), 400, `unknown field "input"`},
		{"no rows", "POST", js, []byte(`{"inputs": []}`), 400, "no inputs"},
		{"null", "POST", js, []byte(`null`), 400, "no inputs"},
		{"narrow row", "POST", js, rowsJSON(1, 783, "0"), 400, "input row 0 has 783 values; the network takes 784"},
		{"wide second row", "POST", js, append(rowsJSON(1, 784, "0")[:len(rowsJSON(1, 784, "0"))-2], []byte(`,[`+strings.Repeat("0,", 784)+`0]]}`)...), 400, "input row 1 has 785 values"},
		{"overflows float32", "POST", js, []byte(`{"inputs": [[1e39]]}`), 400, "not a finite float32"},
		{"overflows float64", "POST", js, []byte(`{"inputs": [[1e999]]}`), 400, "not a finite float32"},
		{"batch too large", "POST", js, rowsJSON(5, 784, "0"), 400, "5 rows in one request; at most 4"},
		{"body too large", "POST", js, rowsJSON(4, 784, "0.12345678901234567890"), 413, "larger than 65536 bytes"},
		{"content type", "POST", "text/plain", []byte("1 2 3"), 415, "text/plain"},
		{"bad content type", "POST", "a/b; c", []byte("x"), 400, "Content-Type"},
		{"not an image", "POST", "image/png", []byte("plain words, no image"), 400, "not a PNG, JPEG or GIF"},
		{"blank image", "POST", "image/png", pngOf(t, image.NewGray(image.Rect(0, 0, 30, 30))), 400, "no contrast"},
		{"image too large", "POST", "image/png", pngOf(t, image.NewGray(image.Rect(0, 0, 101, 100))), 400, "101×100 pixels; at most 10000"},
		{"multipart without file", "POST", "multipart/form-data; boundary=xx", []byte("--xx\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xx--\r\n"), 400, "no file"},
		{"multipart broken", "POST", "multipart/form-data; boundary=xx", []byte("garbage"), 400, "multipart form"},
		{"GET predict", "GET", "", nil, 405, "use POST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(h, tc.method, "/v1/predict", tc.ctype, tc.body)
			var e errorBody
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("status %d, body %q is not a JSON error: %v", code, body, err)
			}
			if code != tc.code || !strings.Contains(e.Error, tc.want) {
				t.Errorf("status %d, error %q; want %d and an error containing %q", code, e.Error, tc.code, tc.want)
			}
		})
	}
}

func TestPredictJSONMatchesNetwork(t *testing.T) {
	h := newHandler(t, Options{})
	x := mat.New(3, mnist.Pixels)
	for i := range x.Data {
		x.Data[i] = float32(i%251) / 251
	}
	req := Request{Inputs: [][]float32{x.Row(0), x.Row(1), x.Row(2)}}
	body, _ := json.Marshal(req)
	code, out := do(h, "POST", "/v1/predict", "application/json", body)
	if code != 200 {
		t.Fatalf("status %d: %s", code, out)
	}
	var resp Response
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	want := mat.New(3, mnist.NumClasses)
	h.Network().Predict(want, x)
	classes := make([]int, 3)
	mat.ArgmaxRows(classes, want)
	if fmt.Sprint(resp.Classes) != fmt.Sprint(classes) || len(resp.Probabilities) != 3 || resp.Inputs != nil {
		t.Fatalf("response %+v; want classes %v", resp, classes)
	}
	for i := range 3 {
		for j, p := range resp.Probabilities[i] {
			if p != want.At(i, j) {
				t.Errorf("probability [%d][%d] = %v, want %v", i, j, p, want.At(i, j))
			}
		}
	}
}

func TestPredictImage(t *testing.T) {
	h := newHandler(t, Options{})
	img := pngOf(t, digitImage(90, 120))
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("note", "a field before the file")
	fw, _ := mw.CreateFormFile("image", "one.png")
	fw.Write(img)
	mw.Close()
	for name, req := range map[string]struct {
		ctype string
		body  []byte
	}{
		"png body":  {"image/png", img},
		"multipart": {mw.FormDataContentType(), form.Bytes()},
	} {
		code, out := do(h, "POST", "/v1/predict", req.ctype, req.body)
		var resp Response
		if err := json.Unmarshal(out, &resp); err != nil || code != 200 {
			t.Fatalf("%s: status %d, %s (%v)", name, code, out, err)
		}
		if len(resp.Classes) != 1 || len(resp.Probabilities[0]) != 10 || len(resp.Inputs) != 1 || len(resp.Inputs[0]) != mnist.Pixels {
			t.Fatalf("%s: response shapes: %d classes, %d inputs", name, len(resp.Classes), len(resp.Inputs))
		}
		want := make([]float32, mnist.Pixels)
		mnist.FromImage(want, digitImage(90, 120))
		if fmt.Sprint(want) != fmt.Sprint(resp.Inputs[0]) {
			t.Errorf("%s: the inputs shown are not FromImage's", name)
		}
	}
	// An image needs a network that takes 28×28 pixels.
	small, _ := layers.NewSpec(3, nil, 2).Build(1)
	h2, err := New(small, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if code, out := do(h2, "POST", "/v1/predict", "image/png", img); code != 400 || !strings.Contains(string(out), "network takes 3 inputs") {
		t.Errorf("image to a 3-input network: %d %s", code, out)
	}
}

func TestPageHealthAndMetrics(t *testing.T) {
	h := newHandler(t, Options{})
	code, body := do(h, "GET", "/", "", nil)
	if code != 200 || !bytes.Contains(body, []byte("<canvas id=\"pad\"")) || bytes.Contains(body, []byte("http")) && bytes.Contains(body, []byte("<script src")) {
		t.Errorf("GET /: %d, %d bytes", code, len(body))
	}
	if code, _ := do(h, "GET", "/nothing", "", nil); code != 404 {
		t.Errorf("GET /nothing: %d", code)
	}
	code, body = do(h, "GET", "/healthz", "", nil)
	if code != 200 || !bytes.Contains(body, []byte(`"status":"ok"`)) {
		t.Errorf("GET /healthz: %d %s", code, body)
	}
	do(h, "POST", "/v1/predict", "application/json", rowsJSON(2, 784, "0"))
	do(h, "POST", "/v1/predict", "application/json", []byte("{"))
	_, body = do(h, "GET", "/metrics", "", nil)
	text := string(body)
	var resp Response
	_, out := do(h, "POST", "/v1/predict", "application/json", rowsJSON(1, 784, "0"))
	json.Unmarshal(out, &resp)
	for _, want := range []string{
		`mlp_http_requests_total{route="/v1/predict",code="200"} 1`,
		`mlp_http_requests_total{route="/v1/predict",code="400"} 1`,
		`mlp_http_requests_total{route="other",code="404"} 1`,
		`mlp_http_errors_total{route="/v1/predict"} 1`,
		`mlp_http_request_duration_seconds_bucket{route="/v1/predict",le="+Inf"} 2`,
		`mlp_http_request_duration_seconds_count{route="/v1/predict"} 2`,
		fmt.Sprintf(`mlp_predictions_total{class="%d"} 2`, resp.Classes[0]),
		"# TYPE mlp_http_request_duration_seconds histogram",
		"mlp_model_reloads_total 0",
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
	// Every line is a comment or "name{labels} value".
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(line, "# ") && len(strings.Fields(line)) != 2 {
			t.Errorf("metrics line %q", line)
		}
	}
}

// Replacing the network under load drops nothing: every request gets 200
// and an answer from one of the two networks.
func TestSetNetworkUnderLoad(t *testing.T) {
	a, b := toyNet(t, 1), toyNet(t, 2)
	h, err := New(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := mat.New(1, mnist.Pixels)
	for i := range x.Data {
		x.Data[i] = float32(i%7) / 7
	}
	answers := map[float32]bool{}
	for _, n := range []*layers.Network{a, b} {
		p := mat.New(1, 10)
		n.Predict(p, x)
		answers[p.Data[0]] = true
	}
	body, _ := json.Marshal(Request{Inputs: [][]float32{x.Row(0)}})
	stop := make(chan struct{})
	var swaps sync.WaitGroup
	swaps.Add(1)
	go func() {
		defer swaps.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := h.SetNetwork([]*layers.Network{a, b}[i%2]); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var clients sync.WaitGroup
	for range 4 {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for range 100 {
				code, out := do(h, "POST", "/v1/predict", "application/json", body)
				var resp Response
				if err := json.Unmarshal(out, &resp); code != 200 || err != nil || !answers[resp.Probabilities[0][0]] {
					t.Errorf("status %d, %s", code, out)
					return
				}
			}
		}()
	}
	clients.Wait()
	close(stop)
	swaps.Wait()
	if h.reloads.Load() == 0 {
		t.Error("no reload happened")
	}
	if err := h.SetNetwork(nil); err == nil || h.Network() == nil {
		t.Error("SetNetwork(nil) was accepted")
	}
}

// Serve answers until its context ends, lets a request in flight finish,
// then returns nil.
func TestServeShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(inside)
		<-release
		io.WriteString(w, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, slow) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-inside
	cancel() // shutdown begins while the request is in flight
	close(release)
	if s := <-got; s != "finished" {
		t.Errorf("request in flight during shutdown got %q", s)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("still accepting after shutdown")
	}
}

// No body makes the handler panic or answer 5xx.
func FuzzPredict(f *testing.F) {
	f.Add("application/json", []byte(`{"inputs": [[1, 2, 3]]}`))
	f.Add("application/json", rowsJSON(1, 784, "0.5"))
	f.Add("image/png", pngOf(f, digitImage(20, 20)))
	f.Add("multipart/form-data; boundary=b", []byte("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\n\r\n\x89PNG\r\n--b--\r\n"))
	h := newHandler(f, Options{MaxBatch: 8, MaxBodyBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		code, out := do(h, "POST", "/v1/predict", ctype, body)
		if code >= 500 || code != 200 && !json.Valid(out) {
			t.Fatalf("status %d, body %q", code, out)
		}
	})
}

// The fast request parser accepts only what encoding/json accepts, and
// reads the same values.
func FuzzParseInputs(f *testing.F) {
	for _, s := range []string{
		`{"inputs": [[1, 2.5, -3e-2], [0, 1E+3]]}`, `{"inputs":[]}`, `{"inputs": [[]]}`, ` {"inputs" : [ [ 0.1 ] ] } `,
		`{"inputs": [[01]]}`, `{"inputs": [[1e39]]}`, `{"inputs": [[1.]]}`, `{"inputs": [[-]]}`, `{"Inputs": [[1]]}`,
		`{"inputs": [[1]], "x": 1}`, `{"inputs": [[1]]} x`, `{"inputs": [[1e-50, 0.30000001192092896]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, ok := parseInputs(b)
		if !ok {
			return
		}
		var req Request
		if err := decodeJSON(bytes.NewReader(b), &req); err != nil {
			t.Fatalf("fast parser accepted %q, encoding/json says %v", b, err)
		}
		if len(rows) != len(req.Inputs) {
			t.Fatalf("%q: %d rows, encoding/json %d", b, len(rows), len(req.Inputs))
		}
		for i := range rows {
			if fmt.Sprint(rows[i]) != fmt.Sprint(req.Inputs[i]) {
				t.Fatalf("%q row %d: %v, encoding/json %v", b, i, rows[i], req.Inputs[i])
			}
		}
	})
}

// What Go's encoding/json (and JavaScript's JSON.stringify) write takes the
// fast path.
func TestParseInputsTakesCommonRequests(t *testing.T) {
	body, _ := json.Marshal(Request{Inputs: [][]float32{{0, 0.1, 1, 0.003921569, -2.5e-8}, {1e30}}})
	for _, b := range [][]byte{body, rowsJSON(3, 784, "0.5"), []byte("{\n  \"inputs\": [\n    [0.25, 1]\n  ]\n}\n")} {
		if _, ok := parseInputs(b); !ok {
			t.Errorf("%.80s... not taken by the fast parser", b)
		}
	}
}
