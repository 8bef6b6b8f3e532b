package herald

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// supervise owns the connection's lifecycle: it keeps the session alive with
// pings, notices its loss, reconnects, and finally closes the Conn.
func (c *Conn) supervise(t *transport) {
	for {
		reason := c.watch(t)
		closing := c.ctx.Err() != nil
		if closing {
			t.shutdown()
		}
		t.wait()
		c.lost(t, reason)
		if closing {
			c.finish(nil)
			return
		}
		c.opts.logger.Warn("herald: disconnected", "url", c.servers[c.cur].url, "err", reason)
		c.events.push(&event{kind: evDisconnect, err: reason})
		if !c.opts.reconnect {
			c.finish(reason)
			return
		}
		start := time.Now()
		nt, err := c.reconnect()
		if nt == nil {
			c.finish(err)
			return
		}
		t = nt
		c.reconnects.Add(1)
		c.opts.logger.Debug("herald: reconnected", "url", c.servers[c.cur].url, "after", time.Since(start))
		c.events.push(&event{kind: evReconnect})
		for _, s := range c.liveSubs() {
			s.reportReconnectGap()
		}
	}
}

// watch returns when the transport fails or the Conn is closed, sending
// keepalive pings meanwhile.
func (c *Conn) watch(t *transport) error {
	var tick <-chan time.Time
	if c.opts.pingInterval > 0 {
		tk := time.NewTicker(c.opts.pingInterval)
		defer tk.Stop()
		tick = tk.C
	}
	for {
		select {
		case <-t.dead:
			return t.err
		case <-c.ctx.Done():
			return ErrConnectionClosed
		case <-tick:
			c.mu.Lock()
			if c.pingsOut >= c.opts.maxPingsOut {
				c.mu.Unlock()
				t.fail(ErrStaleConnection)
				continue
			}
			c.pingsOut++
			c.pongs = append(c.pongs, nil)
			c.queueControl(wire.AppendPing)
			c.mu.Unlock()
		}
	}
}

// lost records the end of transport t: publishes it had not written are kept
// for the next session, other frames are dropped (the next session restores
// subscriptions and re-sends one PING per waiting Flush).
func (c *Conn) lost(t *transport, reason error) {
	c.mu.Lock()
	pubs := appendPubs(nil, t.tail)
	c.out = appendPubs(pubs, c.out)
	c.tr = nil
	c.pingsOut = 0
	waiting := c.pongs[:0]
	for _, ch := range c.pongs {
		if ch != nil {
			waiting = append(waiting, ch)
		}
	}
	clear(c.pongs[len(waiting):])
	c.pongs = waiting
	c.lastErr = reason
	if c.space != nil { // publishers waiting for the writer re-evaluate
		close(c.space)
		c.space = nil
	}
	if c.status == Connected {
		c.status = Reconnecting
	}
	c.mu.Unlock()
	for _, s := range c.liveSubs() {
		s.connectionLost()
	}
}

// reconnect tries the servers, starting with the one just lost, until one
// accepts a session, the attempts run out, or the Conn is closed.
func (c *Conn) reconnect() (*transport, error) {
	var lastErr error
	attempts := 0
	n := len(c.servers)
	c.mu.Lock()
	first := c.cur
	c.mu.Unlock()
	for round := 0; ; round++ {
		if round > 0 {
			timer := time.NewTimer(c.opts.backoff(round - 1))
			select {
			case <-timer.C:
			case <-c.ctx.Done():
				timer.Stop()
				return nil, ErrConnectionClosed
			}
		}
		for k := range n {
			if c.opts.maxReconnects >= 0 && attempts >= c.opts.maxReconnects {
				return nil, fmt.Errorf("herald: gave up reconnecting after %d attempts: %w", attempts, lastErr)
			}
			if c.ctx.Err() != nil {
				return nil, ErrConnectionClosed
			}
			attempts++
			t, err := c.connectTo(c.ctx, (first+k)%n)
			if err == nil {
				return t, nil
			}
			lastErr = err
			c.opts.logger.Debug("herald: reconnect attempt failed", "url", c.servers[(first+k)%n].url, "err", err)
		}
	}
}

// backoff returns the wait after the given round of failed attempts.
func (o *options) backoff(round int) time.Duration {
	d := o.reconnectMax
	if round < 30 && o.reconnectMin<<round < o.reconnectMax {
		d = o.reconnectMin << round
	}
	if o.jitter > 0 {
		d -= time.Duration(rand.Float64() * min(o.jitter, 1) * float64(d))
	}
	return d
}

// finish closes the Conn for good: pending work is failed, subscriptions end,
// and the closed callback is queued last.
func (c *Conn) finish(reason error) {
	c.mu.Lock()
	c.status = Closed
	lost := countPubs(c.out)
	c.out, c.spare, c.pongs = nil, nil, nil
	if reason != nil {
		c.lastErr = reason
	}
	c.mu.Unlock()
	c.cancel()
	for _, s := range c.liveSubs() {
		c.removeSub(s, false)
		s.end(fmt.Errorf("%w: %w", ErrSubscriptionClosed, ErrConnectionClosed), true)
	}
	if reason != nil {
		c.opts.logger.Warn("herald: closed", "err", reason)
	}
	if lost > 0 {
		c.events.errorf(nil, fmt.Errorf("%w: %d buffered publishes were never sent", ErrConnectionClosed, lost))
	}
	c.events.push(&event{kind: evClosed})
	close(c.done)
}
