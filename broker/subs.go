package broker

import (
	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// removeSub ends subscription s now (UNSUB with max 0). A rotation member's
// frames that are still queued and not being written go back to its set
// (PROTOCOL.md 7.8).
func (c *conn) removeSub(s *router.Sub) {
	c.subMu.Lock()
	if c.subs[s.Sid] == s {
		delete(c.subs, s.Sid)
	}
	c.subMu.Unlock()
	c.srv.router.Unsubscribe(s)
	c.mu.Lock()
	s.State.Closed = true
	var frames []byte
	if s.Rotating() {
		frames = c.extractLocked(map[uint32]bool{s.Sid: true})
	}
	c.mu.Unlock()
	c.reoffer(map[uint32]*router.Sub{s.Sid: s}, frames)
}

// removeAllSubs ends every subscription of the connection as it closes.
func (c *conn) removeAllSubs() {
	c.subMu.Lock()
	subs := c.subs
	c.subs = make(map[uint32]*router.Sub)
	c.subMu.Unlock()
	rotating := make(map[uint32]*router.Sub)
	for _, s := range subs {
		c.srv.router.Unsubscribe(s)
		if s.Rotating() {
			rotating[s.Sid] = s
		}
	}
	c.mu.Lock()
	for _, s := range subs {
		s.State.Closed = true
	}
	var frames []byte
	if len(rotating) > 0 {
		sids := make(map[uint32]bool, len(rotating))
		for sid := range rotating {
			sids[sid] = true
		}
		frames = c.extractLocked(sids)
	}
	c.mu.Unlock()
	c.reoffer(rotating, frames)
}

// extractLocked removes, from the frames not yet being written (including
// those set aside by a slow-consumer failure), the MSG frames of the given
// sids, and returns copies of them back to back.
func (c *conn) extractLocked(sids map[uint32]bool) []byte {
	var out []byte
	take := func(frame []byte) bool {
		if c.classic {
			// A classic connection has one subscription and carries bare
			// data frames only.
			out = append(out, frame...)
			return true
		}
		if len(frame) < wire.MsgPrefixLen || frame[4] != 0x97 || frame[5] != byte(wire.OpMsg) || !sids[wire.MsgSid(frame)] {
			return false
		}
		out = append(out, frame...)
		return true
	}
	c.msgQueued -= c.q.Filter(take)
	c.held.Filter(take)
	return out
}

// reoffer routes extracted frames to the remaining members of their sets.
func (c *conn) reoffer(subs map[uint32]*router.Sub, frames []byte) {
	charge := c.srv.cfg.Overflow == OverflowDrop
	for len(frames) > 0 {
		n := 4 + int(uint32(frames[0])<<24|uint32(frames[1])<<16|uint32(frames[2])<<8|uint32(frames[3]))
		frame := frames[:n:n]
		frames = frames[n:]
		if c.classic {
			for _, s := range subs {
				msg := []router.Message{{Channel: []byte(s.Pattern), Payload: frame[4:]}}
				if d := c.srv.router.Reoffer(&c.pub, s, msg, charge); d > 0 {
					c.srv.stats.lostOnLeave.Add(uint64(d))
				}
			}
			continue
		}
		var m wire.Msg
		if m.Decode(frame[4:]) != nil {
			continue
		}
		s := subs[m.Sid]
		if s == nil {
			continue
		}
		msg := []router.Message{{Channel: m.Channel, ReplyTo: m.ReplyTo, Headers: m.Headers, Payload: m.Payload, Frame: frame}}
		if d := c.srv.router.Reoffer(&c.pub, s, msg, charge); d > 0 {
			c.srv.stats.lostOnLeave.Add(uint64(d))
		}
	}
}
