package herald

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// transport is one network session with a server. Its reader and writer
// goroutines exit when it fails; the supervisor then replaces it.
type transport struct {
	nc     net.Conn
	r      *wire.Reader
	gen    uint64
	dead   chan struct{} // closed by fail
	once   sync.Once
	err    error
	stop   chan struct{} // asks the writer to write what is queued and exit
	wdone  chan struct{} // closed when the writer exits
	rdone  chan struct{} // closed when the reader exits
	tail   []byte        // frames the writer could not write (guarded by Conn.mu)
	closed bool          // stop was closed
}

// fail ends the transport with err (the first reason wins).
func (t *transport) fail(err error) {
	t.once.Do(func() {
		t.err = err
		close(t.dead)
		t.nc.Close()
	})
}

// dial opens a network connection to server i.
func (c *Conn) dial(ctx context.Context, s *server) (net.Conn, error) {
	d := net.Dialer{}
	if c.opts.tls == nil && !s.tls {
		return d.DialContext(ctx, "tcp", s.addr)
	}
	cfg := c.opts.tls
	if cfg == nil {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg = cfg.Clone()
		cfg.ServerName = s.host
	}
	td := tls.Dialer{NetDialer: &d, Config: cfg}
	return td.DialContext(ctx, "tcp", s.addr)
}

// connectTo dials server i and opens a session: HELLO pipelined with a SUB
// for every live subscription, then WELCOME. Publishes buffered meanwhile
// follow the SUBs, then one PING per Flush still waiting. On success the
// transport's goroutines are running and the status is Connected.
func (c *Conn) connectTo(ctx context.Context, i int) (*transport, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.connectTimeout)
	defer cancel()
	s := &c.servers[i]
	nc, err := c.dial(ctx, s)
	if err != nil {
		return nil, err
	}
	t := &transport{
		nc:    nc,
		r:     wire.NewReader(nc, wire.MaxHelloFrame),
		dead:  make(chan struct{}),
		stop:  make(chan struct{}),
		wdone: make(chan struct{}),
		rdone: make(chan struct{}),
	}
	c.mu.Lock()
	if c.status == Closed {
		c.mu.Unlock()
		nc.Close()
		return nil, ErrConnectionClosed
	}
	c.gen++
	t.gen = c.gen
	c.tr = t
	hs := (&wire.Hello{Version: wire.Version, Name: c.opts.name, User: c.opts.user, Token: c.opts.token,
		Echo: !c.opts.noEcho, Headers: true, NoResponders: true}).Append(nil)
	hs = c.appendRestore(hs, t.gen)
	for range c.pongs {
		c.out = wire.AppendPing(c.out)
	}
	c.mu.Unlock()

	stopAbort := context.AfterFunc(ctx, func() { nc.Close() })
	w, err := handshake(t, hs)
	aborted := !stopAbort()
	if err == nil && aborted {
		err = ctx.Err()
	}
	if err != nil {
		nc.Close()
		c.mu.Lock()
		c.tr = nil
		c.out = appendPubs(nil, c.out)
		c.mu.Unlock()
		return nil, err
	}
	t.r.SetMaxFrame(int(min(w.MaxFrame, 1<<31-1)))
	c.mu.Lock()
	c.welcome = w
	c.cur = i
	if c.status == Connecting || c.status == Reconnecting {
		c.status = Connected
	}
	c.wakeWriter()
	c.mu.Unlock()
	go c.readLoop(t)
	go c.writeLoop(t)
	c.opts.logger.Debug("herald: connected", "url", s.url, "server", w.ServerName, "server_id", w.ServerID)
	return t, nil
}

// handshake writes hs and reads the server's first frame, which must be
// WELCOME.
func handshake(t *transport, hs []byte) (wire.Welcome, error) {
	var w wire.Welcome
	if _, err := t.nc.Write(hs); err != nil {
		return w, err
	}
	body, err := t.r.Next()
	if err != nil {
		return w, err
	}
	op, err := wire.PeekOp(body)
	if err != nil {
		return w, err
	}
	switch op {
	case wire.OpWelcome:
		if err := w.Decode(body); err != nil {
			return w, err
		}
		if w.Version != wire.Version {
			return w, &wire.Error{Code: wire.CodeUnsupportedVersion, Message: fmt.Sprintf("the server speaks protocol version %d, this client %d", w.Version, wire.Version)}
		}
		return w, nil
	case wire.OpErr:
		e := &wire.Error{}
		if err := e.Decode(body); err != nil {
			return w, err
		}
		return w, e
	}
	return w, &wire.Error{Code: wire.CodeProtocolViolation, Message: "expected WELCOME, got " + op.String()}
}

// appendRestore appends a SUB (and an UNSUB max for auto-unsubscribe) for
// every live subscription, in sid order, and resets their sequence tracking
// for the new session. c.mu is held.
func (c *Conn) appendRestore(b []byte, gen uint64) []byte {
	subs := c.liveSubs()
	sort.Slice(subs, func(i, j int) bool { return subs[i].sid < subs[j].sid })
	for _, s := range subs {
		remaining, ok := s.restore(gen)
		if !ok {
			continue
		}
		b = s.subFrame(b)
		if remaining > 0 {
			b = (&wire.Unsub{Sid: s.sid, Max: remaining}).Append(b)
		}
	}
	return b
}

// readLoop reads and dispatches frames until the transport fails.
func (c *Conn) readLoop(t *transport) {
	defer close(t.rdone)
	for {
		body, err := t.r.Next()
		if err == nil {
			err = c.dispatch(t, body)
		}
		if err != nil {
			t.fail(err)
			return
		}
	}
}

// dispatch acts on one frame from the server. An error ends the transport.
func (c *Conn) dispatch(t *transport, body []byte) error {
	op, err := wire.PeekOp(body)
	if err != nil {
		return err
	}
	switch op {
	case wire.OpMsg:
		var m wire.Msg
		if err := m.Decode(body); err != nil {
			return err
		}
		if s := c.sub(m.Sid); s != nil {
			s.receive(&m, t.gen)
		}
	case wire.OpPing:
		c.mu.Lock()
		if c.tr == t {
			c.queueControl(wire.AppendPong)
		}
		c.mu.Unlock()
	case wire.OpPong:
		c.mu.Lock()
		c.pingsOut = 0
		if len(c.pongs) > 0 {
			ch := c.pongs[0]
			c.pongs[0] = nil
			c.pongs = c.pongs[1:]
			if ch != nil {
				close(ch)
			}
		}
		c.mu.Unlock()
	case wire.OpNotice:
		var n wire.Notice
		if err := n.Decode(body); err != nil {
			return err
		}
		if s := c.sub(n.Sid); s != nil {
			s.notice(&n)
		}
	case wire.OpErr:
		e := &wire.Error{}
		if err := e.Decode(body); err != nil {
			return err
		}
		if e.Fatal() {
			return e
		}
		c.serverError(e)
	default:
		// WELCOME again, or an op from a later version: ignore (2.5).
	}
	return nil
}

// serverError handles a non-fatal ERR: a subscription the server refused
// ends with it; every other error goes to the error handler.
func (c *Conn) serverError(e *wire.Error) {
	var s *Subscription
	if e.RefSid != 0 {
		s = c.sub(e.RefSid)
		if s == nil && e.Code == wire.CodeUnknownSid {
			return // a subscription this client already ended (6.9)
		}
	}
	if s != nil && e.RefOp == wire.OpSub {
		c.removeSub(s, false)
		s.end(fmt.Errorf("%w: %w", ErrSubscriptionClosed, e), true)
	}
	c.events.errorf(s, e)
}

// writeLoop writes queued frames, coalescing everything queued since the
// last write into one, until the transport fails or is asked to stop.
func (c *Conn) writeLoop(t *transport) {
	defer close(t.wdone)
	for {
		c.mu.Lock()
		buf := c.out
		if len(buf) > 0 {
			c.out, c.spare = c.spare[:0], nil
			if c.space != nil {
				close(c.space)
				c.space = nil
			}
		}
		c.mu.Unlock()
		if len(buf) == 0 {
			select {
			case <-c.wake:
				continue
			case <-t.dead:
				return
			case <-t.stop:
				c.mu.Lock()
				empty := len(c.out) == 0
				c.mu.Unlock()
				if empty {
					return
				}
				continue
			}
		}
		n, err := t.nc.Write(buf)
		c.mu.Lock()
		if err != nil {
			t.tail = append([]byte(nil), buf[frameStart(buf, n):]...)
		} else if c.spare == nil && cap(buf) <= maxSpare {
			c.spare = buf[:0]
		}
		c.mu.Unlock()
		if err != nil {
			t.fail(err)
			return
		}
	}
}

// maxSpare is the largest write buffer kept for reuse.
const maxSpare = 1 << 20

// closeFlushTimeout bounds how long Close spends writing what is queued.
const closeFlushTimeout = time.Second

// shutdown writes what is queued (within closeFlushTimeout), then closes the
// transport.
func (t *transport) shutdown() {
	t.nc.SetWriteDeadline(time.Now().Add(closeFlushTimeout))
	close(t.stop)
	select {
	case <-t.wdone:
	case <-t.dead:
	}
	t.fail(ErrConnectionClosed)
}

// wait blocks until both goroutines of the transport have exited.
func (t *transport) wait() {
	<-t.rdone
	<-t.wdone
}

// isClosedErr reports whether err only says the transport was closed.
func isClosedErr(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, ErrConnectionClosed)
}
