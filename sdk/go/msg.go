package herald

import (
	"context"
	"sync/atomic"

	"github.com/heraldmq/herald/spec/wire"
)

// Msg is a message delivered to a subscription. Its fields are the
// receiver's own copies and stay valid after the handler returns.
type Msg struct {
	Channel string            // the channel it was published to
	ReplyTo string            // where to send a reply; "" when none
	Header  map[string]string // nil when the publisher sent none
	Data    []byte            // the payload
	Seq     uint64            // the subscription's sequence number (PROTOCOL.md 7.3)
	Sub     *Subscription     // the subscription it arrived on

	gen   uint64 // the session it arrived in, for ACK
	size  int    // bytes counted against pending limits
	acked atomic.Bool
}

// MsgHandler processes messages of a subscription or a Worker.
type MsgHandler func(m *Msg)

// Respond publishes data to the message's reply-to. It fails with
// ErrNoReplyTo when the message has none.
func (m *Msg) Respond(data []byte, opts ...PubOption) error {
	if m.ReplyTo == "" {
		return ErrNoReplyTo
	}
	if m.Sub == nil {
		return ErrConnectionClosed
	}
	return m.Sub.c.Publish(context.Background(), m.ReplyTo, data, opts...)
}

// Ack returns the message's prefetch credit to the broker (PROTOCOL.md 7.11),
// so that it may be given another. Handler subscriptions and Workers ack
// each message when its handler returns; a pull subscription with
// WithPrefetch must call Ack itself. Ack is idempotent, does nothing for a
// subscription without prefetch, and nothing for a message of a session
// that has since been replaced (its credit was reset by the new SUB).
func (m *Msg) Ack() error {
	s := m.Sub
	if s == nil || s.prefetch == 0 || !m.acked.CompareAndSwap(false, true) {
		return nil
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status == Closed {
		return ErrConnectionClosed
	}
	if c.tr != nil && c.tr.gen == m.gen && c.sub(s.sid) == s {
		c.out = (&wire.Ack{Sid: s.sid, Count: 1}).Append(c.out)
		c.wakeWriter()
	}
	return nil
}

// isNoResponders reports whether m is the broker's no-responders reply
// (PROTOCOL.md 7.10).
func (m *Msg) isNoResponders() bool {
	return len(m.Data) == 0 && m.Header["status"] == "no_responders"
}

// newMsg copies a decoded MSG into a Msg with one allocation for the bytes.
func newMsg(s *Subscription, wm *wire.Msg, gen uint64) (*Msg, error) {
	m := &Msg{Seq: wm.Seq, Sub: s, gen: gen}
	if wm.Headers != nil {
		h, err := wire.DecodeHeaders(wm.Headers)
		if err != nil {
			return nil, err
		}
		m.Header = h
	}
	buf := make([]byte, 0, len(wm.Channel)+len(wm.ReplyTo)+len(wm.Payload))
	buf = append(buf, wm.Payload...)
	m.Data = buf[:len(wm.Payload):len(wm.Payload)]
	buf = append(buf, wm.Channel...)
	buf = append(buf, wm.ReplyTo...)
	rest := buf[len(wm.Payload):]
	m.Channel = string(rest[:len(wm.Channel)])
	if wm.ReplyTo != nil {
		m.ReplyTo = string(rest[len(wm.Channel):])
	}
	m.size = len(wm.Payload) + len(wm.Channel) + len(wm.ReplyTo) + len(wm.Headers)
	return m, nil
}
