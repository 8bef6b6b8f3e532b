package bench

import (
	"context"
	"errors"
	"math"
	"sync/atomic"

	"github.com/heraldmq/herald/tools/internal/bench/stats"
)

// latency: one publisher at a fixed rate (cfg.Rate for cfg.Duration) to S
// subscribers (default 1). Each payload carries its send time; a subscriber
// records the one-way latency of each message on arrival. Figures: p50, p99
// and p99.9 in microseconds, and the percentage lost.
func latency(ctx context.Context, cfg Config, t Target) ([]sample, error) {
	n := cfg.subscribers("latency")
	s := newSession(cfg, t.System)
	defer s.close()
	topic := t.System.Topic(uniqueName("latency"))
	cs := newCounters(n)
	hs := make([]stats.Histogram, n)
	var want atomic.Int64
	want.Store(math.MaxInt64)
	for i := range n {
		c, err := s.subscriber(ctx, topic, "")
		if err != nil {
			return nil, err
		}
		h := &hs[i]
		s.consume(c, cs[i], &want, func(p []byte, now int64) { h.Record(now - sentAt(p)) })
	}
	p, err := s.publisher(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.sync(cfg.Timeout); err != nil {
		return nil, err
	}
	total := min(int64(cfg.Count), int64(float64(cfg.Rate)*cfg.Duration.Seconds()))
	sent, _, err := s.publishPaced(ctx, p, topic, float64(cfg.Rate), max(total, 1), nil)
	if err != nil {
		return nil, err
	}
	want.Store(sent)
	if err := s.await(ctx, cs, func() bool { return slowest(cs) >= sent }); err != nil && !errors.Is(err, errIdle) {
		return nil, err
	}
	got := received(cs)
	s.close() // the readers are done with the histograms
	var all stats.Histogram
	for i := range hs {
		all.Merge(&hs[i])
	}
	us := func(q float64) float64 { return float64(all.Quantile(q)) / 1e3 }
	return []sample{
		lower("p50", unitMicros, us(0.50)),
		lower("p99", unitMicros, us(0.99)),
		lower("p99.9", unitMicros, us(0.999)),
		lower("lost", unitPercent, lostPct(sent*int64(n), got)),
	}, nil
}
