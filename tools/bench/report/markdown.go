package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/heraldmq/herald/tools/internal/bench"
)

// report is what the Markdown needs beside the figures.
type report struct {
	commands []string
	facts    []string // NAME=VALUE
	chart    string   // file name of the SVG
	when     time.Time
}

// markdown renders RESULTS.md.
func markdown(figs []bench.Figure, r report) string {
	var b strings.Builder
	b.WriteString("# Herald beside NATS, Redis and Mosquitto\n\n")
	fmt.Fprintf(&b, "Written by `make bench-compare` (tools/bench/compare.sh) on %s; rerun it rather than editing this file. ", r.when.Format("2006-01-02 15:04 UTC"))
	b.WriteString("Every system is driven by a minimal client of its own protocol through the same client loop " +
		"(tools/internal/bench), on loopback, on the machine below; `baseline` is the in-process forwarder of issue 6, " +
		"this machine's ceiling for fan-out. Cells are medians over the rounds; `herald/X` is the ratio of Herald's median " +
		"to X's: above 1 is better for msg/s, % of shares and ×, below 1 for µs, KiB and MiB.\n\n")

	b.WriteString("## Command\n\n```sh\n")
	for _, c := range r.commands {
		b.WriteString(c + "\n")
	}
	b.WriteString("```\n\n## Machine\n\n| fact | value |\n|---|---|\n")
	for _, f := range r.facts {
		k, v, _ := strings.Cut(f, "=")
		fmt.Fprintf(&b, "| %s | %s |\n", k, strings.ReplaceAll(v, "|", "\\|"))
	}

	b.WriteString("\n## Results\n\n")
	_ = bench.BuildTable(figs).WriteMarkdown(&b)

	fmt.Fprintf(&b, "\n## Fan-out\n\n![Delivered messages per second, fan-out](%s)\n", r.chart)

	b.WriteString("\n## Issue 6 targets\n\n| target | measured | met |\n|---|---|---|\n")
	for _, c := range checkTargets(figs) {
		met := "no"
		switch {
		case c.missing:
			met = "not measured"
		case c.info:
			met = "for information"
		case c.met:
			met = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", c.target, c.measured, met)
	}

	b.WriteString("\n## Spread over rounds\n\n| workload | params | metric | system | median | min | max | rounds |\n|---|---|---|---|---|---|---|---|\n")
	for _, f := range figs {
		if f.Skipped != "" {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %d |\n", f.Workload, bench.FormatParams(f.Params), f.Metric, f.System,
			num(f.Median), num(f.Min), num(f.Max), f.Rounds)
	}
	return b.String()
}

// num prints a figure compactly.
func num(v float64) string {
	if v >= 1e4 {
		return bench.FormatRate(v)
	}
	return fmt.Sprintf("%.3g", v)
}
