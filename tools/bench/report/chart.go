package main

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strings"

	"github.com/heraldmq/herald/tools/internal/bench"
)

// colors per system, in the order bars are drawn.
var palette = map[string]string{
	"herald": "#d9480f", "nats": "#1c7ed6", "redis": "#c92a2a", "mqtt": "#5f3dc4", "baseline": "#868e96",
}

// fanoutChart draws the fan-out "delivered" medians as grouped bars, one
// group per subscriber count, one bar per system, with min–max whiskers.
func fanoutChart(figs []bench.Figure) string {
	type bar struct {
		system string
		f      bench.Figure
	}
	groups := map[int][]bar{}
	var subs []int
	var systems []string
	top := 0.0
	for _, f := range figs {
		if f.Workload != "fanout" || f.Metric != "delivered" || f.Skipped != "" {
			continue
		}
		n := 0
		if v, ok := f.Params["subscribers"].(float64); ok {
			n = int(v)
		}
		if _, ok := groups[n]; !ok {
			subs = append(subs, n)
		}
		groups[n] = append(groups[n], bar{f.System, f})
		if !slices.Contains(systems, f.System) {
			systems = append(systems, f.System)
		}
		top = max(top, f.Max)
	}
	slices.Sort(subs)
	const (
		w, h        = 760, 420
		left, right = 80, 20
		topPad, bot = 50, 70
		plotH       = h - topPad - bot
	)
	scale := niceCeil(top)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold">Fan-out: delivered messages per second (median, min–max)</text>`+"\n", left)
	for i := 0; i <= 5; i++ {
		v := scale * float64(i) / 5
		y := float64(topPad+plotH) - float64(plotH)*float64(i)/5
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#dee2e6"/>`+"\n", left, y, w-right, y)
		label := bench.FormatRate(v)
		if i == 0 {
			label = "0"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y+4, label)
	}
	if len(subs) == 0 || scale == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">no fan-out figures</text>`+"\n", left+20, topPad+40)
		b.WriteString("</svg>\n")
		return b.String()
	}
	groupW := float64(w-left-right) / float64(len(subs))
	barW := math.Min(48, (groupW-30)/float64(max(len(systems), 1)))
	yOf := func(v float64) float64 { return float64(topPad+plotH) - float64(plotH)*v/scale }
	for gi, n := range subs {
		x0 := float64(left) + groupW*float64(gi) + (groupW-barW*float64(len(systems)))/2
		for si, sys := range systems {
			var f *bench.Figure
			for _, bb := range groups[n] {
				if bb.system == sys {
					f = &bb.f
				}
			}
			if f == nil {
				continue
			}
			x := x0 + barW*float64(si)
			col := palette[sys]
			if col == "" {
				col = "#495057"
			}
			y := yOf(f.Median)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %d subscribers: %s msg/s</title></rect>`+"\n",
				x+2, y, barW-4, float64(topPad+plotH)-y, col, html.EscapeString(sys), n, bench.FormatRate(f.Median))
			cx := x + barW/2
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>`+"\n", cx, yOf(f.Min), cx, yOf(f.Max))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`+"\n", cx, yOf(f.Max)-4, bench.FormatRate(f.Median))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-weight="bold">1 → %d subscribers</text>`+"\n", float64(left)+groupW*(float64(gi)+0.5), topPad+plotH+20, n)
	}
	for si, sys := range systems {
		x := left + si*120
		col := palette[sys]
		if col == "" {
			col = "#495057"
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", x, h-28, col, x+18, h-18, html.EscapeString(sys))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
