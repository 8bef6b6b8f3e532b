package soak

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// checked is a well-behaved subscriber: it reads everything, answers PINGs,
// and checks every MSG and NOTICE of its subscriptions as it goes. Its
// reader runs in its own goroutine until the PONG of the final barrier
// (finish) or until the broker ends the connection.
type checked struct {
	c       *client
	wmu     sync.Mutex // writes: PONGs from the reader, the final PING
	streams map[uint32]*stream
	// payload checks a delivered message's payload index for sid at seq;
	// nil accepts any.
	payload func(sid uint32, seq uint64, index uint64) error
	// slow, when set, runs after every frame read: a reader that lags.
	slow func(n int)

	done    chan struct{}
	err     error     // a rule the stream broke, or an unexpected end
	fatal   wire.Code // the fatal ERR that ended the connection, if any
	ended   bool      // the broker closed the connection
	indices []uint64  // payload indices delivered, for queue members
	keep    map[uint32]bool
}

// newChecked wraps c, whose subscriptions sids are to be checked.
func newChecked(c *client, sids ...uint32) *checked {
	k := &checked{c: c, streams: map[uint32]*stream{}, done: make(chan struct{}), keep: map[uint32]bool{}}
	for _, sid := range sids {
		k.streams[sid] = &stream{}
	}
	return k
}

// keepIndices makes the reader remember the payload indices delivered to
// sid (rotation-set members, whose shares are checked together).
func (k *checked) keepIndices(sid uint32) { k.keep[sid] = true }

// start runs the reader until deadline.
func (k *checked) start(deadline time.Time) { go k.run(deadline) }

// finish sends the final PING, once everything meant for this subscriber
// has been routed, and waits for the reader to see its PONG (or the end of
// the connection).
func (k *checked) finish() {
	k.wmu.Lock()
	k.c.ping() // a failure shows as the end of the connection
	k.wmu.Unlock()
	<-k.done
}

func (k *checked) run(deadline time.Time) {
	defer close(k.done)
	k.err = k.loop(deadline)
}

func (k *checked) loop(deadline time.Time) error {
	var m wire.Msg
	var n wire.Notice
	for reads := 0; ; reads++ {
		f, err := k.c.read(deadline)
		if err != nil {
			if closedByPeer(err) && k.fatal != "" {
				k.ended = true
				return nil
			}
			return fmt.Errorf("read: %w", err)
		}
		if k.fatal != "" {
			return fmt.Errorf("%v after the fatal ERR %s", f.op, k.fatal)
		}
		if k.slow != nil {
			k.slow(reads)
		}
		switch f.op {
		case wire.OpMsg:
			if err := m.Decode(f.body); err != nil {
				return fmt.Errorf("MSG: %w", err)
			}
			s := k.streams[m.Sid]
			if s == nil {
				return fmt.Errorf("MSG for sid %d, which is not subscribed", m.Sid)
			}
			if err := s.msg(m.Seq); err != nil {
				return fmt.Errorf("sid %d: %w", m.Sid, err)
			}
			if len(m.Payload) < 8 {
				return fmt.Errorf("sid %d seq %d: payload of %d bytes", m.Sid, m.Seq, len(m.Payload))
			}
			idx := binary.BigEndian.Uint64(m.Payload)
			if k.payload != nil {
				if err := k.payload(m.Sid, m.Seq, idx); err != nil {
					return fmt.Errorf("sid %d seq %d: %w", m.Sid, m.Seq, err)
				}
			}
			if k.keep[m.Sid] {
				k.indices = append(k.indices, idx)
			}
		case wire.OpNotice:
			if err := n.Decode(f.body); err != nil {
				return fmt.Errorf("NOTICE: %w", err)
			}
			s := k.streams[n.Sid]
			if s == nil {
				return fmt.Errorf("NOTICE for sid %d, which is not subscribed", n.Sid)
			}
			if err := s.notice(&n); err != nil {
				return fmt.Errorf("sid %d: %w", n.Sid, err)
			}
		case wire.OpPing:
			k.wmu.Lock()
			k.c.pong()
			k.wmu.Unlock()
		case wire.OpPong:
			return nil
		case wire.OpErr:
			var e wire.Error
			if err := e.Decode(f.body); err != nil {
				return fmt.Errorf("ERR: %w", err)
			}
			if !e.Code.Fatal() {
				return fmt.Errorf("unexpected ERR %s: %s", e.Code, e.Message)
			}
			if e.Code != wire.CodeSlowConsumer {
				return fmt.Errorf("closed with ERR %s: %s", e.Code, e.Message)
			}
			k.fatal = e.Code
		default:
			return fmt.Errorf("unexpected %v", f.op)
		}
	}
}

// tally checks that each stream accounted for want[sid] messages (or, after
// ERR slow_consumer, was told it lost the rest) and returns the account.
// Streams absent from want are checked by the caller (rotation sets).
func (k *checked) tally(want map[uint32]uint64) account {
	a := account{Subscribers: 1}
	if k.err != nil {
		a.Failures++
	}
	if k.fatal != "" {
		a.ErrDisconnect++
	}
	for sid, s := range k.streams {
		a.Streams++
		a.Delivered += s.delivered
		a.Noticed += s.lost
		a.Notices += s.notices
		w, ok := want[sid]
		if !ok {
			continue
		}
		a.Expected += w
		switch {
		case s.last > w:
			a.Failures++
		case s.last < w && k.fatal != "":
			a.ToldByErr += w - s.last
		case s.last < w:
			a.Unaccounted += w - s.last
		}
	}
	return a
}

// tallyRotation checks one rotation set's members, sid sid on each: every
// message of the set went to exactly one member, delivered or NOTICEd,
// except what members closed with ERR slow_consumer were told they lost
// (PROTOCOL.md 7.4, 7.7, 7.8). Indices delivered must be distinct.
func tallyRotation(sid uint32, want uint64, members ...*checked) account {
	var a account
	var seqs uint64
	anyFatal := false
	seen := map[uint64]bool{}
	for _, k := range members {
		s := k.streams[sid]
		seqs += s.last
		anyFatal = anyFatal || k.fatal != ""
		for _, idx := range k.indices {
			if seen[idx] {
				a.Failures++ // delivered twice
			}
			seen[idx] = true
		}
	}
	a.Expected += want
	switch {
	case seqs > want:
		a.Failures++
	case seqs < want && anyFatal:
		a.ToldByErr += want - seqs
	case seqs < want:
		a.Unaccounted += want - seqs
	}
	return a
}

// describe explains a failed subscriber for the log.
func (k *checked) describe() string {
	s := ""
	for sid, st := range k.streams {
		s += fmt.Sprintf(" sid %d: last %d delivered %d lost %d;", sid, st.last, st.delivered, st.lost)
	}
	return fmt.Sprintf("err=%v fatal=%q%s", k.err, k.fatal, s)
}
