package broker

import (
	"encoding/binary"
	"time"

	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// This file enforces Config.MaxPendingTotal: when the outbound buffers of
// all connections together approach the bound, the connection holding the
// most pending bytes pays first. Deliveries never wait for it: past the hard
// bound they drop (NOTICE), and a shedder goroutine brings the total back
// under three quarters of the bound.

func (s *Server) wakeShedder() {
	select {
	case s.shedKick <- struct{}{}:
	default:
	}
}

// shedder runs while the server does, when MaxPendingTotal is set.
func (s *Server) shedder() {
	total := int64(s.cfg.MaxPendingTotal)
	for {
		select {
		case <-s.shedKick:
		case <-s.done:
			return
		}
		for i := 0; i < 1024 && s.held.Load() > total-total/4; i++ {
			c := s.biggest()
			if c == nil || !c.shed() {
				break
			}
		}
	}
}

// stuckWrite is how long a write must have been under way before the data
// in it counts as held by a subscriber that does not read.
const stuckWrite = 2 * time.Second

// biggest returns the connection that pays next: the one with the most
// unwritten bytes, or, when no connection has any left, the one with the
// most bytes in a write stuck for stuckWrite (a reader that keeps up is
// never chosen for a write that is merely under way); nil when none.
func (s *Server) biggest() *conn {
	var queued, inflight *conn
	mostQ, mostI := 0, 0
	now := s.now()
	for _, c := range s.snapshotConns() {
		c.mu.Lock()
		q, i, closing, since := c.msgQueued, c.msgInflight, c.closing, c.writeSince
		c.mu.Unlock()
		if closing {
			continue
		}
		if q > mostQ {
			queued, mostQ = c, q
		}
		if i > mostI && since != 0 && now-since > int64(stuckWrite) {
			inflight, mostI = c, i
		}
	}
	if queued != nil {
		return queued
	}
	return inflight
}

// shed makes c pay for the server-wide bound. Under OverflowDisconnect it is
// disconnected as a slow consumer. Under OverflowDrop its unwritten messages
// are dropped and reported, and it is put on hold: it takes no message (each
// is dropped and reported) until it has written everything it holds, so a
// stalled subscriber does not fill up again at once. A connection whose
// only data is in a write that does not complete cannot give anything back
// but by closing: it is disconnected under either policy. It reports whether
// anything was freed.
func (c *conn) shed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing || c.msgQueued+c.msgInflight == 0 {
		return false
	}
	c.srv.stats.shed.Add(1)
	if c.srv.cfg.Overflow == OverflowDisconnect || c.msgQueued == 0 {
		c.failLocked(&wire.Error{Code: wire.CodeSlowConsumer, Message: "server-wide outbound bound reached; this connection held the most"}, true)
		return true
	}
	c.shedHold = true
	if c.classic {
		c.dropClassicUnsentLocked()
		return true
	}
	c.dropUnsentLocked()
	return true
}

// dropClassicUnsentLocked drops a classic connection's unwritten messages
// and counts them: the profile has no NOTICE to tell it (PROTOCOL.md 14.5).
func (c *conn) dropClassicUnsentLocked() {
	n := 0
	removed := c.q.Filter(func([]byte) bool { n++; return true })
	c.msgQueued -= removed
	c.dropCount += uint64(n)
	c.srv.stats.dropsShed.Add(uint64(n))
	c.subMu.Lock()
	for _, s := range c.subs {
		s.State.Dropped += uint64(n)
	}
	c.subMu.Unlock()
	c.log.Warn("outbound buffers over the server-wide bound: dropped this classic connection's unwritten messages",
		"messages", n, "bytes", removed)
}

// dropUnsentLocked drops every MSG not yet being written, with the NOTICEs
// queued for the same subscriptions, and records one dropped range per
// subscription: unwritten frames are the newest of each subscription's
// stream, so each range runs from its first dropped seq to its latest.
func (c *conn) dropUnsentLocked() {
	// msgs counts the MSG frames removed per subscription: those are the
	// newly dropped messages. A removed NOTICE's range was counted when it
	// was dropped and is only merged back in.
	type span struct{ first, last, msgs uint64 }
	spans := map[uint32]*span{}
	note := func(sid uint32, first, last, msgs uint64) {
		if sp := spans[sid]; sp != nil {
			sp.first, sp.last = min(sp.first, first), max(sp.last, last)
			sp.msgs += msgs
		} else {
			spans[sid] = &span{first, last, msgs}
		}
	}
	// Frames queued before a PONG stay: the client must see them, or the
	// NOTICE for them, before the PONG that answers its PING (8.4, 9.2), and
	// a NOTICE for frames dropped here goes to the back of the queue.
	pongs := 0
	c.q.Filter(func(frame []byte) bool {
		if isPong(frame) {
			pongs++
		}
		return false
	})
	ctrlRemoved := 0
	removed := c.q.Filter(func(frame []byte) bool {
		if pongs > 0 {
			if isPong(frame) {
				pongs--
			}
			return false
		}
		if len(frame) < 6 {
			return false
		}
		switch wire.Op(frame[5]) {
		case wire.OpMsg:
			seq := binary.BigEndian.Uint64(frame[wire.MsgSeqOffset:])
			note(wire.MsgSid(frame), seq, seq, 1)
			return true
		case wire.OpNotice:
			var n wire.Notice
			if n.Decode(frame[4:]) != nil {
				return false
			}
			note(n.Sid, n.First, n.Last, 0)
			ctrlRemoved += len(frame)
			return true
		}
		return false
	})
	c.ctrlQueued -= ctrlRemoved
	c.msgQueued -= removed - ctrlRemoved
	c.subMu.Lock()
	defer c.subMu.Unlock()
	for sid, sp := range spans {
		s := c.subs[sid]
		if s == nil {
			continue
		}
		c.dropRangeLocked(s, sp.first, sp.last, sp.msgs)
	}
	c.log.Warn("outbound buffers over the server-wide bound: dropped this connection's unwritten messages",
		"name", c.name, "bytes", removed, "subscriptions", len(spans))
}

// dropRangeLocked merges first..last into s's pending dropped range and
// counts newly, the messages it newly drops.
func (c *conn) dropRangeLocked(s *router.Sub, first, last, newly uint64) {
	st := &s.State
	if st.DropFirst != 0 {
		first, last = min(first, st.DropFirst), max(last, st.DropLast)
	}
	st.DropFirst, st.DropLast = first, max(last, st.DropLast)
	st.Dropped += newly
	c.dropCount += newly
	c.srv.stats.dropsShed.Add(newly)
	if !st.Queued {
		st.Queued = true
		c.dropped = append(c.dropped, s)
	}
	if !c.slow {
		c.slow = true
		c.srv.stats.slowConsumers.Add(1)
	}
}

// isPong reports whether a queued frame is a PONG.
func isPong(frame []byte) bool {
	return len(frame) == len(pongFrame) && frame[5] == byte(wire.OpPong)
}
