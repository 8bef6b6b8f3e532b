package bench

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
	"github.com/heraldmq/herald/tools/internal/bench/stats"
)

// slowsub: S fast subscribers, with and without one more that subscribes and
// never reads, in four phases per round:
//  1. maximum rate, no stalled subscriber: the fast subscribers' delivered
//     rate and the publisher's maximum rate M;
//  2. maximum rate with the stalled one: the fast subscribers' rate;
//  3. paced at M/2 for cfg.Duration, no stalled subscriber: the achieved
//     publishing rate and the p99.9 duration of one publish call;
//  4. the same with the stalled one.
//
// Figures: the rates of 1 and 2 and their ratio, the ratio of the achieved
// rates of 4 and 3, the p99.9 publish calls of 3 and 4, and the broker's
// VmRSS after phase 2 when the broker can be weighed.
func slowsub(ctx context.Context, cfg Config, t Target) ([]sample, error) {
	if t.System.Name == "baseline" {
		return nil, fmt.Errorf("%w: the forwarder has no flow control (a stalled subscriber blocks it)", driver.ErrNotApplicable)
	}
	n := cfg.subscribers("slowsub")
	free, err := runFanout(ctx, cfg, t, n, false)
	if err != nil {
		return nil, err
	}
	stalled, err := runFanout(ctx, cfg, t, n, true)
	if err != nil {
		return nil, err
	}
	half := free.published / 2
	pf, err := runPaced(ctx, cfg, t, n, false, half)
	if err != nil {
		return nil, err
	}
	ps, err := runPaced(ctx, cfg, t, n, true, half)
	if err != nil {
		return nil, err
	}
	out := []sample{
		higher("fast subs, none stalled", unitRate, free.delivered),
		higher("fast subs, one stalled", unitRate, stalled.delivered),
		higher("stalled/free fast rate", unitRatio, stalled.delivered/max(free.delivered, 1)),
		lower("lost by fast subs, stalled", unitPercent, stalled.lost),
		higher("paced M/2: achieved stalled/free", unitRatio, ps.achieved/max(pf.achieved, 1)),
		lower("paced M/2: publish p99.9, free", unitMicros, pf.p999),
		lower("paced M/2: publish p99.9, stalled", unitMicros, ps.p999),
	}
	if stalled.rss > 0 {
		out = append(out, lower("broker RSS after stall", unitMiB, float64(stalled.rss)/(1<<20)))
	}
	return out, nil
}

// pacedResult is what one paced run measured.
type pacedResult struct {
	achieved float64 // messages per second published
	p999     float64 // p99.9 of one publish call, microseconds
}

// runPaced publishes at rate for cfg.Duration to n reading subscribers (plus
// a stalled one when stall is set), timing each publish call.
func runPaced(ctx context.Context, cfg Config, t Target, n int, stall bool, rate float64) (pacedResult, error) {
	s := newSession(cfg, t.System)
	defer s.close()
	topic := t.System.Topic(uniqueName("paced"))
	cs := newCounters(n)
	for i := range n {
		c, err := s.subscriber(ctx, topic, "")
		if err != nil {
			return pacedResult{}, err
		}
		s.consume(c, cs[i], nil, nil)
	}
	if stall {
		if _, err := s.subscriber(ctx, topic, ""); err != nil {
			return pacedResult{}, err
		}
	}
	p, err := s.publisher(ctx)
	if err != nil {
		return pacedResult{}, err
	}
	if err := p.sync(cfg.Timeout); err != nil {
		return pacedResult{}, err
	}
	var calls stats.Histogram
	total := max(int64(rate*cfg.Duration.Seconds()), 1)
	sent, elapsed, err := s.publishPaced(ctx, p, topic, max(rate, 1), total, &calls)
	if err != nil {
		return pacedResult{}, err
	}
	if err := s.await(ctx, cs, func() bool { return slowest(cs) >= sent }); err != nil && !errors.Is(err, errIdle) {
		return pacedResult{}, err
	}
	return pacedResult{
		achieved: float64(sent) / max(elapsed.Seconds(), 1e-9),
		p999:     float64(calls.Quantile(0.999)) / 1e3,
	}, nil
}
