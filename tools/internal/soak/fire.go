package soak

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// firehose is the long-lived traffic of a chaos phase: one publisher sending
// to /soak/fire at a steady rate for the whole phase, and a few long-lived
// well-behaved subscribers, each with a plain subscription to /soak/fire, a
// wildcard /soak/* and a member of one rotation set on /soak/fire, whose
// streams are checked message by message from start to end. Stalled readers
// and abrupt clients subscribe to the same channel.
type firehose struct {
	e    *env
	pub  *client
	subs []*checked
	sent uint64
	stop chan struct{}
	done chan error
}

// startFirehose subscribes n readers, then starts publishing rate messages
// a second of size bytes.
func (e *env) startFirehose(ctx context.Context, n, rate, size int, deadline time.Time) (*firehose, error) {
	f := &firehose{e: e, stop: make(chan struct{}), done: make(chan error, 1)}
	for range n {
		k, err := e.subscriber(ctx, deadline, 0, "fire-sub", []subSpec{{1, "/soak/fire", ""}, {2, "/soak/*", ""}, {3, "/soak/fire", "fq"}})
		if err != nil {
			f.abort()
			return nil, err
		}
		k.payload = func(sid uint32, seq, idx uint64) error {
			if sid != 3 && idx != seq-1 {
				return fmt.Errorf("seq %d carries index %d", seq, idx)
			}
			return nil
		}
		k.keepIndices(3)
		k.start(deadline)
		f.subs = append(f.subs, k)
	}
	c, err := e.dial(ctx, 0)
	if err != nil {
		f.abort()
		return nil, err
	}
	f.pub = c
	if err := c.hello("fire-pub"); err != nil {
		f.abort()
		return nil, err
	}
	go func() { f.done <- f.run(rate, size, deadline) }()
	return f, nil
}

// run publishes in bursts every 10ms until stop, then waits for the PONG
// that proves every message was routed. Answers to the broker's PINGs are
// not needed: frames keep arriving from this client.
func (f *firehose) run(rate, size int, deadline time.Time) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	per := max(rate/100, 1)
	ch := []byte("/soak/fire")
	var buf, pl []byte
	for {
		select {
		case <-f.stop:
			return f.pub.sync(deadline)
		case <-tick.C:
		}
		buf = buf[:0]
		for range per {
			pl = payload(pl, f.sent, size)
			buf = (&wire.Pub{Channel: ch, Payload: pl}).Append(buf)
			f.sent++
		}
		f.pub.nc.SetWriteDeadline(deadline)
		if _, err := f.pub.nc.Write(buf); err != nil {
			return err
		}
	}
}

// finish stops publishing, runs every reader's final barrier, and accounts
// for every message sent.
func (f *firehose) finish() (account, error) {
	close(f.stop)
	perr := <-f.done
	f.pub.close()
	for _, k := range f.subs {
		k.finish()
	}
	var a account
	for _, k := range f.subs {
		a.add(k.tally(map[uint32]uint64{1: f.sent, 2: f.sent}))
		k.c.close()
	}
	a.add(tallyRotation(3, f.sent, f.subs...))
	if perr != nil {
		return a, fmt.Errorf("firehose publisher: %w", perr)
	}
	if !a.ok() {
		s := ""
		for _, k := range f.subs {
			s += " | " + k.describe()
		}
		return a, fmt.Errorf("firehose of %d messages:%s | %+v", f.sent, s, a)
	}
	return a, nil
}

func (f *firehose) abort() {
	for _, k := range f.subs {
		k.c.reset()
	}
	if f.pub != nil {
		f.pub.reset()
	}
}
