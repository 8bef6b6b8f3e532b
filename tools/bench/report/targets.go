package main

import (
	"fmt"

	"github.com/heraldmq/herald/tools/internal/bench"
)

// check is one target of issue 6 judged against the figures.
type check struct {
	target   string
	measured string
	met      bool
	missing  bool
	info     bool // the estimate, not a target
}

// finder looks figures up by workload, system, metric and (optionally) the
// subscribers parameter.
type finder []bench.Figure

func (f finder) get(workload, system, metric string, subs int) (bench.Figure, bool) {
	for _, x := range f {
		if x.Workload != workload || x.System != system || x.Metric != metric || x.Skipped != "" {
			continue
		}
		if subs > 0 {
			if v, ok := x.Params["subscribers"].(float64); !ok || int(v) != subs {
				continue
			}
		}
		return x, true
	}
	return bench.Figure{}, false
}

// ratio builds a check of herald/peer against a bound.
func (f finder) ratio(target, workload, peer, metric string, subs int, bound float64, atLeast bool) check {
	h, ok1 := f.get(workload, "herald", metric, subs)
	p, ok2 := f.get(workload, peer, metric, subs)
	if !ok1 || !ok2 || p.Median == 0 {
		return check{target: target, missing: true, measured: "—"}
	}
	r := h.Median / p.Median
	met := r <= bound
	if atLeast {
		met = r >= bound
	}
	return check{target: target, measured: fmt.Sprintf("%.2f×", r), met: met}
}

// value builds a check of one Herald figure against a bound.
func (f finder) value(target, workload, metric, unit string, bound float64, atLeast bool) check {
	h, ok := f.get(workload, "herald", metric, 0)
	if !ok {
		return check{target: target, missing: true, measured: "—"}
	}
	met := h.Median <= bound
	if atLeast {
		met = h.Median >= bound
	}
	return check{target: target, measured: fmt.Sprintf("%.3g %s", h.Median, unit), met: met}
}

// info marks a check as the estimate rather than a target.
func info(c check) check {
	c.info = true
	return c
}

// checkTargets judges the targets of issue 6 that the figures cover.
func checkTargets(figs []bench.Figure) []check {
	f := finder(figs)
	out := []check{
		f.ratio("fan-out 1→10 ≥ 0.6 × baseline", "fanout", "baseline", "delivered", 10, 0.6, true),
		f.ratio("fan-out 1→100 ≥ 0.6 × baseline", "fanout", "baseline", "delivered", 100, 0.6, true),
		info(f.ratio("fan-out 1→10 beside nats-server (issue: about 2×)", "fanout", "nats", "delivered", 10, 2, true)),
		info(f.ratio("fan-out 1→10 beside redis-server (issue: about 1.5×)", "fanout", "redis", "delivered", 10, 1.5, true)),
		f.ratio("queue to 4 workers ≥ 1.5 × nats-server", "queue", "nats", "delivered", 0, 1.5, true),
		f.value("queue shares differ by at most one message", "queue", "share spread", "msgs", 1, false),
		f.ratio("latency p99 ≤ 1.1 × nats-server", "latency", "nats", "p99", 0, 1.1, false),
		f.value("stalled subscriber: fast subscribers ≥ 0.95 × their rate", "slowsub", "stalled/free fast rate", "×", 0.95, true),
		f.value("stalled subscriber: achieved rate at M/2 ≥ 0.99 ×", "slowsub", "paced M/2: achieved stalled/free", "×", 0.99, true),
	}
	free, ok1 := f.get("slowsub", "herald", "paced M/2: publish p99.9, free", 0)
	stalled, ok2 := f.get("slowsub", "herald", "paced M/2: publish p99.9, stalled", 0)
	c := check{target: "stalled subscriber: p99.9 publish call within 1 ms", missing: !ok1 || !ok2, measured: "—"}
	if !c.missing {
		d := stalled.Median - free.Median
		c.measured, c.met = fmt.Sprintf("%+.0f µs", d), d <= 1000
	}
	out = append(out, c,
		f.value("memory per idle connection ≤ 10 KiB", "conns", "memory per idle conn", "KiB", 10, false))
	return out
}
