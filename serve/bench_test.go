package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/gomlp/gomlp/mnist"
)

// One 784-pixel request as MNIST's pixels print: the fast parser against
// encoding/json.
func BenchmarkDecodeRequest(b *testing.B) {
	_, test, err := mnist.Load(context.Background(), mnist.Options{})
	row := make([]float32, mnist.Pixels)
	if err == nil {
		copy(row, test.X.Row(0))
	}
	body, _ := json.Marshal(Request{Inputs: [][]float32{row}})
	b.Run("parser=fast", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, ok := parseInputs(body); !ok {
				b.Fatal("not parsed")
			}
		}
	})
	b.Run("parser=encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var req Request
			if err := decodeJSON(bytes.NewReader(body), &req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
