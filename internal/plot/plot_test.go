package plot

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestSVGIsWellFormedWithAxesAndLegend(t *testing.T) {
	var buf bytes.Buffer
	err := SVG(&buf, "epoch",
		Panel{Title: "Loss", YLabel: "cross-entropy", Series: []Series{
			{Name: "train", Y: []float64{0.9, 0.4, 0.2, 0.15}},
			{Name: "validation", Y: []float64{0.5, math.NaN(), 0.25, 0.22}},
		}},
		Panel{Title: "Accuracy", YLabel: "% correct", Series: []Series{
			{Name: "train <&>", Y: []float64{90, 95, 97.5, 98}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	texts := map[string]bool{}
	lines := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, buf.String())
		}
		switch tok := tok.(type) {
		case xml.CharData:
			texts[strings.TrimSpace(string(tok))] = true
		case xml.StartElement:
			if tok.Name.Local == "polyline" {
				lines++
			}
		}
	}
	for _, want := range []string{"Loss", "Accuracy", "epoch", "train", "validation", "train <&>", "cross-entropy", "% correct", "0.2", "98"} {
		if !texts[want] {
			t.Errorf("no text %q in the SVG", want)
		}
	}
	// 2 axes + train line + validation split by NaN into 2 + accuracy line.
	if lines != 6 {
		t.Errorf("%d polylines, want 6", lines)
	}
}

func TestNiceTicks(t *testing.T) {
	got := niceTicks(0.13, 0.92, 6, 0)
	if got[0] > 0.13 || got[len(got)-1] < 0.92 {
		t.Errorf("ticks %v do not cover [0.13, 0.92]", got)
	}
	for i := 1; i < len(got); i++ {
		if d := got[i] - got[i-1]; math.Abs(d-0.2) > 1e-9 && math.Abs(d-0.1) > 1e-9 {
			t.Errorf("uneven or odd step %v in %v", d, got)
		}
	}
	if got := niceTicks(1, 3, 8, 1); !reflect.DeepEqual(got, []float64{1, 2, 3}) {
		t.Errorf("epoch ticks for 3 epochs: %v, want [1 2 3]", got)
	}
}
