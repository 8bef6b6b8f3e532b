package probe

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// Match selects frames from the inbox.
type Match func(Frame) bool

// Any matches every frame.
func Any(Frame) bool { return true }

// MsgOrNoticeOn matches a MSG or NOTICE of subscription sid.
func MsgOrNoticeOn(sid uint32) Match {
	return func(f Frame) bool {
		return (f.Op == wire.OpMsg && f.Msg.Sid == sid) || (f.Op == wire.OpNotice && f.Notice.Sid == sid)
	}
}

// MsgOn matches a MSG of subscription sid.
func MsgOn(sid uint32) Match {
	return func(f Frame) bool { return f.Op == wire.OpMsg && f.Msg.Sid == sid }
}

// Op matches frames of one op.
func Op(op wire.Op) Match { return func(f Frame) bool { return f.Op == op } }

// waitFor waits until cond (called with c.mu held) returns true, the
// connection fails or the deadline passes. cond may also return an error to
// stop waiting.
func (c *Conn) waitFor(what string, d time.Duration, cond func() (bool, error)) error {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		ok, err := cond()
		fault, closed, readErr, ch := c.fault, c.closed, c.readErr, c.changed
		c.mu.Unlock()
		switch {
		case err != nil:
			return err
		case ok:
			return nil
		case fault != nil:
			return fmt.Errorf("%s: waiting for %s: %w", c.Name, what, fault)
		case closed:
			return fmt.Errorf("%s: connection closed (%s) while waiting for %s%s", c.Name, describeEnd(readErr), what, c.inboxNote())
		}
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("%s: no %s within %v%s", c.Name, what, d, c.inboxNote())
		}
	}
}

// Next waits for the first inbox frame that m accepts and takes it out of
// the inbox. Frames before it stay where they are.
func (c *Conn) Next(what string, m Match) (Frame, error) {
	return c.NextWithin(what, m, c.timeout)
}

// NextWithin is Next with an explicit deadline.
func (c *Conn) NextWithin(what string, m Match, d time.Duration) (Frame, error) {
	var got Frame
	err := c.waitFor(what, d, func() (bool, error) {
		for i, f := range c.inbox {
			if m(f) {
				got = f
				c.inbox = append(c.inbox[:i:i], c.inbox[i+1:]...)
				return true, nil
			}
		}
		return false, nil
	})
	return got, err
}

// Pending returns, without taking them, the inbox frames m accepts.
func (c *Conn) Pending(m Match) []Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Frame
	for _, f := range c.inbox {
		if m(f) {
			out = append(out, f)
		}
	}
	return out
}

// Drop removes from the inbox the frames m accepts and returns how many.
func (c *Conn) Drop(m Match) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	keep := c.inbox[:0]
	for _, f := range c.inbox {
		if !m(f) {
			keep = append(keep, f)
		}
	}
	n := len(c.inbox) - len(keep)
	c.inbox = keep
	return n
}

// Barrier sends PING and waits for the PONG that answers it. The server sends
// PONG only after it has processed every frame sent before the PING (9.2).
func (c *Conn) Barrier() error {
	c.mu.Lock()
	c.pingsSent++
	want := c.pingsSent
	c.mu.Unlock()
	if err := c.Send(wire.AppendPing(nil)); err != nil {
		return err
	}
	return c.waitFor("PONG", c.timeout, func() (bool, error) { return c.pongs >= want, nil })
}

// SentPing records a PING that the caller wrote itself (in a batch), so that
// WaitPong can wait for its PONG.
func (c *Conn) SentPing() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pingsSent++
	return c.pingsSent
}

// PingsSent returns how many PINGs the client has sent through Barrier or
// recorded with SentPing.
func (c *Conn) PingsSent() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pingsSent
}

// WaitPong waits until the server has answered n PINGs.
func (c *Conn) WaitPong(n int) error {
	return c.waitFor("PONG", c.timeout, func() (bool, error) { return c.pongs >= n, nil })
}

// PongArrival returns the arrival number (Frame.N) of the k-th PONG
// (counting from 1), or 0 if it has not arrived.
func (c *Conn) PongArrival(k int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k < 1 || k > len(c.pongAt) {
		return 0
	}
	return c.pongAt[k-1]
}

// Pongs returns how many PONGs have arrived.
func (c *Conn) Pongs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pongs
}

// WaitPings waits up to d until the server has sent at least n PINGs and
// returns when each arrived.
func (c *Conn) WaitPings(n int, d time.Duration) ([]time.Time, error) {
	var at []time.Time
	err := c.waitFor(fmt.Sprintf("%d PINGs from the server", n), d, func() (bool, error) {
		at = append(at[:0], c.pings...)
		return len(c.pings) >= n, nil
	})
	return at, err
}

// WaitClosed waits up to the Conn's timeout for the server to close the
// connection, and fails if a frame other than those already taken is left
// unread when it does.
func (c *Conn) WaitClosed() error {
	return c.WaitClosedWithin(c.timeout)
}

// WaitClosedWithin is WaitClosed with an explicit deadline.
func (c *Conn) WaitClosedWithin(d time.Duration) error {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		closed, fault, readErr, ch := c.closed, c.fault, c.readErr, c.changed
		c.mu.Unlock()
		if fault != nil {
			return fmt.Errorf("%s: %w", c.Name, fault)
		}
		if closed {
			if !orderly(readErr) {
				return fmt.Errorf("%s: the connection ended with %v", c.Name, readErr)
			}
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("%s: the server did not close the connection within %v%s", c.Name, d, c.inboxNote())
		}
	}
}

// Fault returns the protocol fault the server committed on this connection,
// if any.
func (c *Conn) Fault() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fault
}

func (c *Conn) inboxNote() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.inbox) == 0 {
		return "; nothing else arrived"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "; the inbox holds %d frame(s):", len(c.inbox))
	for i, f := range c.inbox {
		if i == 5 {
			fmt.Fprintf(&b, " ...")
			break
		}
		fmt.Fprintf(&b, " [%s]", f)
	}
	return b.String()
}

func describeEnd(err error) string {
	switch {
	case err == nil:
		return "no error"
	case orderly(err):
		return "closed by the server"
	}
	return err.Error()
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
