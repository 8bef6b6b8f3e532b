package herald

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/heraldmq/herald/spec/wire"
	"github.com/nats-io/nuid"
)

// InboxPrefix starts the channel of every request inbox.
const InboxPrefix = "/_inbox/"

// inbox routes replies: one wildcard subscription per connection,
// /_inbox/<nuid>/>, and one reply channel per request under it.
type inbox struct {
	prefix  string // "/_inbox/<nuid>/"
	mu      sync.Mutex
	sub     *Subscription
	n       uint64
	waiters map[string]chan *Msg
}

func (in *inbox) init() {
	in.prefix = InboxPrefix + nuid.Next() + "/"
	in.waiters = make(map[string]chan *Msg)
}

// NewInbox returns a channel unique to this connection's inbox, suitable as
// a reply-to for your own request patterns.
func (c *Conn) NewInbox() string {
	c.inbox.mu.Lock()
	defer c.inbox.mu.Unlock()
	c.inbox.n++
	return c.inbox.prefix + "x" + strconv.FormatUint(c.inbox.n, 36)
}

// register returns a fresh reply channel and where its reply will arrive,
// subscribing the inbox on first use.
func (c *Conn) register() (string, chan *Msg, error) {
	in := &c.inbox
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.sub == nil {
		s, err := c.subscribe(in.prefix+">", in.deliver, subConfig{internal: true})
		if err != nil {
			return "", nil, err
		}
		in.sub = s
	}
	in.n++
	reply := in.prefix + strconv.FormatUint(in.n, 36)
	ch := make(chan *Msg, 1)
	in.waiters[reply] = ch
	return reply, ch, nil
}

func (c *Conn) unregister(reply string) {
	c.inbox.mu.Lock()
	delete(c.inbox.waiters, reply)
	c.inbox.mu.Unlock()
}

// deliver hands a reply to its request; replies nobody waits for (late, or
// a second reply) are dropped.
func (in *inbox) deliver(m *Msg) {
	if !strings.HasPrefix(m.Channel, in.prefix) {
		return
	}
	in.mu.Lock()
	ch := in.waiters[m.Channel]
	in.mu.Unlock()
	if ch != nil {
		select {
		case ch <- m:
		default:
		}
	}
}

// Request publishes data to channel with a reply-to of this connection's
// inbox and returns the first reply. It waits until ctx ends, or for the
// WithRequestTimeout default when ctx has no deadline. Errors: ErrTimeout
// (with context.DeadlineExceeded) when no reply came in time,
// ErrNoResponders when no subscriber received the request (PROTOCOL.md
// 7.10; the server must announce "no_responders", or the request times out
// instead), ctx.Err() when ctx was cancelled.
func (c *Conn) Request(ctx context.Context, channel string, data []byte, opts ...PubOption) (*Msg, error) {
	if !wire.ValidChannel([]byte(channel)) {
		return nil, fmt.Errorf("%w %q: want /segment/segment... of printable ASCII without wildcards (PROTOCOL.md 5.1)", ErrInvalidChannel, channel)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.requestTimeout)
		defer cancel()
	}
	reply, ch, err := c.register()
	if err != nil {
		return nil, err
	}
	defer c.unregister(reply)
	if err := c.Publish(ctx, channel, data, append(opts, WithReplyTo(reply))...); err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		if m.isNoResponders() {
			return nil, fmt.Errorf("%w on %s", ErrNoResponders, channel)
		}
		return m, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w: no reply on %s: %w", ErrTimeout, channel, ctx.Err())
		}
		return nil, ctx.Err()
	case <-c.done:
		return nil, ErrConnectionClosed
	}
}
