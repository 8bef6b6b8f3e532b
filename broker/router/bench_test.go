package router

import (
	"fmt"
	"testing"
)

// nopBox is an Outbox that accepts everything and does nothing, so the
// benchmarks measure the router alone.
type nopBox struct{}

func (nopBox) Deliver(s *Sub, msgs []Message) bool { s.State.Seq += uint64(len(msgs)); return false }
func (nopBox) Offer(s *Sub, m *Message) (bool, bool) {
	s.State.Seq++
	return true, false
}
func (nopBox) Charge(s *Sub, m *Message) bool { return false }
func (nopBox) Expired(*Sub)                   {}

// populate makes 10,000 subscriptions: literal, "*" and ">" patterns over
// 1,000 channels, plus queue groups and /queue sets.
func populate(r *Router) {
	var out nopBox
	sid := uint32(0)
	for i := 0; i < 1000; i++ {
		for _, p := range []string{
			fmt.Sprintf("/orders/%d/new", i),
			fmt.Sprintf("/orders/%d/*", i),
			fmt.Sprintf("/orders/%d/>", i),
			fmt.Sprintf("/orders/*/new"),
			fmt.Sprintf("/queue/%d", i),
			fmt.Sprintf("/queue/%d", i),
			fmt.Sprintf("/work/%d", i),
			fmt.Sprintf("/work/%d", i),
			fmt.Sprintf("/metrics/%d/cpu", i),
			fmt.Sprintf("/metrics/>"),
		} {
			sid++
			s := &Sub{Out: out, Sid: sid, Pattern: p}
			if p[1] == 'w' {
				s.Queue = "workers"
			}
			r.Subscribe(s)
		}
	}
}

// BenchmarkPublish10kSubs routes one message per op to a channel matched by
// literal, wildcard and queue-group subscriptions among 10,000; it reports
// allocations, which must be 0.
func BenchmarkPublish10kSubs(b *testing.B) {
	r := New()
	populate(r)
	var p Publisher
	ch := []byte("/orders/500/new")
	msgs := []Message{{Channel: ch, Payload: make([]byte, 128)}}
	b.ReportAllocs()
	for b.Loop() {
		r.Publish(&p, ch, msgs)
	}
	// 1,000 "/orders/*/new" subs + literal + * + > = 1,003 deliveries per op.
}

// BenchmarkPublishQueue10kSubs routes to a queue group among 10,000
// subscriptions: one delivery per op.
func BenchmarkPublishQueue10kSubs(b *testing.B) {
	r := New()
	populate(r)
	var p Publisher
	ch := []byte("/work/77")
	msgs := []Message{{Channel: ch, Payload: make([]byte, 128)}}
	b.ReportAllocs()
	for b.Loop() {
		r.Publish(&p, ch, msgs)
	}
}

// BenchmarkPublishBatch routes a batch of 64 messages per op to 10
// subscribers (one Deliver per subscriber per batch).
func BenchmarkPublishBatch(b *testing.B) {
	r := New()
	for i := 0; i < 10; i++ {
		r.Subscribe(&Sub{Out: nopBox{}, Sid: uint32(i + 1), Pattern: "/fan/out"})
	}
	populate(r)
	var p Publisher
	ch := []byte("/fan/out")
	msgs := make([]Message, 64)
	for i := range msgs {
		msgs[i] = Message{Channel: ch, Payload: make([]byte, 128)}
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Publish(&p, ch, msgs)
	}
}

// BenchmarkSubscribeUnsubscribe measures a subscription's full life among
// 10,000 others: O(segments), independent of the count.
func BenchmarkSubscribeUnsubscribe(b *testing.B) {
	r := New()
	populate(r)
	b.ReportAllocs()
	for b.Loop() {
		s := &Sub{Out: nopBox{}, Sid: 1, Pattern: "/orders/500/new"}
		r.Subscribe(s)
		r.Unsubscribe(s)
	}
}
