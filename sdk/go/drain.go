package herald

import (
	"context"
	"fmt"

	"github.com/heraldmq/herald/spec/wire"
)

// Drain ends the connection gracefully: every subscription stops taking new
// messages (UNSUB, then a PING barrier), the messages they hold are handled
// (pull subscriptions: taken with Next), what was published meanwhile
// (replies from handlers, say) is flushed, then the connection closes.
// Publish and Request keep working until the close; Subscribe fails with
// ErrConnectionDraining. When ctx ends first, Drain closes the connection
// anyway and returns an error wrapping ErrDrainTimeout.
func (c *Conn) Drain(ctx context.Context) error {
	c.mu.Lock()
	switch c.status {
	case Closed:
		c.mu.Unlock()
		return ErrConnectionClosed
	case Draining:
		c.mu.Unlock()
		return ErrConnectionDraining
	}
	c.status = Draining
	c.mu.Unlock()

	var subs []*Subscription
	for _, s := range c.liveSubs() {
		if !s.internal {
			subs = append(subs, s)
		}
	}
	err := c.drainSubs(ctx, subs)
	if err == nil {
		err = c.Flush(ctx)
	}
	c.Close()
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrDrainTimeout, err)
	}
	return err
}

// drainSubs drains subs together: one barrier for all of them.
func (c *Conn) drainSubs(ctx context.Context, subs []*Subscription) error {
	c.mu.Lock()
	for _, s := range subs {
		s.mu.Lock()
		s.draining = true
		s.mu.Unlock()
		u := wire.Unsub{Sid: s.sid}
		c.queueControl(u.Append)
	}
	c.mu.Unlock()
	err := c.Flush(ctx)
	for _, s := range subs {
		c.removeSub(s, false)
		s.end(nil, false)
	}
	if err != nil {
		return err
	}
	for _, s := range subs {
		select {
		case <-s.finCh:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
