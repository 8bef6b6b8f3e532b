package main

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldmq/herald/tools/internal/bench"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fig builds a figure for the tests.
func fig(workload, system, metric string, subs int, median float64) bench.Figure {
	p := map[string]any{"size": float64(128)}
	if subs > 0 {
		p["subscribers"] = float64(subs)
	}
	return bench.Figure{Workload: workload, System: system, Params: p, Metric: metric, Unit: "msg/s",
		Median: median, Min: median * 0.9, Max: median * 1.1, Rounds: 5}
}

var sample = []bench.Figure{
	fig("fanout", "herald", "delivered", 10, 9e6),
	fig("fanout", "nats", "delivered", 10, 4e6),
	fig("fanout", "baseline", "delivered", 10, 12e6),
	fig("fanout", "herald", "delivered", 100, 8e6),
	fig("fanout", "baseline", "delivered", 100, 16e6),
	fig("queue", "herald", "share spread", 0, 0),
	{Workload: "queue", System: "redis", Metric: "*", Skipped: "not applicable: redis has no queue groups"},
}

func TestChartIsWellFormedSVG(t *testing.T) {
	svg := fanoutChart(sample)
	dec := xml.NewDecoder(strings.NewReader(svg))
	rects := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	// background + 5 bars + 3 legend swatches
	assert.Equal(t, 9, rects)
	assert.Contains(t, svg, "1 → 100 subscribers")
	assert.Contains(t, fanoutChart(nil), "no fan-out figures")
}

func TestTargets(t *testing.T) {
	byTarget := map[string]check{}
	for _, c := range checkTargets(sample) {
		byTarget[c.target] = c
	}
	c := byTarget["fan-out 1→10 ≥ 0.6 × baseline"]
	assert.True(t, c.met)
	assert.Equal(t, "0.75×", c.measured)
	assert.False(t, byTarget["fan-out 1→100 ≥ 0.6 × baseline"].met)
	assert.True(t, byTarget["queue shares differ by at most one message"].met)
	assert.True(t, byTarget["memory per idle connection ≤ 10 KiB"].missing)
}

func TestRunWritesReportAndChart(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "figures.json")
	f, err := os.Create(in)
	require.NoError(t, err)
	require.NoError(t, bench.WriteJSON(f, sample))
	require.NoError(t, f.Close())
	out, svg := filepath.Join(dir, "RESULTS.md"), filepath.Join(dir, "fanout.svg")
	require.NoError(t, run([]string{"--in", in, "--out", out, "--svg", svg, "--cmd", "herald bench all", "--fact", "cores=2"}))
	md, err := os.ReadFile(out)
	require.NoError(t, err)
	for _, want := range []string{"```sh\nherald bench all\n```", "| cores | 2 |", "| workload | params | metric | unit | herald | nats | baseline | redis |",
		"![Delivered messages per second, fan-out](fanout.svg)", "n/a: queue on redis: not applicable"} {
		assert.Contains(t, string(md), want)
	}
	_, err = os.Stat(svg)
	assert.NoError(t, err)
}
