package main

import (
	"context"
	"testing"
	"time"
)

// A short run against the small model the serve package embeds in its
// example: every request answered, the counters read back.
func TestMeasureAgainstServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, err := serveHere(ctx, "../../serve/testdata/digits-784-32-10.gmlp")
	if err != nil {
		t.Fatal(err)
	}
	bodies, _ := requestBodies("")
	before, err := scrape(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	res := measure(ctx, base, bodies, 4, 200*time.Millisecond)
	after, err := scrape(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if res.errors != 0 || res.rate <= 0 || res.p50 > res.p99 {
		t.Errorf("result %+v", res)
	}
	if after.handlerCount <= before.handlerCount || after.inference <= before.inference || after.handlerSum < after.inference {
		t.Errorf("counters before %+v, after %+v", before, after)
	}
}

func TestLoopbackOnly(t *testing.T) {
	for url, ok := range map[string]bool{
		"http://127.0.0.1:8080": true, "http://[::1]:80": true, "http://localhost:1": true,
		"http://8.8.8.8:80": false, "http://example.com": false,
	} {
		if err := loopbackOnly(url); (err == nil) != ok {
			t.Errorf("%s: %v", url, err)
		}
	}
}
