// Command hub is the cookbook's hub demo, on package exchange: a publisher
// emits numbered events to five subscribers through one exchange; each
// subscriber leaves after a random number of events; before each event the
// publisher prints how many subscribers it has; a final terminate message
// ends every subscriber still there.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/heraldmq/herald/broker/exchange"
)

func main() {
	cfg := config{}
	flag.IntVar(&cfg.subscribers, "subscribers", 5, "number of subscribers")
	flag.IntVar(&cfg.events, "events", 20, "number of events")
	flag.Uint64Var(&cfg.seed, "seed", uint64(time.Now().UnixNano()), "random seed for when subscribers leave")
	tap := flag.Bool("tap", false, "log every message on stderr (an exchange.Tap on /hub/>)")
	flag.Parse()
	if *tap {
		cfg.tap = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

type config struct {
	subscribers, events int
	seed                uint64
	tap                 *slog.Logger // nil: no tap
}

// event is the numbered message the publisher emits; terminate ends every
// remaining subscriber.
type (
	event     struct{ n int }
	terminate struct{}
)

// subscriber is a sink that leaves after leaveAfter events.
type subscriber struct {
	id         int
	leaveAfter int
	ex         *exchange.Exchange
	say        func(format string, a ...any)

	seen       []int // events received, in order
	terminated bool
}

// Send implements exchange.Sink; it runs on the subscriber's own goroutine.
func (s *subscriber) Send(m exchange.Message) {
	switch v := m.Value.(type) {
	case event:
		s.seen = append(s.seen, v.n)
		if len(s.seen) == s.leaveAfter {
			s.say("subscriber %d leaves after event %d", s.id, v.n)
			s.ex.Detach(s)
		}
	case terminate:
		s.terminated = true
		s.say("subscriber %d terminated after %d events", s.id, len(s.seen))
		s.ex.Detach(s)
	}
}

// result is what happened, for the test.
type result struct {
	seen       [][]int // per subscriber, the events it received
	terminated []bool
	counts     []int // subscribers before each event, as printed; then before terminate
}

// run plays the demo, printing to out. The publisher waits (Flush) for each
// event to be handled before it counts again, so a subscriber that has
// decided to leave is never counted.
func run(ctx context.Context, cfg config, out io.Writer) (*result, error) {
	var mu sync.Mutex
	say := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", a...)
	}
	reg := exchange.NewRegistry()
	defer reg.Close()
	hub := reg.Get("/hub/events")
	if cfg.tap != nil {
		defer reg.Get("/hub/>").AttachAll(exchange.NewTap(cfg.tap))()
	}
	rng := rand.New(rand.NewPCG(cfg.seed, 0))
	subs := make([]*subscriber, cfg.subscribers)
	for i := range subs {
		// Some leave during the run, some stay until terminate.
		subs[i] = &subscriber{id: i + 1, leaveAfter: 1 + rng.IntN(cfg.events+cfg.events/2), ex: hub, say: say}
		hub.Attach(subs[i])
	}
	res := &result{}
	for n := 1; n <= cfg.events; n++ {
		count := hub.Sinks()
		res.counts = append(res.counts, count)
		say("publisher: %d subscribers before event %d", count, n)
		hub.Send(exchange.Message{Value: event{n}})
		if err := reg.Flush(ctx); err != nil {
			return nil, err
		}
	}
	count := hub.Sinks()
	res.counts = append(res.counts, count)
	say("publisher: %d subscribers before terminate", count)
	hub.Send(exchange.Message{Value: terminate{}})
	if err := reg.Flush(ctx); err != nil {
		return nil, err
	}
	for _, s := range subs {
		res.seen = append(res.seen, s.seen)
		res.terminated = append(res.terminated, s.terminated)
	}
	return res, nil
}
