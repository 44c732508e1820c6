// Package plot draws learning curves as a standalone SVG file with the
// standard library only: one panel per quantity, side by side, each with
// axes, tick labels, a title and a legend.
package plot

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
)

// Series is one line: Y[i] is drawn at x = i+1 (epochs count from 1).
// NaN values leave a gap.
type Series struct {
	Name string
	Y    []float64
}

// Panel is one chart.
type Panel struct {
	Title  string
	YLabel string
	Series []Series
}

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"}

const (
	panelW, panelH = 460, 320
	left, right    = 64, 16
	top, bottom    = 36, 48
)

// SVG writes the panels side by side, sharing the x label.
func SVG(w io.Writer, xLabel string, panels ...Panel) error {
	bw := bufio.NewWriter(w)
	width := panelW * len(panels)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		width, panelH, width, panelH)
	fmt.Fprintf(bw, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, panelH)
	for i, p := range panels {
		drawPanel(bw, float64(i*panelW), xLabel, p)
	}
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}

func drawPanel(w io.Writer, x0 float64, xLabel string, p Panel) {
	n := 1
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range p.Series {
		n = max(n, len(s.Y))
		for _, v := range s.Y {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if lo > hi { // no finite data
		lo, hi = 0, 1
	}
	yTicks := niceTicks(lo, hi, 6, 0)
	lo, hi = math.Min(lo, yTicks[0]), math.Max(hi, yTicks[len(yTicks)-1])
	if hi == lo {
		hi = lo + 1
	}
	xTicks := niceTicks(1, math.Max(2, float64(n)), 8, 1) // whole epochs
	xlo, xhi := 1.0, math.Max(2, float64(n))

	plotL, plotR := x0+left, x0+panelW-right
	plotT, plotB := float64(top), float64(panelH-bottom)
	sx := func(v float64) float64 { return plotL + (v-xlo)/(xhi-xlo)*(plotR-plotL) }
	sy := func(v float64) float64 { return plotB - (v-lo)/(hi-lo)*(plotB-plotT) }

	fmt.Fprintf(w, `<text x="%.1f" y="22" text-anchor="middle" font-size="14" font-weight="bold">%s</text>`+"\n", (plotL+plotR)/2, html.EscapeString(p.Title))
	for _, t := range yTicks {
		if t < lo || t > hi {
			continue
		}
		y := sy(t)
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e5e5"/>`+"\n", plotL, y, plotR, y)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", plotL-6, y, tickLabel(t, yTicks))
	}
	for _, t := range xTicks {
		if t < xlo || t > xhi || t != math.Trunc(t) {
			continue
		}
		x := sx(t)
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>`+"\n", x, plotB, x, plotB+4)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, plotB+17, tickLabel(t, xTicks))
	}
	fmt.Fprintf(w, `<polyline points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="none" stroke="black"/>`+"\n", plotL, plotT, plotL, plotB, plotR, plotB)
	fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", (plotL+plotR)/2, panelH-10, html.EscapeString(xLabel))
	fmt.Fprintf(w, `<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", x0+16, (plotT+plotB)/2, html.EscapeString(p.YLabel))

	for i, s := range p.Series {
		color := palette[i%len(palette)]
		var pts []string
		flush := func() {
			if len(pts) > 0 {
				fmt.Fprintf(w, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", join(pts), color)
			}
			pts = pts[:0]
		}
		for j, v := range s.Y {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				flush()
				continue
			}
			x, y := sx(float64(j+1)), sy(v)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			if len(s.Y) <= 40 { // markers only where they stay apart
				fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`+"\n", x, y, color)
			}
		}
		flush()
	}
	// The legend, top right inside the plot, on a box that keeps the
	// curves behind it readable.
	fmt.Fprintf(w, `<rect x="%.1f" y="%.1f" width="136" height="%d" fill="white" fill-opacity="0.85" stroke="#cccccc"/>`+"\n",
		plotR-140, plotT, 16*len(p.Series)+4)
	for i, s := range p.Series {
		color := palette[i%len(palette)]
		ly := plotT + 10 + float64(i)*16
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>`+"\n", plotR-132, ly, plotR-114, ly, color)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" dominant-baseline="middle">%s</text>`+"\n", plotR-108, ly, html.EscapeString(s.Name))
	}
}

func join(parts []string) string {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, p...)
	}
	return string(b)
}

// niceTicks returns about n evenly spaced round values (1, 2 or 5 times a
// power of ten apart, and at least minStep) that cover [lo, hi].
func niceTicks(lo, hi float64, n int, minStep float64) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	step = math.Max(step, minStep)
	var ticks []float64
	for t := math.Floor(lo/step) * step; t <= hi+step/2; t += step {
		ticks = append(ticks, math.Round(t/step)*step)
		if len(ticks) > 4*n {
			break
		}
	}
	return ticks
}

// tickLabel prints t with as many decimals as the tick spacing needs.
func tickLabel(t float64, ticks []float64) string {
	dec := 0
	if len(ticks) > 1 {
		step := ticks[1] - ticks[0]
		dec = max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
	}
	return strconv.FormatFloat(t, 'f', dec, 64)
}
