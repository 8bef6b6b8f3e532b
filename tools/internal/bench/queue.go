package bench

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
)

// queue: one publisher to W workers of one queue group. Figures: delivered
// messages per second, each worker's share (smallest and largest, in percent)
// and the spread between the largest and smallest share in messages.
func queue(ctx context.Context, cfg Config, t Target) ([]sample, error) {
	if !t.System.Queue {
		return nil, fmt.Errorf("%w: %s has no queue groups", driver.ErrNotApplicable, t.System.Name)
	}
	s := newSession(cfg, t.System)
	defer s.close()
	topic := t.System.Topic(uniqueName("queue"))
	cs := newCounters(cfg.Workers)
	for i := range cs {
		c, err := s.subscriber(ctx, topic, "workers")
		if err != nil {
			return nil, err
		}
		s.consume(c, cs[i], nil, nil)
	}
	p, err := s.publisher(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.sync(cfg.Timeout); err != nil {
		return nil, err
	}
	start := s.clock.now()
	sent, pubEnd, err := s.publishMax(ctx, p, topic, func() int64 { return received(cs) })
	if err != nil {
		return nil, err
	}
	if err := s.await(ctx, cs, func() bool { return received(cs) >= sent }); err != nil && !errors.Is(err, errIdle) {
		return nil, err
	}
	end := max(lastAt(cs), pubEnd)
	got := received(cs)
	lo, hi := cs[0].n.Load(), cs[0].n.Load()
	for _, c := range cs {
		lo, hi = min(lo, c.n.Load()), max(hi, c.n.Load())
	}
	share := func(n int64) float64 { return 100 * float64(n) / float64(max(got, 1)) }
	return []sample{
		higher("delivered", unitRate, float64(got)/seconds(end-start)),
		higher("smallest share", unitPercent, share(lo)),
		lower("largest share", unitPercent, share(hi)),
		lower("share spread", unitMsgs, float64(hi-lo)),
		lower("lost", unitPercent, lostPct(sent, got)),
	}, nil
}
