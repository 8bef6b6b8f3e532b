package herald

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/heraldmq/herald/spec/wire"
)

// Conn is a client connection to a Herald broker, re-established
// transparently after a loss (see WithReconnect). It is safe for concurrent
// use. Create one with Connect; end it with Drain or Close.
type Conn struct {
	opts    options
	servers []server

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	done   chan struct{} // closed once the Conn is Closed and its network goroutines have exited

	mu       sync.Mutex
	status   Status
	tr       *transport      // where frames go; nil while disconnected
	gen      uint64          // generation of the latest transport
	cur      int             // index in servers of the server in use or last tried
	out      []byte          // whole frames for the writer; while disconnected, PUB frames only
	spare    []byte          // a buffer for out, recycled by the writer
	wake     chan struct{}   // tells the writer out is not empty (capacity 1)
	space    chan struct{}   // closed when the writer takes out; nil when nobody waits
	pongs    []chan struct{} // one entry per PING sent, in order; nil for keepalive pings
	pingsOut int
	welcome  wire.Welcome
	lastErr  error

	subsMu  sync.RWMutex
	subs    map[uint32]*Subscription
	nextSid uint32

	inbox      inbox
	events     dispatcher
	reconnects atomic.Uint64
}

// Connect connects to the first reachable server of url, a comma-separated
// list of herald://host[:port] (plain TCP) or heralds://host[:port] (TLS)
// URLs, the port defaulting to 7420. The other servers are used, in order,
// if that one is lost. ctx bounds the initial connection only.
//
// Connect returns an error wrapping ErrNoServers and the last server's error
// (a *wire.Error such as wire.ErrAuthFailed, or a network error) when no
// server accepts the session.
func Connect(ctx context.Context, url string, opts ...Option) (*Conn, error) {
	servers, err := parseURLs(url)
	if err != nil {
		return nil, err
	}
	c := &Conn{
		opts:    defaultOptions(),
		servers: servers,
		done:    make(chan struct{}),
		wake:    make(chan struct{}, 1),
		subs:    make(map[uint32]*Subscription),
	}
	for _, o := range opts {
		o(&c.opts)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.inbox.init()
	c.events.start(c)
	var lastErr error
	for i := range c.servers {
		t, err := c.connectTo(ctx, i)
		if err == nil {
			go c.supervise(t)
			return c, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	c.cancel()
	c.events.push(&event{kind: evQuit})
	return nil, fmt.Errorf("%w: %w", ErrNoServers, lastErr)
}

// Status returns the connection's current state.
func (c *Conn) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// ConnectedURL returns the URL of the server in use, or "" while
// disconnected.
func (c *Conn) ConnectedURL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tr == nil || c.status != Connected && c.status != Draining {
		return ""
	}
	return c.servers[c.cur].url
}

// ServerInfo returns the WELCOME of the latest server session: its limits
// and capabilities.
func (c *Conn) ServerInfo() wire.Welcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.welcome
	w.Capabilities = append([]string(nil), w.Capabilities...)
	return w
}

// Reconnects returns how many times the connection has been re-established.
func (c *Conn) Reconnects() uint64 { return c.reconnects.Load() }

// LastError returns the reason the latest session ended, or nil.
func (c *Conn) LastError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

// Close closes the connection at once: frames already queued are written
// (for at most a second), subscriptions end and their pending messages are
// discarded, and calls in progress fail with ErrConnectionClosed. Publishes
// still buffered for a reconnect are reported through the error handler.
// Close waits for the network goroutines but not for message handlers that
// are running (use Drain for that). Calling Close again does nothing.
func (c *Conn) Close() {
	c.mu.Lock()
	if c.status != Closed {
		c.status = Closed
	}
	c.mu.Unlock()
	c.cancel()
	<-c.done
}

// wakeWriter tells the writer that out has frames. c.mu is held.
func (c *Conn) wakeWriter() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// queueControl appends a control frame when a transport is up. c.mu is held.
func (c *Conn) queueControl(frame func([]byte) []byte) {
	if c.tr != nil {
		c.out = frame(c.out)
		c.wakeWriter()
	}
}

// sub returns the live subscription with that sid, or nil.
func (c *Conn) sub(sid uint32) *Subscription {
	c.subsMu.RLock()
	s := c.subs[sid]
	c.subsMu.RUnlock()
	return s
}

// liveSubs returns the registered subscriptions.
func (c *Conn) liveSubs() []*Subscription {
	c.subsMu.RLock()
	defer c.subsMu.RUnlock()
	out := make([]*Subscription, 0, len(c.subs))
	for _, s := range c.subs {
		out = append(out, s)
	}
	return out
}
