package serve_test

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gomlp/gomlp/ckpt"
	"github.com/gomlp/gomlp/mnist"
	"github.com/gomlp/gomlp/serve"
	"github.com/gomlp/gomlp/train"
)

// The model travels inside the program's binary: a weights-only checkpoint
// (written by interop.SaveNetwork, 100 KB for 784-32-10) embedded with
// go:embed and read from memory.
//
//go:embed testdata/digits-784-32-10.gmlp
var model []byte

// A service that embeds its model and mounts the handler under /digits/
// of its own mux (the page works under any prefix). A real program would
// end with serve.Serve or http.ListenAndServe("127.0.0.1:8080", mux).
func Example() {
	c, err := ckpt.Read(bytes.NewReader(model), int64(len(model)))
	if err != nil {
		log.Fatal(err)
	}
	net, err := train.LoadNetwork(c)
	if err != nil {
		log.Fatal(err)
	}
	h, err := serve.New(net, serve.Options{MaxBatch: 64})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/digits/", http.StripPrefix("/digits", h))

	srv := httptest.NewServer(mux) // a loopback server, for the example
	defer srv.Close()

	// A "1": a vertical stroke, as MNIST draws digits (light on dark).
	one := make([]float32, mnist.Pixels)
	for y := 4; y < 24; y++ {
		one[y*mnist.Width+13], one[y*mnist.Width+14] = 1, 1
	}
	body, _ := json.Marshal(serve.Request{Inputs: [][]float32{one}})
	resp, err := http.Post(srv.URL+"/digits/v1/predict", "application/json", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var out serve.Response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, "classes:", out.Classes)

	// Bad input is answered with 400 and the problem, never a panic.
	resp, err = http.Post(srv.URL+"/digits/v1/predict", "application/json", bytes.NewReader([]byte(`{"inputs": [[0.5, 0.5]]}`)))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&e)
	fmt.Println(resp.Status, e.Error)
	// Output:
	// 200 OK classes: [1]
	// 400 Bad Request input row 0 has 2 values; the network takes 784
}
