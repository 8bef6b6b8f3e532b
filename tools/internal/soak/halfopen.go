package soak

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// mute connects and never sends a byte: the broker must answer ERR
// stale_connection and close once its HELLO wait passes (PROTOCOL.md 4.5).
func (e *env) mute(ctx context.Context) error {
	c, err := e.dial(ctx, 0)
	if err != nil {
		return err
	}
	defer c.close()
	start := time.Now()
	if err := e.expectStale(c, start.Add(e.hello+e.slack)); err != nil {
		return fmt.Errorf("no HELLO: %w", err)
	}
	if took := time.Since(start); took < e.hello-e.slack/4 {
		return fmt.Errorf("no HELLO: closed after %v, before the HELLO wait of %v", took, e.hello)
	}
	return nil
}

// silent sends HELLO and then nothing, answering no PING: the broker must
// send ERR stale_connection and close within ping_interval × (max_pings_out
// + 1) + 2s and not before ping_interval × max_pings_out (PROTOCOL.md 13.2,
// plus the soak's scheduling slack). Half the time it reads as frames come;
// the other half it reads nothing until the deadline has passed, with a
// small receive buffer, like a peer that vanished without a FIN.
func (e *env) silent(ctx context.Context) error {
	reading := rand.IntN(2) == 0
	rcv := 0
	if !reading {
		rcv = 4 << 10
	}
	c, err := e.dial(ctx, rcv)
	if err != nil {
		return err
	}
	defer c.close()
	if err := c.hello("silent"); err != nil {
		return err
	}
	start := time.Now()
	early := e.ping * time.Duration(e.pings)
	late := e.ping*time.Duration(e.pings+1) + 2*time.Second + e.slack
	if !reading {
		select {
		case <-time.After(late):
		case <-ctx.Done():
			return nil
		}
		if err := e.expectStale(c, time.Now().Add(time.Second)); err != nil {
			return fmt.Errorf("silent, not reading: %w", err)
		}
		return nil
	}
	if err := e.expectStale(c, start.Add(late)); err != nil {
		return fmt.Errorf("silent: %w", err)
	}
	if took := time.Since(start); took < early-e.slack/4 {
		return fmt.Errorf("silent: closed as stale after %v, before %v", took, early)
	}
	return nil
}

// expectStale reads WELCOME and PINGs (unanswered) until ERR
// stale_connection, then requires the connection to end.
func (e *env) expectStale(c *client, deadline time.Time) error {
	for {
		f, err := c.read(deadline)
		if err != nil {
			return fmt.Errorf("waiting for ERR stale_connection: %w", err)
		}
		switch f.op {
		case wire.OpWelcome, wire.OpPing:
			continue
		case wire.OpErr:
			var x wire.Error
			if err := x.Decode(f.body); err != nil {
				return err
			}
			e.t.outcome("half-open: ERR " + string(x.Code))
			if x.Code != wire.CodeStaleConnection {
				return fmt.Errorf("got ERR %s (%s), want stale_connection", x.Code, x.Message)
			}
			return expectEnd(c, deadline)
		default:
			return fmt.Errorf("got %v waiting for ERR stale_connection", f.op)
		}
	}
}

// expectEnd requires the broker to close the connection with nothing more
// sent.
func expectEnd(c *client, deadline time.Time) error {
	f, err := c.read(deadline)
	switch {
	case err == nil:
		return fmt.Errorf("%v after a fatal ERR", f.op)
	case closedByPeer(err):
		return nil
	default:
		return fmt.Errorf("waiting for the close after a fatal ERR: %w", err)
	}
}
