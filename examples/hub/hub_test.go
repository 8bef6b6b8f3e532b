package main

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/heraldmq/herald/examples/internal/lines"
)

// TestHub runs the demo with several seeds and checks that each subscriber
// saw a gap-free prefix of the events (all of them if it stayed until
// terminate), and that the count printed before each event is the number of
// subscribers that went on to receive it.
func TestHub(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out := lines.New()
			const subs, events = 5, 20
			res, err := run(ctx, config{subscribers: subs, events: events, seed: seed}, out)
			if err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + out.String())

			stayed := 0
			for i, seen := range res.seen {
				for k, n := range seen {
					if n != k+1 {
						t.Fatalf("subscriber %d saw %v: not a gap-free prefix", i+1, seen)
					}
				}
				if res.terminated[i] != (len(seen) == events) {
					t.Fatalf("subscriber %d saw %d events, terminated %v", i+1, len(seen), res.terminated[i])
				}
				if res.terminated[i] {
					stayed++
					out.Wait(t, fmt.Sprintf("^subscriber %d terminated after %d events$", i+1, events))
				} else {
					out.Wait(t, fmt.Sprintf("^subscriber %d leaves after event %d$", i+1, len(seen)))
				}
			}
			for n := 1; n <= events; n++ {
				want := 0
				for _, seen := range res.seen {
					if len(seen) >= n {
						want++
					}
				}
				out.Wait(t, fmt.Sprintf("^publisher: %d subscribers before event %d$", want, n))
				if res.counts[n-1] != want {
					t.Fatalf("count before event %d: %d, want %d", n, res.counts[n-1], want)
				}
			}
			out.Wait(t, fmt.Sprintf("^publisher: %d subscribers before terminate$", stayed))
		})
	}
}

// TestHubTap: with -tap, every message is logged once.
func TestHubTap(t *testing.T) {
	logs := lines.New()
	cfg := config{subscribers: 2, events: 3, seed: 1, tap: slog.New(slog.NewTextHandler(logs, nil))}
	if _, err := run(context.Background(), cfg, lines.New()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`value={n:1}`, `value={n:3}`, `value={}`} {
		logs.Wait(t, `msg=tap exchange=/hub/events n=\d `+want)
	}
	if got := len(logs.Lines()); got != 4 {
		t.Fatalf("%d tap lines, want 4:\n%s", got, logs)
	}
}
