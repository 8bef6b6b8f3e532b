package bench

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"time"
)

// fanoutResult is what one maximum-rate fan-out run measured.
type fanoutResult struct {
	delivered float64 // messages per second received by the reading subscribers together
	published float64 // messages per second the publisher sent
	lost      float64 // percent of the messages owed to reading subscribers never received
	rss       int64   // the broker's VmRSS at the end (bytes), when weighed
}

// fanout: one publisher to S subscribers at the highest rate the window
// allows. Figures: delivered messages per second (all subscribers together)
// and the percentage lost.
func fanout(ctx context.Context, cfg Config, t Target) ([]sample, error) {
	r, err := runFanout(ctx, cfg, t, cfg.subscribers("fanout"), false)
	if err != nil {
		return nil, err
	}
	return []sample{
		higher("delivered", unitRate, r.delivered),
		lower("lost", unitPercent, r.lost),
	}, nil
}

// runFanout runs one fan-out to n reading subscribers, plus one that
// subscribes and never reads when stall is set.
func runFanout(ctx context.Context, cfg Config, t Target, n int, stall bool) (fanoutResult, error) {
	s := newSession(cfg, t.System)
	defer s.close()
	topic := t.System.Topic(uniqueName("fanout"))
	cs := newCounters(n)
	var want atomic.Int64
	want.Store(math.MaxInt64)
	for i := range n {
		c, err := s.subscriber(ctx, topic, "")
		if err != nil {
			return fanoutResult{}, err
		}
		s.consume(c, cs[i], &want, nil)
	}
	if stall {
		if _, err := s.subscriber(ctx, topic, ""); err != nil {
			return fanoutResult{}, err
		}
	}
	p, err := s.publisher(ctx)
	if err != nil {
		return fanoutResult{}, err
	}
	if err := p.sync(cfg.Timeout); err != nil {
		return fanoutResult{}, err
	}
	start := s.clock.now()
	sent, pubEnd, err := s.publishMax(ctx, p, topic, func() int64 { return slowest(cs) })
	if err != nil {
		return fanoutResult{}, err
	}
	want.Store(sent)
	if err := s.await(ctx, cs, func() bool { return slowest(cs) >= sent }); err != nil && !errors.Is(err, errIdle) {
		return fanoutResult{}, err
	}
	end := max(lastAt(cs), pubEnd)
	got := received(cs)
	r := fanoutResult{
		delivered: float64(got) / seconds(end-start),
		published: float64(sent) / seconds(pubEnd-start),
		lost:      lostPct(sent*int64(n), got),
	}
	if stall {
		r.rss = t.rss()
	}
	return r, nil
}

// seconds converts clock nanoseconds to seconds, never zero.
func seconds(ns int64) float64 {
	return max(float64(ns), 1) / float64(time.Second)
}

// lostPct is the percentage of owed messages not received.
func lostPct(owed, got int64) float64 {
	if owed <= 0 || got >= owed {
		return 0
	}
	return 100 * float64(owed-got) / float64(owed)
}
