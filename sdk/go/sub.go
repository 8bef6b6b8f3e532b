package herald

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"

	"github.com/heraldmq/herald/spec/wire"
)

// Subscription is a pattern registered with the broker. Messages are handed
// to its handler (Subscribe) or taken with Next and Messages
// (SubscribePull). It survives reconnects: the client subscribes again in
// each new session. Its methods are safe for concurrent use.
type Subscription struct {
	c        *Conn
	sid      uint32
	pattern  string
	queue    string
	prefetch uint32
	handler  MsgHandler
	internal bool
	maxMsgs  int
	maxBytes int

	notify chan struct{} // a message was queued (capacity 1)
	endCh  chan struct{} // closed when no more messages will be queued
	finCh  chan struct{} // closed when ended, empty, and no handler runs

	mu       sync.Mutex
	q        []*Msg
	head     int
	bytes    int
	inFlight int
	ended    bool
	finished bool
	err      error
	draining bool
	lastSeq  uint64
	endSeq   uint64 // auto-unsubscribe: the last seq to deliver; 0 for none
	wasLive  bool   // its session was lost: report a reconnect gap
	stopCtx  func() bool

	notified, gaps, dropped, reconnects atomic.Uint64
}

// Subscribe subscribes to pattern (PROTOCOL.md 5.2: "/orders/*",
// "/orders/>") and calls h for each message, one at a time, on a goroutine
// of the subscription's own. A panic in h is recovered and reported through
// the error handler (ErrHandlerPanic). Messages wait in the subscription
// until h takes them, within its pending limits (WithPendingLimits).
func (c *Conn) Subscribe(pattern string, h MsgHandler, opts ...SubOption) (*Subscription, error) {
	if h == nil {
		return nil, ErrNilHandler
	}
	return c.subscribe(pattern, h, buildSubConfig(opts))
}

// SubscribePull subscribes to pattern; take messages with Next or Messages.
func (c *Conn) SubscribePull(pattern string, opts ...SubOption) (*Subscription, error) {
	return c.subscribe(pattern, nil, buildSubConfig(opts))
}

func buildSubConfig(opts []SubOption) subConfig {
	cfg := subConfig{pendingMsgs: DefaultPendingMsgs, pendingBytes: DefaultPendingBytes}
	for _, o := range opts {
		o.applySub(&cfg)
	}
	return cfg
}

func (c *Conn) subscribe(pattern string, h MsgHandler, cfg subConfig) (*Subscription, error) {
	if !wire.ValidPattern([]byte(pattern)) {
		return nil, fmt.Errorf("%w %q: want /segment/... with whole-segment * or a final > (PROTOCOL.md 5.2)", ErrInvalidPattern, pattern)
	}
	if cfg.queue != "" && !wire.ValidQueue([]byte(cfg.queue)) {
		return nil, fmt.Errorf("%w %q: want 1 to 64 bytes of printable ASCII (PROTOCOL.md 5.5)", ErrInvalidQueueGroup, cfg.queue)
	}
	rotates := cfg.queue != "" || wire.IsQueuePattern([]byte(pattern))
	if cfg.prefetch > 0 && !rotates {
		return nil, fmt.Errorf("%w: prefetch on %q", ErrNotQueue, pattern)
	}
	s := &Subscription{
		c: c, pattern: pattern, queue: cfg.queue, prefetch: uint32(min(max(cfg.prefetch, 0), wire.MaxSid)),
		handler: h, internal: cfg.internal, maxMsgs: cfg.pendingMsgs, maxBytes: cfg.pendingBytes,
		notify: make(chan struct{}, 1), endCh: make(chan struct{}), finCh: make(chan struct{}),
	}
	c.mu.Lock()
	switch {
	case c.status == Closed:
		c.mu.Unlock()
		return nil, ErrConnectionClosed
	case c.status == Draining && !cfg.internal:
		c.mu.Unlock()
		return nil, ErrConnectionDraining
	case s.prefetch > 0 && !c.welcome.Has(wire.CapPrefetch):
		c.mu.Unlock()
		return nil, fmt.Errorf("%w: prefetch (capability %q)", ErrNotSupported, wire.CapPrefetch)
	}
	c.nextSid++
	if c.nextSid == 0 {
		c.nextSid = 1
	}
	s.sid = c.nextSid
	c.subsMu.Lock()
	c.subs[s.sid] = s
	c.subsMu.Unlock()
	if c.tr != nil {
		c.out = s.subFrame(c.out)
		c.wakeWriter()
	}
	c.mu.Unlock()
	if h != nil {
		go s.deliverLoop(h)
	}
	if cfg.ctx != nil {
		stop := context.AfterFunc(cfg.ctx, func() { s.Unsubscribe() })
		s.mu.Lock()
		s.stopCtx = stop
		s.mu.Unlock()
	}
	return s, nil
}

// Pattern returns the pattern subscribed to.
func (s *Subscription) Pattern() string { return s.pattern }

// Queue returns the queue group, or "".
func (s *Subscription) Queue() string { return s.queue }

// Dropped returns what the subscription has lost so far, by source: counted
// by broker NOTICEs, seen as sequence gaps, dropped by the client at its
// pending limits, and reconnects (each a loss of unknown size). Each loss is
// also reported through the error handler as a *LossError.
func (s *Subscription) Dropped() Drops {
	return Drops{Notified: s.notified.Load(), Gaps: s.gaps.Load(), Client: s.dropped.Load(), Reconnects: s.reconnects.Load()}
}

// Pending returns the messages, and their bytes, waiting to be taken.
func (s *Subscription) Pending() (msgs, bytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.q) - s.head, s.bytes
}

// Err returns nil while the subscription is live, then the error Next
// returns once it is empty: ErrSubscriptionClosed, wrapping the cause when
// the server refused the subscription (a *wire.Error) or the connection
// closed.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		return nil
	}
	if s.err == nil {
		return ErrSubscriptionClosed
	}
	return s.err
}

// Next returns the next message of a pull subscription, waiting up to ctx.
// Once the subscription has ended it returns the messages still pending,
// then Err().
func (s *Subscription) Next(ctx context.Context) (*Msg, error) {
	if s.handler != nil {
		return nil, ErrNotPull
	}
	return s.next(ctx, false)
}

// Messages returns an iterator over the messages of a pull subscription. It
// ends when ctx ends or the subscription has ended and is empty; Err tells
// why.
//
//	for m := range sub.Messages(ctx) {
//		fmt.Printf("%s: %s\n", m.Channel, m.Data)
//	}
func (s *Subscription) Messages(ctx context.Context) iter.Seq[*Msg] {
	return func(yield func(*Msg) bool) {
		for {
			m, err := s.Next(ctx)
			if err != nil || !yield(m) {
				return
			}
		}
	}
}

// Unsubscribe ends the subscription at once; messages not yet taken are
// discarded. It is safe to call more than once, and after the subscription
// ended in any other way, and always returns nil then.
func (s *Subscription) Unsubscribe() error {
	s.c.removeSub(s, true)
	s.end(nil, true)
	return nil
}

// AutoUnsubscribe ends the subscription after n more messages: the client
// delivers exactly the next n sequence numbers and the server stops at the
// last of them (UNSUB max is that absolute seq, PROTOCOL.md 6.8). n <= 0
// unsubscribes at once.
func (s *Subscription) AutoUnsubscribe(n int) error {
	if n <= 0 {
		return s.Unsubscribe()
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return s.errLocked()
	}
	s.endSeq = s.lastSeq + uint64(n)
	s.mu.Unlock()
	if c.tr != nil && c.sub(s.sid) == s {
		c.out = (&wire.Unsub{Sid: s.sid, Max: s.endSeq}).Append(c.out)
		c.wakeWriter()
	}
	return nil
}

// Drain stops the subscription taking new messages (UNSUB, then a PING
// barrier so nothing more can arrive) and waits, up to ctx, for the messages
// it holds to be handled (a pull subscription: taken with Next).
func (s *Subscription) Drain(ctx context.Context) error {
	c := s.c
	c.mu.Lock()
	s.mu.Lock()
	s.draining = true
	s.mu.Unlock()
	if c.tr != nil && c.sub(s.sid) == s {
		c.out = (&wire.Unsub{Sid: s.sid}).Append(c.out)
		c.wakeWriter()
	}
	c.mu.Unlock()
	err := c.Flush(ctx)
	c.removeSub(s, false)
	s.end(nil, false)
	if err != nil {
		return err
	}
	select {
	case <-s.finCh:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrDrainTimeout, ctx.Err())
	}
}

func (s *Subscription) errLocked() error {
	if s.err == nil {
		return ErrSubscriptionClosed
	}
	return s.err
}

// removeSub forgets s, sending UNSUB when asked and a session is up.
func (c *Conn) removeSub(s *Subscription, unsub bool) {
	c.mu.Lock()
	c.subsMu.Lock()
	live := c.subs[s.sid] == s
	if live {
		delete(c.subs, s.sid)
	}
	c.subsMu.Unlock()
	if live && unsub && c.tr != nil {
		c.out = (&wire.Unsub{Sid: s.sid}).Append(c.out)
		c.wakeWriter()
	}
	c.mu.Unlock()
}

// subFrame appends the subscription's SUB frame.
func (s *Subscription) subFrame(b []byte) []byte {
	f := wire.Sub{Sid: s.sid, Pattern: []byte(s.pattern), Prefetch: s.prefetch}
	if s.queue != "" {
		f.Queue = []byte(s.queue)
	}
	return f.Append(b)
}
