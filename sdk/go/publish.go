package herald

import (
	"context"
	"fmt"

	"github.com/heraldmq/herald/spec/wire"
)

// PubOption configures one Publish or Request.
type PubOption func(*pubOptions)

type pubOptions struct {
	headers map[string]string
	replyTo string
}

// WithHeaders attaches headers to the message (PROTOCOL.md 3, PUB headers).
// Defaults to none.
func WithHeaders(h map[string]string) PubOption { return func(o *pubOptions) { o.headers = h } }

// WithReplyTo sets the channel a receiver should reply to. Defaults to none.
// (Request sets it for you.)
func WithReplyTo(channel string) PubOption { return func(o *pubOptions) { o.replyTo = channel } }

// Publish sends data to channel. It returns once the message is queued for
// the writer, which coalesces queued frames into few writes; use Flush to
// know the broker has processed it. There is no acknowledgement: delivery is
// at most once.
//
// While reconnecting, publishes are buffered (see WithReconnectBufSize) and
// sent first thing after the subscriptions are restored; one that does not
// fit fails with ErrReconnectBufExceeded. A publish larger than the server's
// max_payload fails with ErrPayloadTooLarge. When the writer is far behind,
// Publish waits for it, up to ctx.
func (c *Conn) Publish(ctx context.Context, channel string, data []byte, opts ...PubOption) error {
	if !wire.ValidChannel([]byte(channel)) {
		return fmt.Errorf("%w %q: want /segment/segment... of printable ASCII without wildcards (PROTOCOL.md 5.1)", ErrInvalidChannel, channel)
	}
	var po pubOptions
	for _, o := range opts {
		o(&po)
	}
	if po.replyTo != "" && !wire.ValidChannel([]byte(po.replyTo)) {
		return fmt.Errorf("%w: reply-to %q (PROTOCOL.md 5.1)", ErrInvalidChannel, po.replyTo)
	}
	p := wire.Pub{Channel: []byte(channel), Payload: data, Headers: wire.EncodeHeaders(po.headers)}
	if po.replyTo != "" {
		p.ReplyTo = []byte(po.replyTo)
	}
	return c.publish(ctx, &p)
}

// publish queues one PUB frame.
func (c *Conn) publish(ctx context.Context, p *wire.Pub) error {
	c.mu.Lock()
	for {
		if c.status == Closed {
			c.mu.Unlock()
			return ErrConnectionClosed
		}
		if max := c.welcome.MaxPayload; max > 0 && uint64(len(p.Payload)) > max {
			c.mu.Unlock()
			return fmt.Errorf("%w: %d bytes, the server's max_payload is %d", ErrPayloadTooLarge, len(p.Payload), max)
		}
		if c.tr == nil || c.status == Reconnecting {
			start := len(c.out)
			c.out = p.Append(c.out)
			if len(c.out) > c.opts.reconnectBufSize {
				c.out = c.out[:start]
				c.mu.Unlock()
				return fmt.Errorf("%w (%d bytes; see WithReconnectBufSize)", ErrReconnectBufExceeded, c.opts.reconnectBufSize)
			}
			c.mu.Unlock()
			return nil
		}
		if len(c.out) < DefaultWriteBufSize {
			c.out = p.Append(c.out)
			c.wakeWriter()
			c.mu.Unlock()
			return nil
		}
		if c.space == nil {
			c.space = make(chan struct{})
		}
		space := c.space
		c.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return ErrConnectionClosed
		}
		c.mu.Lock()
	}
}

// Flush returns once the broker has processed everything this connection
// sent before the call: publishes routed, subscriptions in effect (a PING
// answered by PONG, PROTOCOL.md 9.2). While reconnecting it waits for the
// next session, where it follows the buffered publishes.
func (c *Conn) Flush(ctx context.Context) error {
	c.mu.Lock()
	if c.status == Closed {
		c.mu.Unlock()
		return ErrConnectionClosed
	}
	ch := make(chan struct{})
	c.pongs = append(c.pongs, ch)
	c.queueControl(wire.AppendPing)
	c.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return ErrConnectionClosed
	}
}
