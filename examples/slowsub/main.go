// Command slowsub shows that a stalled subscriber costs the others nothing:
// ten fast subscribers and one whose handler stalls share a channel; the
// fast ones receive every message at full speed, and the stalled one's
// losses are counted and reported, never silent.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"

	herald "github.com/heraldmq/herald/sdk/go"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.url, "url", herald.DefaultURL, "broker URL(s), comma-separated")
	flag.IntVar(&cfg.fast, "fast", 10, "number of fast subscribers")
	flag.IntVar(&cfg.msgs, "msgs", 20000, "messages to publish")
	flag.IntVar(&cfg.size, "size", 256, "payload size in bytes")
	flag.IntVar(&cfg.pending, "pending", 1000, "the stalled subscriber's pending limit, in messages")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

type config struct {
	url     string
	fast    int
	msgs    int
	size    int
	pending int
}

// counter records what one subscriber received, and when.
type counter struct {
	n           atomic.Int64
	first, last atomic.Int64 // unix nanoseconds
	all         chan struct{}
}

func (c *counter) add(total int64) {
	now := time.Now().UnixNano()
	c.first.CompareAndSwap(0, now)
	c.last.Store(now)
	if c.n.Add(1) == total {
		close(c.all)
	}
}

func (c *counter) rate() float64 {
	d := time.Duration(c.last.Load() - c.first.Load())
	if d <= 0 {
		return 0
	}
	return float64(c.n.Load()) / d.Seconds()
}

// run publishes cfg.msgs messages to cfg.fast+1 subscribers, each on its own
// connection, one of which stalls until the others have everything.
func run(ctx context.Context, cfg config, out io.Writer) error {
	var conns []*herald.Conn
	defer func() {
		for _, nc := range conns {
			nc.Close()
		}
	}()
	var mu sync.Mutex
	var losses []string
	connect := func(name string) (*herald.Conn, error) {
		nc, err := herald.Connect(ctx, cfg.url, herald.WithName(name),
			herald.WithErrorHandler(func(_ *herald.Conn, _ *herald.Subscription, err error) {
				mu.Lock()
				losses = append(losses, err.Error())
				mu.Unlock()
			}))
		if err == nil {
			conns = append(conns, nc)
		}
		return nc, err
	}
	total := int64(cfg.msgs)
	fast := make([]*counter, cfg.fast)
	for i := range fast {
		nc, err := connect(fmt.Sprintf("fast-%d", i+1))
		if err != nil {
			return err
		}
		c := &counter{all: make(chan struct{})}
		fast[i] = c
		if _, err := nc.Subscribe("/slowsub/ticks", func(*herald.Msg) { c.add(total) }); err != nil {
			return err
		}
		if err := nc.Flush(ctx); err != nil {
			return err
		}
	}
	stalledConn, err := connect("stalled")
	if err != nil {
		return err
	}
	stall := make(chan struct{})
	stalled := &counter{all: make(chan struct{})}
	sub, err := stalledConn.Subscribe("/slowsub/ticks", func(*herald.Msg) {
		<-stall
		stalled.add(total)
	}, herald.WithPendingLimits(cfg.pending, 0))
	if err != nil {
		return err
	}
	if err := stalledConn.Flush(ctx); err != nil {
		return err
	}

	pub, err := connect("publisher")
	if err != nil {
		return err
	}
	payload := make([]byte, cfg.size)
	start := time.Now()
	for range cfg.msgs {
		if err := pub.Publish(ctx, "/slowsub/ticks", payload); err != nil {
			return err
		}
	}
	if err := pub.Flush(ctx); err != nil {
		return err
	}
	for _, c := range fast {
		select {
		case <-c.all:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	fmt.Fprintf(out, "published %d messages of %d bytes in %v\n", cfg.msgs, cfg.size, time.Since(start).Round(time.Millisecond))
	for i, c := range fast {
		fmt.Fprintf(out, "fast %d: %d/%d messages, %.0f msg/s\n", i+1, c.n.Load(), cfg.msgs, c.rate())
	}
	// Let the stalled subscriber go, and drain it: it handles what it holds.
	close(stall)
	if err := sub.Drain(ctx); err != nil {
		return err
	}
	d := sub.Dropped()
	fmt.Fprintf(out, "stalled: %d/%d messages, %d dropped (client %d, broker %d, gaps %d)\n",
		stalled.n.Load(), cfg.msgs, d.Total(), d.Client, d.Notified, d.Gaps)
	stalledConn.Close() // runs the error handler for what is still queued
	mu.Lock()
	defer mu.Unlock()
	if len(losses) > 0 {
		fmt.Fprintf(out, "first loss report: %s\n", losses[0])
	}
	return nil
}
