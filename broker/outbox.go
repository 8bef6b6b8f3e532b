package broker

import (
	"encoding/binary"

	"github.com/heraldmq/herald/broker/internal/outq"
	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// This file makes *conn a router.Outbox: MSG frames enter the connection's
// outbound queue under mu, within the MaxPendingBytes budget, and whole
// messages that do not fit are dropped and reported by NOTICE (or end the
// connection, under the disconnect policy).

var slowConsumerErr = &wire.Error{Code: wire.CodeSlowConsumer, Message: "outbound buffer overflow"}

// msgLen returns the size of the frame m becomes on this connection: a MSG,
// or on a classic connection a bare data frame (PROTOCOL.md 14.4).
func (c *conn) msgLen(m *router.Message) int {
	if c.classic {
		return wire.HeaderLen + len(m.Payload)
	}
	if m.Frame != nil && (c.headers || m.Headers == nil) {
		return len(m.Frame)
	}
	return wire.MsgFrameLen(m.Channel, m.ReplyTo, c.msgHeaders(m), m.Payload)
}

func (c *conn) msgHeaders(m *router.Message) []byte {
	if !c.headers {
		return nil
	}
	return m.Headers
}

// roomLocked reports whether a frame of n bytes fits this connection's
// budget and the server-wide MaxPendingTotal.
func (c *conn) roomLocked(n int) bool {
	ok, _ := c.fitsLocked(n)
	return ok
}

// fitsLocked is roomLocked that also tells whether it was this connection's
// own budget that was short (the overflow policy applies to it), rather than
// the server-wide total (the largest holder pays, see shed).
func (c *conn) fitsLocked(n int) (ok, own bool) {
	if c.msgQueued+c.msgInflight+n > c.srv.cfg.MaxPendingBytes {
		return false, true
	}
	if c.shedHold {
		return false, false // paid for MaxPendingTotal; takes nothing until it drains (shed.go)
	}
	if total := int64(c.srv.cfg.MaxPendingTotal); total > 0 {
		held := c.srv.held.Load()
		if held > total-total/8 {
			c.srv.wakeShedder()
		}
		// Memory is held in blocks: what counts is the block this frame
		// would add, if any.
		if held+int64(c.q.NewBlockCost(n)) > total {
			return false, false
		}
	}
	return true, false
}

// appendMsgLocked queues m for s as frame of n bytes, reporting any pending
// drop of s first (8.4: a NOTICE precedes later MSGs). It returns false, and
// drops m instead, if that NOTICE cannot be queued.
func (c *conn) appendMsgLocked(s *router.Sub, m *router.Message, n int) bool {
	st := &s.State
	if c.classic {
		buf := c.q.Reserve(n)
		binary.BigEndian.PutUint32(buf, uint32(len(m.Payload)))
		copy(buf[wire.HeaderLen:], m.Payload)
		c.msgQueued += n
		c.outMsgs++
		c.outBytes += uint64(n)
		st.Delivered++
		return true
	}
	if st.DropFirst != 0 && !c.noticeLocked(s) {
		c.dropLocked(s)
		return false
	}
	buf := c.q.Reserve(n)
	if m.Frame != nil && (c.headers || m.Headers == nil) {
		copy(buf, m.Frame)
	} else if got := wire.AppendMsgTemplate(buf[:0:n], m.Channel, m.ReplyTo, c.msgHeaders(m), m.Payload); len(got) != n {
		panic("broker: MSG frame length mismatch")
	}
	wire.PatchMsg(buf, s.Sid, st.Seq)
	c.msgQueued += n
	c.outMsgs++
	c.outBytes += uint64(n)
	st.Delivered++
	return true
}

// countLocked advances s's auto-unsubscribe countdown after its seq moved,
// and reports whether s has now ended.
func (c *conn) countLocked(s *router.Sub) bool {
	st := &s.State
	if st.Remaining == 0 {
		return false
	}
	st.Remaining--
	if st.Remaining == 0 {
		st.Closed = true
		return true
	}
	return false
}

// Deliver implements router.Outbox. Runs of messages whose MSG templates
// lie back to back in memory (a reader's batch, see flushBatch) are copied
// with one memmove per block and then patched frame by frame; anything else
// takes the general path, one message at a time.
func (c *conn) Deliver(s *router.Sub, msgs []router.Message) (expired bool) {
	c.mu.Lock()
	st := &s.State
	for i := 0; i < len(msgs); {
		if st.Closed || c.closing {
			break
		}
		m := &msgs[i]
		if m.NoEcho && m.Origin == router.Outbox(c) {
			i++
			continue
		}
		if n := c.deliverRunLocked(s, msgs[i:]); n > 0 {
			i += n
			continue
		}
		i++
		st.Seq++
		n := c.msgLen(m)
		if ok, own := c.fitsLocked(n); ok {
			c.appendMsgLocked(s, m, n)
		} else if own && c.srv.cfg.Overflow == OverflowDisconnect && n <= c.srv.cfg.MaxPendingBytes {
			c.failLocked(slowConsumerErr, true)
			break
		} else {
			c.dropLocked(s)
		}
		if c.countLocked(s) {
			expired = true
			break
		}
	}
	c.scheduleLocked(msgs[0].Origin)
	c.mu.Unlock()
	return expired
}

// deliverRunLocked copies the longest run of adjacent prebuilt frames at the
// head of msgs that fits both the budget and the current block, patches
// each frame's sid and seq, and returns how many messages it delivered (0:
// use the general path for msgs[0]).
func (c *conn) deliverRunLocked(s *router.Sub, msgs []router.Message) int {
	st := &s.State
	if c.classic || st.DropFirst != 0 || st.Remaining != 0 || !c.headers || c.shedHold {
		return 0
	}
	first := msgs[0].Frame
	if first == nil || len(first) > outq.BlockSize {
		return 0
	}
	room := c.srv.cfg.MaxPendingBytes - c.msgQueued - c.msgInflight
	if total := c.srv.cfg.MaxPendingTotal; total > 0 {
		room = min(room, total-int(c.srv.held.Load())-outq.BlockSize)
	}
	if len(first) > room {
		return 0
	}
	free := c.q.TailFree()
	if free < len(first) {
		c.q.Fresh()
		free = outq.BlockSize
	}
	limit := min(room, free)
	size, n := len(first), 1
	for n < len(msgs) {
		f := msgs[n].Frame
		if f == nil || size+len(f) > limit || !adjacent(msgs[n-1].Frame, f) {
			break
		}
		size += len(f)
		n++
	}
	buf := c.q.Reserve(size)
	copy(buf, first[:size])
	off := 0
	for k := 0; k < n; k++ {
		st.Seq++
		wire.PatchMsg(buf[off:], s.Sid, st.Seq)
		off += len(msgs[k].Frame)
	}
	c.msgQueued += size
	c.outMsgs += uint64(n)
	c.outBytes += uint64(size)
	st.Delivered += uint64(n)
	return n
}

// adjacent reports whether b starts where a ends, in the same backing array.
func adjacent(a, b []byte) bool {
	return len(b) > 0 && cap(a) > len(a) && &a[:len(a)+1][len(a)] == &b[0]
}

// Offer implements router.Outbox: s takes m only with room and credit.
func (c *conn) Offer(s *router.Sub, m *router.Message) (taken, expired bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := &s.State
	if st.Closed || c.closing || (s.Prefetch > 0 && st.Credit == 0) {
		return false, false
	}
	n := c.msgLen(m)
	if !c.roomLocked(n) {
		return false, false
	}
	st.Seq++
	if c.appendMsgLocked(s, m, n) && s.Prefetch > 0 {
		st.Credit--
	}
	expired = c.countLocked(s)
	c.scheduleLocked(m.Origin)
	return true, expired
}

// Charge implements router.Outbox (7.7).
func (c *conn) Charge(s *router.Sub, m *router.Message) (expired bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := &s.State
	if st.Closed || c.closing {
		c.srv.stats.lostClosing.Add(1)
		return false
	}
	st.Seq++
	if n := c.msgLen(m); n <= c.srv.cfg.MaxPendingBytes {
		if ok, own := c.fitsLocked(n); !ok && own && c.srv.cfg.Overflow == OverflowDisconnect {
			c.failLocked(slowConsumerErr, true)
			return false
		}
	}
	c.dropLocked(s)
	expired = c.countLocked(s)
	c.kickLocked()
	return expired
}

// Expired implements router.Outbox: the router removed s after its
// auto-unsubscribe limit.
func (c *conn) Expired(s *router.Sub) {
	c.subMu.Lock()
	if c.subs[s.Sid] == s {
		delete(c.subs, s.Sid)
	}
	c.subMu.Unlock()
}

// dropLocked records that s's current seq was dropped. A classic connection
// cannot be told (PROTOCOL.md 14.5): its drops are only counted and logged.
func (c *conn) dropLocked(s *router.Sub) {
	st := &s.State
	if c.classic {
		// no NOTICE to queue
	} else if st.DropFirst == 0 {
		st.DropFirst = st.Seq
		if !st.Queued {
			st.Queued = true
			c.dropped = append(c.dropped, s)
		}
	}
	st.DropLast = st.Seq
	st.Dropped++
	c.dropCount++
	c.slowDrops++
	if s.Rotating() {
		c.srv.stats.dropsQueueFull.Add(1)
	} else {
		c.srv.stats.dropsSlow.Add(1)
	}
	if !c.slow {
		c.slow = true
		c.srv.stats.slowConsumers.Add(1)
		c.log.Warn("slow consumer: dropping messages", "name", c.name, "sid", s.Sid,
			"pending_bytes", c.msgQueued+c.msgInflight, "policy", string(c.srv.cfg.Overflow))
	}
}

// noticeLocked queues the NOTICE for s's pending dropped range, if the
// control budget allows, and reports whether it did.
func (c *conn) noticeLocked(s *router.Sub) bool {
	st := &s.State
	reason := wire.ReasonSlowConsumer
	if s.Rotating() {
		reason = wire.ReasonQueueFull
	}
	n := wire.Notice{Sid: s.Sid, Count: st.DropLast - st.DropFirst + 1, First: st.DropFirst, Last: st.DropLast, Reason: reason}
	c.scratch = n.Append(c.scratch[:0])
	if !c.appendControlLocked(c.scratch, false) {
		return false
	}
	st.DropFirst, st.DropLast = 0, 0
	return true
}

// noticesLocked reports every pending dropped range while the buffer has
// room, or at once with force (before a PONG), and logs recovery when none is
// left (8.4).
func (c *conn) noticesLocked(force bool) {
	if len(c.dropped) == 0 || c.closing || (!force && c.msgQueued+c.msgInflight >= c.srv.cfg.MaxPendingBytes) {
		return
	}
	keep := c.dropped[:0]
	for _, s := range c.dropped {
		// A subscription that has ended (UNSUB, its max reached) still gets the
		// NOTICE for what it lost before it ended (8.4).
		if s.State.DropFirst != 0 && !c.noticeLocked(s) {
			keep = append(keep, s)
			continue
		}
		s.State.Queued = false
	}
	clear(c.dropped[len(keep):])
	c.dropped = keep
	c.recoveredLocked()
}

// recoveredLocked ends the slow state, and logs it, once every drop has been
// reported and the buffer is below half its bound: the hysteresis keeps a
// subscriber hovering at the bound from flooding the log (drops are logged
// when the state changes, never per message).
func (c *conn) recoveredLocked() {
	if c.slow && len(c.dropped) == 0 && c.msgQueued+c.msgInflight < c.srv.cfg.MaxPendingBytes/2 {
		c.slow = false
		c.log.Info("slow consumer recovered", "name", c.name, "dropped", c.slowDrops)
		c.slowDrops = 0
	}
}

// appendControlLocked queues a control frame (PONG, ERR, NOTICE, WELCOME),
// which does not count against MaxPendingBytes. Beyond ControlBytes owed to a
// client that does not read, it returns false, or with force queues anyway.
func (c *conn) appendControlLocked(frame []byte, force bool) bool {
	if !force && c.ctrlQueued+c.ctrlInflight+len(frame) > c.srv.cfg.ControlBytes {
		return false
	}
	c.q.Append(frame)
	c.ctrlQueued += len(frame)
	return true
}

// sendPong answers a PING, after reporting any pending drops (8.4).
func (c *conn) sendPong() {
	c.mu.Lock()
	c.noticesLocked(true)
	c.sendControlLocked(pongFrame)
	c.mu.Unlock()
}

// sendControl queues a control frame the client must get (PONG, WELCOME); a
// client owed too many is disconnected as a slow consumer (8.6).
func (c *conn) sendControl(frame []byte) {
	c.mu.Lock()
	c.sendControlLocked(frame)
	c.mu.Unlock()
}

func (c *conn) sendControlLocked(frame []byte) {
	if c.wexit || c.failErr != nil {
		return
	}
	if c.appendControlLocked(frame, false) {
		c.kickLocked()
		return
	}
	c.failLocked(&wire.Error{Code: wire.CodeSlowConsumer, Message: "control frames owed exceed the bound"}, true)
}

// sendError sends a non-fatal ERR.
func (c *conn) sendError(e *wire.Error) {
	c.srv.stats.errorsSent.Add(1)
	c.mu.Lock()
	c.scratch = e.Append(c.scratch[:0])
	c.sendControlLocked(c.scratch)
	c.mu.Unlock()
}
