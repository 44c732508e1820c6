package serve

import (
	"bufio"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The routes the metrics tell apart; anything else counts as "other".
var routes = []string{"/", "/v1/predict", "/healthz", "/metrics", "other"}

func routeOf(path string) string {
	if path != "other" && slices.Contains(routes, path) {
		return path
	}
	return "other"
}

// latencyBuckets are the upper bounds, in seconds, of the request duration
// histogram: from 0.25 ms (an inference alone) to 2.5 s.
var latencyBuckets = []float64{0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// metrics counts what the handler did. A mutex guards the maps: one lock
// per request costs nothing beside decoding its JSON.
type metrics struct {
	mu          sync.Mutex
	requests    map[routeCode]uint64
	buckets     map[string][]uint64 // per route, cumulative counts are formed when written
	sum         map[string]float64
	count       map[string]uint64
	classes     map[int]uint64
	inferenceNs atomic.Int64
	reloads     atomic.Uint64
}

type routeCode struct {
	route string
	code  int
}

func newMetrics() *metrics {
	return &metrics{
		requests: map[routeCode]uint64{},
		buckets:  map[string][]uint64{},
		sum:      map[string]float64{},
		count:    map[string]uint64{},
		classes:  map[int]uint64{},
	}
}

func (m *metrics) observe(route string, code int, d time.Duration) {
	s := d.Seconds()
	i, _ := slices.BinarySearch(latencyBuckets, s) // first bound >= s
	m.mu.Lock()
	m.requests[routeCode{route, code}]++
	b := m.buckets[route]
	if b == nil {
		b = make([]uint64, len(latencyBuckets)+1) // the last is +Inf only
		m.buckets[route] = b
	}
	b[i]++
	m.sum[route] += s
	m.count[route]++
	m.mu.Unlock()
}

func (m *metrics) countClasses(classes []int) {
	m.mu.Lock()
	for _, c := range classes {
		m.classes[c]++
	}
	m.mu.Unlock()
}

func (m *metrics) inference(d time.Duration) { m.inferenceNs.Add(int64(d)) }

// serve writes the metrics in the Prometheus text exposition format 0.0.4.
func (m *metrics) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	m.write(bw)
}

func (m *metrics) write(w *bufio.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

	fmt.Fprintln(w, "# HELP mlp_http_requests_total HTTP requests answered, by route and status code.")
	fmt.Fprintln(w, "# TYPE mlp_http_requests_total counter")
	keys := make([]routeCode, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b routeCode) int {
		if a.route != b.route {
			return strings.Compare(a.route, b.route)
		}
		return a.code - b.code
	})
	errs := map[string]uint64{}
	for _, k := range keys {
		fmt.Fprintf(w, "mlp_http_requests_total{route=%q,code=\"%d\"} %d\n", k.route, k.code, m.requests[k])
		if k.code >= 400 {
			errs[k.route] += m.requests[k]
		}
	}

	fmt.Fprintln(w, "# HELP mlp_http_errors_total HTTP requests answered with a 4xx or 5xx status, by route.")
	fmt.Fprintln(w, "# TYPE mlp_http_errors_total counter")
	for _, route := range routes {
		if _, seen := m.count[route]; seen {
			fmt.Fprintf(w, "mlp_http_errors_total{route=%q} %d\n", route, errs[route])
		}
	}

	fmt.Fprintln(w, "# HELP mlp_http_request_duration_seconds Time from routing a request to its answer, by route.")
	fmt.Fprintln(w, "# TYPE mlp_http_request_duration_seconds histogram")
	for _, route := range routes {
		b, seen := m.buckets[route]
		if !seen {
			continue
		}
		var cum uint64
		for i, le := range latencyBuckets {
			cum += b[i]
			fmt.Fprintf(w, "mlp_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", route, f(le), cum)
		}
		fmt.Fprintf(w, "mlp_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, m.count[route])
		fmt.Fprintf(w, "mlp_http_request_duration_seconds_sum{route=%q} %s\n", route, f(m.sum[route]))
		fmt.Fprintf(w, "mlp_http_request_duration_seconds_count{route=%q} %d\n", route, m.count[route])
	}

	fmt.Fprintln(w, "# HELP mlp_predictions_total Predicted classes, one per input row.")
	fmt.Fprintln(w, "# TYPE mlp_predictions_total counter")
	classes := make([]int, 0, len(m.classes))
	for c := range m.classes {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	for _, c := range classes {
		fmt.Fprintf(w, "mlp_predictions_total{class=\"%d\"} %d\n", c, m.classes[c])
	}

	fmt.Fprintln(w, "# HELP mlp_inference_seconds_total Time spent running the network, the rest of a request's time is HTTP and JSON.")
	fmt.Fprintln(w, "# TYPE mlp_inference_seconds_total counter")
	fmt.Fprintf(w, "mlp_inference_seconds_total %s\n", f(time.Duration(m.inferenceNs.Load()).Seconds()))

	fmt.Fprintln(w, "# HELP mlp_model_reloads_total Times the served network was replaced.")
	fmt.Fprintln(w, "# TYPE mlp_model_reloads_total counter")
	fmt.Fprintf(w, "mlp_model_reloads_total %d\n", m.reloads.Load())
}
