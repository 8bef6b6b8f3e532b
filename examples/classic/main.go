// Command classic is the Herald side of the classic-compatibility demo: a Go
// SDK subscriber that prints what classic senders publish (its pattern may
// use wildcards), or, with -publish, a Herald publisher whose messages reach
// classic listeners as bare data frames.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"

	herald "github.com/heraldmq/herald/sdk/go"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}

type config struct {
	url     string
	pattern string // subscribe to this pattern
	publish string // or publish to this channel
	count   int    // messages to publish, or to receive before exiting (0: until interrupted)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("classic", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", herald.DefaultURL, "broker URL")
	fs.StringVar(&c.pattern, "pattern", "/topic/>", "pattern to subscribe to")
	fs.StringVar(&c.publish, "publish", "", "publish to this channel instead of subscribing")
	fs.IntVar(&c.count, "count", 0, "messages to publish (default 3), or to receive before exiting (default: until interrupted)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.publish != "" && c.count == 0 {
		c.count = 3
	}
	return c, nil
}

// run subscribes and prints each message as "<channel> #<seq>: <data>", or
// publishes numbered messages.
func run(ctx context.Context, cfg config, out io.Writer) error {
	nc, err := herald.Connect(ctx, cfg.url, herald.WithName("classic-demo"))
	if err != nil {
		return err
	}
	defer nc.Close()
	if cfg.publish != "" {
		for i := 1; i <= cfg.count; i++ {
			if err := nc.Publish(ctx, cfg.publish, fmt.Appendf(nil, "hello from Herald %d", i)); err != nil {
				return err
			}
		}
		if err := nc.Flush(ctx); err != nil {
			return err
		}
		fmt.Fprintf(out, "published %d messages to %s\n", cfg.count, cfg.publish)
		return nil
	}
	sub, err := nc.SubscribePull(cfg.pattern)
	if err != nil {
		return err
	}
	if err := nc.Flush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "subscribed to %s\n", cfg.pattern)
	for got := 0; cfg.count == 0 || got < cfg.count; got++ {
		m, err := sub.Next(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s #%d: %s\n", m.Channel, m.Seq, m.Data)
	}
	return nil
}
