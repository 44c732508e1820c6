package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/layers"
	"github.com/gomlp/gomlp/mat"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/sgd"
	"github.com/gomlp/gomlp/train"
)

// servedModel is the network the browser test serves: the checkpoint at
// $GOMLP_SERVE_MODEL, or 784-256-10 trained here for three epochs.
func servedModel(t *testing.T) *layers.Network {
	if path := os.Getenv("GOMLP_SERVE_MODEL"); path != "" {
		c, err := ckpt.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		net, err := train.LoadNetwork(c)
		if err != nil {
			t.Fatal(err)
		}
		return net
	}
	if runtime.GOARCH != "amd64" || mat.Impl() == "generic" {
		t.Skip("trains a network: needs the amd64 assembly kernels (or set GOMLP_SERVE_MODEL)")
	}
	all, _, err := mnist.Load(context.Background(), mnist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	net, err := layers.NewSpec(mnist.Pixels, []int{256}, mnist.NumClasses).Build(1)
	if err != nil {
		t.Fatal(err)
	}
	const epochs = 3
	opt, err := sgd.New(net.Params(), sgd.Config{Method: sgd.Momentum, LR: 0.2, Momentum: 0.9, WeightDecay: 5e-4,
		Schedule: sgd.Cosine(epochs*(all.Len()+127)/128, 0)})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := train.New(net, opt, train.Config{Epochs: epochs, BatchSize: 128})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(context.Background(), train.Dataset(all), train.Dataset{}); err != nil {
		t.Fatal(err)
	}
	return net
}

// startChromium runs headless Chromium on url and returns a DevTools
// client attached to the page.
func startChromium(t *testing.T, bin, pageURL string) *cdp {
	profile := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
		"--user-data-dir="+profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--window-size=800,720", "--hide-scrollbars", pageURL)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	// Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`DevTools listening on (ws://\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		for sc.Scan() { // keep draining so Chromium never blocks on a full pipe
		}
	}()
	var browserURL string
	select {
	case browserURL = <-found:
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("chromium did not start its DevTools server within a minute")
	}
	// Closing the browser through DevTools ends all its processes, so the
	// profile directory can be removed; killing is the fallback.
	t.Cleanup(func() {
		if ws, err := dialWS(browserURL); err == nil {
			(&cdp{ws: ws}).call("Browser.close", nil, nil)
			ws.Close()
		}
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
		}
		cancel()
		<-exited
	})
	host := strings.TrimPrefix(browserURL, "ws://")
	host = host[:strings.IndexByte(host, '/')]
	// The page target that loads our URL.
	var wsURL string
	for deadline := time.Now().Add(30 * time.Second); wsURL == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + host + "/json/list")
		if err != nil {
			continue
		}
		var targets []struct {
			Type, URL, WebSocketDebuggerURL string
		}
		json.NewDecoder(resp.Body).Decode(&targets)
		resp.Body.Close()
		for _, tg := range targets {
			if tg.Type == "page" && strings.HasPrefix(tg.URL, pageURL) {
				wsURL = tg.WebSocketDebuggerURL
			}
		}
	}
	if wsURL == "" {
		t.Fatal("no page target for " + pageURL)
	}
	ws, err := dialWS(wsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &cdp{ws: ws}
}

// strokes turns a 28×28 digit into pen strokes: one horizontal stroke per
// run of ink in each pixel row, each a list of points in digit pixels.
func digitStrokes(px []float32) [][][2]float64 {
	var out [][][2]float64
	for y := 0; y < mnist.Width; y++ {
		for x := 0; x < mnist.Width; {
			if px[y*mnist.Width+x] < 0.5 {
				x++
				continue
			}
			start := x
			for x < mnist.Width && px[y*mnist.Width+x] >= 0.5 {
				x++
			}
			var s [][2]float64
			for xx := start; xx < x; xx++ {
				s = append(s, [2]float64{float64(xx) + 0.5, float64(y) + 0.5})
			}
			out = append(out, s)
		}
	}
	return out
}

// The page in a real browser: draw ten real test digits stroke by stroke
// with the mouse, read the answer the page shows, clear between digits,
// and take a screenshot that must not be blank.
//
// It runs when $GOMLP_BROWSER names a Chromium binary (see
// .ci/checks/60-serve.sh); the MNIST files must be in $MNIST_DIR or the
// cache. $GOMLP_SCREENSHOT, if set, is where the screenshot is written.
func TestBrowserDrawsDigits(t *testing.T) {
	bin := os.Getenv("GOMLP_BROWSER")
	if bin == "" {
		t.Skip("set GOMLP_BROWSER to a Chromium binary to run the page in a browser")
	}
	net := servedModel(t)
	_, test, err := mnist.Load(context.Background(), mnist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(net, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h) // 127.0.0.1
	defer srv.Close()
	page := startChromium(t, bin, srv.URL+"/")

	// Wait for the page's script, then find the drawing pad.
	var pad struct{ Left, Top, Width, Height float64 }
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		err := page.eval(`(() => { if (!window.mlp) throw new Error("not ready"); const r = document.getElementById("pad").getBoundingClientRect(); return {left: r.left, top: r.top, width: r.width, height: r.height}; })()`, &pad)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	scale := pad.Width / mnist.Width

	type shown struct {
		Answer *int   `json:"answer"`
		Text   string `json:"text"`
		Seen   int    `json:"seen"` // bright pixels in the "network saw" canvas
		Bars   int    `json:"bars"` // probability bars drawn with a width
		Done   bool   `json:"done"`
	}
	read := func() shown {
		var s shown
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			err := page.eval(`(() => {
				const m = window.mlp, d = document.getElementById("seen").getContext("2d").getImageData(0, 0, 28, 28).data;
				let seen = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 128) seen++;
				const bars = [...document.querySelectorAll(".bar .fill")].filter(b => parseFloat(b.style.width) > 0).length;
				return {answer: m.answer, text: document.getElementById("answer").textContent, seen, bars, done: m.shown === m.version && !m.inflight};
			})()`, &s)
			if err != nil {
				t.Fatal(err)
			}
			if s.Done {
				return s
			}
		}
		t.Fatal("the page never caught up with the drawing")
		return s
	}

	const digits = 10
	right := 0
	for i := 0; i < digits; i++ {
		if i > 0 { // a real click on the Clear button
			var clearBtn struct{ X, Y float64 }
			if err := page.eval(`(() => { const r = document.getElementById("clear").getBoundingClientRect(); return {x: r.left + r.width/2, y: r.top + r.height/2}; })()`, &clearBtn); err != nil {
				t.Fatal(err)
			}
			page.mouse("mouseMoved", clearBtn.X, clearBtn.Y)
			page.mouse("mousePressed", clearBtn.X, clearBtn.Y)
			page.mouse("mouseReleased", clearBtn.X, clearBtn.Y)
			if s := read(); s.Answer != nil || s.Text != "" || s.Seen != 0 {
				t.Fatalf("after Clear the page still shows %+v", s)
			}
		}
		// The first digits are drawn with the mouse, the last two with a
		// finger (touch events), as on a phone.
		input := page.mouse
		if i >= digits-2 {
			input = page.touch
		}
		for _, stroke := range digitStrokes(test.X.Row(i)) {
			at := func(p [2]float64) (float64, float64) { return pad.Left + p[0]*scale, pad.Top + p[1]*scale }
			x, y := at(stroke[0])
			if err := input("mousePressed", x, y); err != nil {
				t.Fatal(err)
			}
			for _, p := range stroke[1:] {
				x, y = at(p)
				if err := input("mouseMoved", x, y); err != nil {
					t.Fatal(err)
				}
			}
			if err := input("mouseReleased", x, y); err != nil {
				t.Fatal(err)
			}
		}
		s := read()
		if s.Answer == nil || s.Text != fmt.Sprint(*s.Answer) || s.Seen < 20 || s.Bars == 0 {
			t.Fatalf("test digit %d: the page shows %+v; want an answer, bars and the 28×28 input", i, s)
		}
		verdict := "right"
		if *s.Answer == int(test.Y[i]) {
			right++
		} else {
			verdict = "WRONG"
		}
		how := "mouse"
		if i >= digits-2 {
			how = "touch"
		}
		t.Logf("test digit %d (label %d, drawn by %s): the page shows %d  %s", i, test.Y[i], how, *s.Answer, verdict)
	}
	t.Logf("the page read %d of %d drawn test digits right", right, digits)
	if right < 9 {
		t.Errorf("the page read %d of %d drawn digits right, want at least 9", right, digits)
	}

	// A screenshot of the page with the last digit, its bars and its input.
	var shot struct{ Data string }
	if err := page.call("Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := notBlank(img); err != nil {
		t.Error(err)
	}
	out := os.Getenv("GOMLP_SCREENSHOT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "serve.png")
	}
	if err := os.WriteFile(out, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %dx%d written to %s", img.Bounds().Dx(), img.Bounds().Dy(), out)
}

// notBlank reports an image that is (nearly) one colour: a page that did
// not render.
func notBlank(img image.Image) error {
	b := img.Bounds()
	colours := map[[3]uint32]bool{}
	var sum, sum2, n float64
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			v := float64(r+g+bl) / 3 / 65535
			sum, sum2, n = sum+v, sum2+v*v, n+1
		}
	}
	sd := math.Sqrt(max(0, sum2/n-(sum/n)*(sum/n)))
	if len(colours) < 16 || sd < 0.05 {
		return fmt.Errorf("screenshot looks blank: %d colours, brightness deviation %.3f", len(colours), sd)
	}
	return nil
}
