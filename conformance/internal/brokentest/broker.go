package brokentest

import (
	"bytes"
	"net"
	"strconv"
	"sync"

	"github.com/heraldmq/herald/spec/wire"
)

// MaxPendingBytes is the outbound buffer every connection gets.
const MaxPendingBytes = 256 << 10

const maxPayload = 1 << 20

// Broker is a small broker with one flaw.
type Broker struct {
	flaw Flaw

	mu   sync.Mutex // routing state: every subscription, rotation set and conn.subs
	subs []*sub
	sets map[setKey]*rotSet

	connMu sync.Mutex // the listener and the connections
	conns  map[*conn]bool
	ln     net.Listener
	wg     sync.WaitGroup
}

type setKey struct{ group, pattern string }

// sub is one subscription; its fields are guarded by Broker.mu.
type sub struct {
	c       *conn
	sid     uint32
	pattern []byte
	set     *rotSet
	seq     uint64
	max     uint64 // UNSUB max: the last seq, 0 for none
	// Drops not yet reported: seq first..last, or count (SeqStallsOnDrop).
	dropFirst, dropLast, dropCount uint64
	queued                         bool // in c.dropped
}

// rotSet is a rotation set: members in join order and whose turn it is.
type rotSet struct {
	members []*sub
	cursor  *sub
}

// New returns a broker with the given flaw.
func New(f Flaw) *Broker {
	return &Broker{flaw: f, sets: map[setKey]*rotSet{}, conns: map[*conn]bool{}}
}

// Serve accepts connections on ln until Close.
func (b *Broker) Serve(ln net.Listener) error {
	b.connMu.Lock()
	b.ln = ln
	b.connMu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			return err
		}
		c := newConn(b, nc)
		b.connMu.Lock()
		b.conns[c] = true
		b.connMu.Unlock()
		b.wg.Add(2)
		go c.readLoop()
		go c.writeLoop()
	}
}

// Close stops accepting, closes every connection and waits for them.
func (b *Broker) Close() {
	b.connMu.Lock()
	if b.ln != nil {
		_ = b.ln.Close()
	}
	conns := make([]*conn, 0, len(b.conns))
	for c := range b.conns {
		conns = append(conns, c)
	}
	b.connMu.Unlock()
	for _, c := range conns {
		c.shut()
	}
	b.wg.Wait()
}

func (b *Broker) welcome() []byte {
	w := wire.Welcome{
		Version: wire.Version, ServerID: "brokentest-" + b.flaw.String(), ServerName: "brokentest",
		ServerVersion: "0", MaxPayload: maxPayload, MaxFrame: maxPayload + wire.FrameOverhead,
		MaxHeaderBytes: 16 << 10, PingIntervalMs: 60000, MaxPingsOut: 2,
		MaxPendingBytes: MaxPendingBytes, Overflow: wire.OverflowDrop,
	}
	return w.Append(nil)
}

// subscribe registers s, in a rotation set when it has a group or its
// pattern starts with /queue (7.4). It reports false for a sid in use.
func (b *Broker) subscribe(s *sub, group []byte) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := s.c.subs[s.sid]; dup || s.sid == 0 {
		return false
	}
	s.c.subs[s.sid] = s
	if group != nil || wire.IsQueuePattern(s.pattern) {
		k := setKey{string(group), string(s.pattern)}
		set := b.sets[k]
		if set == nil {
			set = &rotSet{}
			b.sets[k] = set
		}
		if len(set.members) == 0 {
			set.cursor = s
		}
		set.members = append(set.members, s)
		s.set = set
	}
	b.subs = append(b.subs, s)
	return true
}

// removeLocked ends s; a cursor naming s moves to the next member.
func (b *Broker) removeLocked(s *sub) {
	for i, x := range b.subs {
		if x == s {
			b.subs = append(b.subs[:i], b.subs[i+1:]...)
			break
		}
	}
	delete(s.c.subs, s.sid)
	if set := s.set; set != nil {
		i := set.index(s)
		if set.cursor == s {
			set.cursor = set.members[(i+1)%len(set.members)]
		}
		set.members = append(set.members[:i], set.members[i+1:]...)
		if len(set.members) == 0 {
			set.cursor = nil
		}
	}
}

func (r *rotSet) index(s *sub) int {
	for i, m := range r.members {
		if m == s {
			return i
		}
	}
	return -1
}

// publish routes one message from origin (7.1, 7.4-7.7).
func (b *Broker) publish(origin *conn, p *wire.Pub) {
	tmpl := wire.AppendMsgTemplate(nil, p.Channel, p.ReplyTo, p.Headers, p.Payload)
	b.mu.Lock()
	defer b.mu.Unlock()
	var ended []*sub
	offered := map[*rotSet]bool{}
	for _, s := range append([]*sub(nil), b.subs...) {
		if !wire.Match(s.pattern, p.Channel) || (!origin.echo && s.c == origin) {
			continue
		}
		if s.set != nil && b.flaw != QueueToAll {
			if !offered[s.set] {
				offered[s.set] = true
				ended = append(ended, b.rotate(origin, s.set, tmpl)...)
			}
			continue
		}
		if b.deliver(s, tmpl, false) {
			ended = append(ended, s)
		}
	}
	for _, s := range ended {
		b.removeLocked(s)
	}
}

// rotate offers a message to a set, from the member at the cursor on, and
// returns the member whose UNSUB max it reached, if any.
func (b *Broker) rotate(origin *conn, set *rotSet, tmpl []byte) []*sub {
	start := set.cursor
	if b.flaw == RotationRestarts {
		start = set.members[0]
	}
	n := len(set.members)
	i0 := set.index(start)
	var first *sub
	for k := range n {
		s := set.members[(i0+k)%n]
		if !origin.echo && s.c == origin {
			continue
		}
		if first == nil {
			first = s
		}
		if !s.c.hasRoom(len(tmpl)) {
			continue
		}
		if b.flaw != CursorStuckAfterSkip || s == start {
			set.cursor = set.members[(i0+k+1)%n]
		}
		if b.deliver(s, tmpl, false) {
			return []*sub{s}
		}
		return nil
	}
	if first == nil {
		return nil
	}
	set.cursor = set.members[(set.index(first)+1)%n]
	if b.deliver(first, tmpl, true) {
		return []*sub{first}
	}
	return nil
}

// deliver routes tmpl to s: queued when it fits, dropped otherwise (or
// charged, 7.7). It reports whether s reached its UNSUB max.
func (b *Broker) deliver(s *sub, tmpl []byte, charge bool) bool {
	if b.flaw == BlockingFanout {
		s.seq++
		frame := append([]byte(nil), tmpl...)
		wire.PatchMsg(frame, s.sid, s.seq)
		s.c.writeNow(frame)
		return s.max != 0 && s.seq >= s.max
	}
	c := s.c
	c.mu.Lock()
	if !charge && c.pending+len(tmpl) <= MaxPendingBytes {
		s.seq++
		c.noticeLocked(s)
		frame := append([]byte(nil), tmpl...)
		wire.PatchMsg(frame, s.sid, s.seq)
		c.queueLocked(frame, true)
	} else {
		c.dropLocked(s)
	}
	c.mu.Unlock()
	return s.max != 0 && s.seq >= s.max
}

func (c *conn) hasRoom(n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending+n <= MaxPendingBytes
}

// handleSub, handleUnsub and handlePub act on the frames of a connection
// that completed HELLO.
func (c *conn) handleSub(body []byte) *wire.Error {
	var m wire.Sub
	if err := m.Decode(body); err != nil {
		return err.(*wire.Error)
	}
	s := &sub{c: c, sid: m.Sid, pattern: bytes.Clone(m.Pattern)}
	if !c.b.subscribe(s, bytes.Clone(m.Queue)) {
		c.sendControl((&wire.Error{Code: wire.CodeInvalidSubscription, Message: "bad sid", RefOp: wire.OpSub, RefSid: m.Sid}).Append(nil))
	}
	return nil
}

func (c *conn) handleUnsub(body []byte) *wire.Error {
	var m wire.Unsub
	if err := m.Decode(body); err != nil {
		return err.(*wire.Error)
	}
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := c.subs[m.Sid]
	if !ok {
		c.sendControl((&wire.Error{Code: wire.CodeUnknownSid, Message: "no sid " + strconv.Itoa(int(m.Sid)), RefOp: wire.OpUnsub, RefSid: m.Sid}).Append(nil))
		return nil
	}
	if m.Max == 0 || s.seq >= m.Max {
		b.removeLocked(s)
		return nil
	}
	s.max = m.Max
	return nil
}
