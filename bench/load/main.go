// Command load measures how fast `mlp serve` answers: it serves a model on
// a loopback port (or targets a server given with -url, loopback only),
// runs 1, 8 and 64 concurrent clients for a fixed time each, each client
// posting one 784-pixel row at a time as JSON, while a CPU hog busies
// other cores, and prints requests/s, the latency median and 99th
// percentile, and the errors at each level.
//
// It also reads the server's /metrics before and after each level and
// prints how much of the handler's time went to the network itself
// (mlp_inference_seconds_total) and how much to HTTP and JSON. With
// -cpuprofile it writes a CPU profile whose samples carry the label
// side=server or side=client, for
//
//	go tool pprof -tagfocus side=server -top load PROFILE
//
// Usage:
//
//	go run ./bench/load -model mnist.gmlp [-clients 1,8,64] [-duration 3s] [-hog 1]
//
// It stops by itself: the whole run is bounded by the levels' durations
// plus a minute.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/serve"
	"github.com/gomlp/gomlp/train"
)

func main() {
	if n, _ := strconv.Atoi(os.Getenv("GOMLP_LOAD_HOG")); n > 0 {
		hog(n)
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type config struct {
	model, target, data, profile string
	clients                      []int
	duration                     time.Duration
	hogs                         int
}

func run() error {
	var cfg config
	var clients string
	flag.StringVar(&cfg.model, "model", "mnist.gmlp", "the checkpoint to serve")
	flag.StringVar(&cfg.target, "url", "", "measure this running server (loopback only) instead of serving -model here")
	flag.StringVar(&cfg.data, "data", "", "directory holding the MNIST files (default: $MNIST_DIR or the cache; random pixels if absent)")
	flag.StringVar(&clients, "clients", "1,8,64", "concurrent client counts, one level each")
	flag.DurationVar(&cfg.duration, "duration", 3*time.Second, "measured time per level (after a short warm-up)")
	flag.IntVar(&cfg.hogs, "hog", 1, "busy-looping threads in a separate process while measuring (0: none)")
	flag.StringVar(&cfg.profile, "cpuprofile", "", "write a CPU profile of this process (labelled side=server/client) here")
	flag.Parse()
	for _, f := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("-clients %q: want counts in 1..1024", clients)
		}
		cfg.clients = append(cfg.clients, n)
	}
	if cfg.duration <= 0 || cfg.duration > time.Minute {
		return fmt.Errorf("-duration %v: want up to a minute", cfg.duration)
	}
	limit := time.Duration(len(cfg.clients))*(cfg.duration+time.Second) + time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()

	base := cfg.target
	if base == "" {
		var err error
		if base, err = serveHere(ctx, cfg.model); err != nil {
			return err
		}
	} else if err := loopbackOnly(base); err != nil {
		return err
	}
	bodies, source := requestBodies(cfg.data)

	if cfg.hogs > 0 {
		stop, err := startHog(cfg.hogs, limit)
		if err != nil {
			return err
		}
		defer stop()
	}
	if cfg.profile != "" {
		f, err := os.Create(cfg.profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	fmt.Printf("load: %s, inputs: %s, %d CPUs (GOMAXPROCS %d), CPU hog: %d threads, %v per level\n",
		base, source, runtime.NumCPU(), runtime.GOMAXPROCS(0), cfg.hogs, cfg.duration)
	fmt.Println("| clients | requests/s | p50 | p99 | errors | inference share of handler time | inference per request |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	failed := false
	for _, n := range cfg.clients {
		before, err := scrape(ctx, base)
		if err != nil {
			return err
		}
		res := measure(ctx, base, bodies, n, cfg.duration)
		after, err := scrape(ctx, base)
		if err != nil {
			return err
		}
		infer := after.inference - before.inference
		handler := after.handlerSum - before.handlerSum
		reqs := after.handlerCount - before.handlerCount
		fmt.Printf("| %d | %.0f | %s | %s | %d | %.0f%% | %s |\n", n, res.rate, ms(res.p50), ms(res.p99), res.errors,
			100*infer/max(handler, 1e-12), us(infer/max(reqs, 1)))
		if res.errors > 0 {
			failed = true
			fmt.Println("first error:", res.firstErr)
		}
	}
	if failed {
		return errors.New("some requests failed")
	}
	return nil
}

// serveHere serves the model on a loopback port in this process; the
// server's goroutines carry the profile label side=server.
func serveHere(ctx context.Context, path string) (string, error) {
	c, err := ckpt.Load(path)
	if err != nil {
		return "", err
	}
	net0, err := train.LoadNetwork(c)
	if err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	h, err := serve.New(net0, serve.Options{})
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go pprof.Do(ctx, pprof.Labels("side", "server"), func(ctx context.Context) {
		serve.Serve(ctx, ln, h)
	})
	return "http://" + ln.Addr().String(), nil
}

func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	ip := net.ParseIP(u.Hostname())
	if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-url %s: only loopback addresses", raw)
	}
	return nil
}

// requestBodies encodes one JSON request per input row in advance, so the
// clients spend as little as possible of the shared CPUs.
func requestBodies(dir string) ([][]byte, string) {
	const n = 512
	rows := make([][]float32, n)
	source := "random pixels"
	_, test, err := mnist.Load(context.Background(), mnist.Options{Dir: dir})
	if err == nil {
		source = "MNIST test digits"
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range rows {
		if err == nil {
			rows[i] = test.X.Row(i)
			continue
		}
		rows[i] = make([]float32, mnist.Pixels)
		for j := range rows[i] {
			rows[i][j] = rng.Float32()
		}
	}
	bodies := make([][]byte, n)
	for i, r := range rows {
		bodies[i], _ = json.Marshal(serve.Request{Inputs: [][]float32{r}})
	}
	return bodies, source
}

type result struct {
	rate     float64
	p50, p99 time.Duration
	errors   int
	firstErr string
}

// measure runs n clients for a warm-up and then for d, recording the
// latency of every request that started in the measured window.
func measure(ctx context.Context, base string, bodies [][]byte, n int, d time.Duration) result {
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: n, DisableCompression: true},
		Timeout:   10 * time.Second,
	}
	defer client.CloseIdleConnections()
	warm := time.Now().Add(300 * time.Millisecond)
	end := warm.Add(d)
	var mu sync.Mutex
	var lat []time.Duration
	var errs int
	var firstErr string
	var wg sync.WaitGroup
	for c := 0; c < n; c++ {
		wg.Add(1)
		go pprof.Do(ctx, pprof.Labels("side", "client"), func(ctx context.Context) {
			defer wg.Done()
			var mine []time.Duration
			bad, why := 0, ""
			for i := c; ctx.Err() == nil; i += n {
				start := time.Now()
				if start.After(end) {
					break
				}
				err := post(ctx, client, base, bodies[i%len(bodies)])
				if start.Before(warm) {
					continue
				}
				if err != nil {
					bad++
					if why == "" {
						why = err.Error()
					}
					continue
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			if firstErr == "" {
				firstErr = why
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	r := result{rate: float64(len(lat)) / d.Seconds(), errors: errs, firstErr: firstErr}
	if len(lat) > 0 {
		r.p50 = lat[len(lat)/2]
		r.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return r
}

func post(ctx context.Context, client *http.Client, base string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/v1/predict", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(b, []byte(`{"classes":[`)) {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	return nil
}

// counters are the server's metrics that the split needs.
type counters struct {
	inference, handlerSum, handlerCount float64
}

func scrape(ctx context.Context, base string) (counters, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return counters{}, err
	}
	defer resp.Body.Close()
	var c counters
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "mlp_inference_seconds_total":
			c.inference = v
		case `mlp_http_request_duration_seconds_sum{route="/v1/predict"}`:
			c.handlerSum = v
		case `mlp_http_request_duration_seconds_count{route="/v1/predict"}`:
			c.handlerCount = v
		}
	}
	return c, sc.Err()
}

// startHog runs n busy threads in a child process of this program; the
// child also stops by itself after limit.
func startHog(n int, limit time.Duration) (stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "GOMLP_LOAD_HOG="+strconv.Itoa(n), "GOMLP_LOAD_HOG_LIMIT="+limit.String())
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return func() { cmd.Process.Kill(); cmd.Wait() }, nil
}

// hog spins n threads until its time limit.
func hog(n int) {
	limit, err := time.ParseDuration(os.Getenv("GOMLP_LOAD_HOG_LIMIT"))
	if err != nil {
		limit = 2 * time.Minute
	}
	runtime.GOMAXPROCS(n)
	for i := 0; i < n; i++ {
		go func() {
			x := uint64(i)
			for {
				x = x*6364136223846793005 + 1442695040888963407
			}
		}()
	}
	time.Sleep(limit)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func us(s float64) string { return fmt.Sprintf("%.0f µs", s*1e6) }
