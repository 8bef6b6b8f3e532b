package brokentest

import (
	"errors"
	"net"
	"strconv"
	"sync"

	"github.com/heraldmq/herald/spec/wire"
)

// conn is one client connection: a reader that acts on frames, and a writer
// that drains a queue of frames whose MSG bytes are bounded by
// MaxPendingBytes.
type conn struct {
	b    *Broker
	nc   net.Conn
	echo bool
	subs map[uint32]*sub // guarded by Broker.mu

	wmu sync.Mutex // serialises writes to nc

	mu      sync.Mutex
	cond    *sync.Cond
	out     []frame
	pending int    // MSG bytes queued and not yet written
	dropped []*sub // subscriptions with drops to report
	closing bool   // write what is queued, then close
	dead    bool
}

type frame struct {
	b   []byte
	msg bool
}

func newConn(b *Broker, nc net.Conn) *conn {
	c := &conn{b: b, nc: nc, echo: true, subs: map[uint32]*sub{}}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *conn) readLoop() {
	defer c.b.wg.Done()
	defer c.end()
	rd := wire.NewReader(c.nc, wire.MaxHelloFrame)
	hello := false
	for {
		body, err := rd.Next()
		if err != nil {
			var we *wire.Error
			if errors.As(err, &we) {
				c.fail(we)
			}
			return
		}
		op, err := wire.PeekOp(body)
		if err != nil {
			c.fail(err.(*wire.Error))
			return
		}
		if !hello {
			switch {
			case op == wire.OpHello:
				var h wire.Hello
				if err := h.Decode(body); err != nil {
					c.fail(err.(*wire.Error))
					return
				}
				if h.Version != wire.Version {
					c.fail(&wire.Error{Code: wire.CodeUnsupportedVersion,
						Message: "unsupported protocol version " + strconv.FormatUint(h.Version, 10) + "; supported: 1"})
					return
				}
				c.echo, hello = h.Echo, true
				rd.SetMaxFrame(maxPayload + wire.FrameOverhead)
				c.sendControl(c.b.welcome())
			case op == wire.OpPub && c.b.flaw == PubBeforeHello:
				if ferr := c.handlePub(body); ferr != nil {
					c.fail(ferr)
					return
				}
			default:
				c.fail(&wire.Error{Code: wire.CodeProtocolViolation, Message: "HELLO must come first"})
				return
			}
			continue
		}
		var ferr *wire.Error
		switch op {
		case wire.OpPub:
			ferr = c.handlePub(body)
		case wire.OpSub:
			ferr = c.handleSub(body)
		case wire.OpUnsub:
			ferr = c.handleUnsub(body)
		case wire.OpPing:
			c.pong()
		case wire.OpPong:
		default:
			ferr = &wire.Error{Code: wire.CodeProtocolViolation, Message: "op " + op.String() + " is not served here"}
		}
		if ferr != nil {
			c.fail(ferr)
			return
		}
	}
}

func (c *conn) handlePub(body []byte) *wire.Error {
	var p wire.Pub
	if err := p.Decode(body); err != nil {
		return err.(*wire.Error)
	}
	c.b.publish(c, &p)
	return nil
}

// end removes the connection's subscriptions once its reader stops, and
// closes it unless a fatal ERR is still to be written.
func (c *conn) end() {
	b := c.b
	b.mu.Lock()
	for _, s := range c.subs {
		b.removeLocked(s)
	}
	b.mu.Unlock()
	c.mu.Lock()
	if !c.closing && !c.dead {
		c.dead = true
		_ = c.nc.Close()
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	b.connMu.Lock()
	delete(b.conns, c)
	b.connMu.Unlock()
}

// shut closes the connection at once.
func (c *conn) shut() {
	c.mu.Lock()
	c.dead = true
	_ = c.nc.Close()
	c.cond.Broadcast()
	c.mu.Unlock()
}

// fail queues a fatal ERR; the writer closes the connection after it.
func (c *conn) fail(e *wire.Error) {
	c.mu.Lock()
	c.queueLocked(e.Append(nil), false)
	c.closing = true
	c.mu.Unlock()
}

func (c *conn) writeLoop() {
	defer c.b.wg.Done()
	for {
		c.mu.Lock()
		for len(c.out) == 0 && !c.dead && !c.closing {
			c.cond.Wait()
		}
		if c.dead {
			c.mu.Unlock()
			return
		}
		if len(c.out) == 0 {
			c.dead = true
			c.mu.Unlock()
			_ = c.nc.Close()
			return
		}
		f := c.out[0]
		c.out[0] = frame{}
		c.out = c.out[1:]
		c.mu.Unlock()

		c.wmu.Lock()
		_, err := c.nc.Write(f.b)
		c.wmu.Unlock()

		c.mu.Lock()
		if f.msg {
			c.pending -= len(f.b)
		}
		if err != nil {
			c.dead = true
			c.mu.Unlock()
			_ = c.nc.Close()
			return
		}
		c.flushNoticesLocked(false)
		c.mu.Unlock()
	}
}

// writeNow writes a frame and waits for the write: the BlockingFanout flaw.
func (c *conn) writeNow(b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, _ = c.nc.Write(b)
}

func (c *conn) queueLocked(b []byte, msg bool) {
	c.out = append(c.out, frame{b: b, msg: msg})
	if msg {
		c.pending += len(b)
	}
	c.cond.Signal()
}

func (c *conn) sendControl(b []byte) {
	c.mu.Lock()
	c.queueLocked(b, false)
	c.mu.Unlock()
}

// pong answers PING after reporting every pending drop (8.4).
func (c *conn) pong() {
	c.mu.Lock()
	c.flushNoticesLocked(true)
	c.queueLocked(wire.AppendPong(nil), false)
	c.mu.Unlock()
}

// dropLocked records that the message just routed to s was dropped.
func (c *conn) dropLocked(s *sub) {
	switch c.b.flaw {
	case SilentDrops:
		s.seq++
		return
	case SeqStallsOnDrop:
		s.dropCount++
		if s.dropFirst == 0 {
			s.dropFirst = s.seq + 1
		}
		s.dropLast = s.seq + s.dropCount
	default:
		s.seq++
		if s.dropFirst == 0 {
			s.dropFirst = s.seq
		}
		s.dropLast = s.seq
	}
	if !s.queued {
		s.queued = true
		c.dropped = append(c.dropped, s)
	}
}

// noticeLocked queues the NOTICE for s's unreported drops, if any.
func (c *conn) noticeLocked(s *sub) {
	if s.dropFirst == 0 {
		return
	}
	reason := wire.ReasonSlowConsumer
	if s.set != nil {
		reason = wire.ReasonQueueFull
	}
	n := wire.Notice{Sid: s.sid, Count: s.dropLast - s.dropFirst + 1, First: s.dropFirst, Last: s.dropLast, Reason: reason}
	c.queueLocked(n.Append(nil), false)
	s.dropFirst, s.dropLast, s.dropCount = 0, 0, 0
}

// flushNoticesLocked reports pending drops once the buffer is below its
// bound, or at once with force.
func (c *conn) flushNoticesLocked(force bool) {
	if len(c.dropped) == 0 || (!force && c.pending >= MaxPendingBytes) {
		return
	}
	for _, s := range c.dropped {
		c.noticeLocked(s)
		s.queued = false
	}
	c.dropped = c.dropped[:0]
}
