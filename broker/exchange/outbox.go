package exchange

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/heraldmq/herald/broker/router"
)

// attachment is one sink attached to one exchange: its router subscription,
// its bounded buffer, and the goroutine that calls its Send. It is the
// in-process router.Outbox: Deliver, Offer and Charge only queue or drop,
// under mu, and never wait for the sink.
type attachment struct {
	ex   *Exchange
	reg  *Registry
	sink Sink
	sub  *router.Sub

	mu        sync.Mutex
	cond      sync.Cond // signalled when q grows or the attachment ends
	q         []entry
	head      int  // q[head:] is pending
	pending   int  // messages (not barriers) in q[head:]
	busy      bool // the goroutine is in sink.Send
	failed    bool // overflowed under OverflowDisconnect: being detached
	gone      bool // detached: no message is queued or handed over any more
	slow      bool // dropping since the buffer was last below half full
	delivered uint64
	dropped   uint64
	slowDrops uint64
}

// entry is a buffered message, or a Flush barrier to close when reached.
type entry struct {
	m       Message
	barrier chan struct{}
}

func newAttachment(e *Exchange, s Sink) *attachment {
	a := &attachment{ex: e, reg: e.reg, sink: s}
	a.cond.L = &a.mu
	a.sub = &router.Sub{Out: a, Pattern: e.name}
	return a
}

// message converts what the router carries into the Message a sink gets:
// the sender's own Message from Exchange.Send, or, from a network client
// of a shared router, one with a copy of the payload (the router's bytes are
// valid only during routing).
func message(m *router.Message) Message {
	if v, ok := m.Value.(*Message); ok {
		return *v
	}
	return Message{Exchange: string(m.Channel), Data: bytes.Clone(m.Payload)}
}

// Deliver implements router.Outbox.
func (a *attachment) Deliver(s *router.Sub, msgs []router.Message) (expired bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range msgs {
		if a.gone || a.failed {
			break
		}
		s.State.Seq++
		if a.pending < a.reg.cfg.buffer {
			a.pushLocked(&msgs[i])
		} else {
			a.overflowLocked()
		}
	}
	return false
}

// Offer implements router.Outbox: the sink takes m only with room.
func (a *attachment) Offer(s *router.Sub, m *router.Message) (taken, expired bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gone || a.failed || a.pending >= a.reg.cfg.buffer {
		return false, false
	}
	s.State.Seq++
	a.pushLocked(m)
	return true, false
}

// Charge implements router.Outbox: no sink of a rotation set had room.
func (a *attachment) Charge(s *router.Sub, m *router.Message) (expired bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gone || a.failed {
		return false
	}
	s.State.Seq++
	a.overflowLocked()
	return false
}

// Expired implements router.Outbox; exchange subscriptions have no
// auto-unsubscribe limit.
func (a *attachment) Expired(*router.Sub) {}

func (a *attachment) pushLocked(m *router.Message) {
	a.q = append(a.q, entry{m: message(m)})
	a.pending++
	a.sub.State.Delivered++
	a.cond.Signal()
}

// overflowLocked applies the overflow policy to a message that does not fit.
func (a *attachment) overflowLocked() {
	if a.reg.cfg.overflow == OverflowDisconnect {
		a.failed = true
		a.reg.disconnected.Add(1)
		a.reg.cfg.log.Warn("exchange sink detached: its buffer is full", "exchange", a.ex.name, "sink", sinkName(a.sink),
			"buffer", a.reg.cfg.buffer)
		// The router may hold locks here, and the sink's goroutine may be
		// stuck in Send: detach from a goroutine of its own. The sink's
		// goroutine is still counted in wg, so adding to it is safe.
		a.reg.wg.Add(1)
		go func() {
			defer a.reg.wg.Done()
			if !a.ex.detachAttachment(a) {
				a.detach(false) // being detached by another goroutine already
			}
		}()
		return
	}
	a.dropped++
	a.slowDrops++
	a.sub.State.Dropped++
	a.reg.dropped.Add(1)
	if !a.slow {
		a.slow = true
		a.reg.cfg.log.Warn("exchange sink is slow: dropping messages", "exchange", a.ex.name, "sink", sinkName(a.sink),
			"buffer", a.reg.cfg.buffer)
	}
}

// barrier queues a Flush barrier and returns the channel closed when the
// goroutine reaches it, or nil if the sink has nothing pending or in hand.
func (a *attachment) barrier() chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gone || (!a.busy && a.head == len(a.q)) {
		return nil
	}
	ch := make(chan struct{})
	a.q = append(a.q, entry{barrier: ch})
	a.cond.Signal()
	return ch
}

// run is the sink's goroutine: it hands buffered messages to the sink one at
// a time until the attachment is detached.
func (a *attachment) run() {
	defer a.reg.wg.Done()
	a.mu.Lock()
	for {
		a.busy = false
		// A failed sink gets nothing more; its detach is under way.
		for (a.head == len(a.q) || a.failed) && !a.gone {
			a.cond.Wait()
		}
		if a.gone {
			a.mu.Unlock()
			return
		}
		e := a.q[a.head]
		a.q[a.head] = entry{}
		a.head++
		if a.head == len(a.q) {
			a.q, a.head = a.q[:0], 0
		}
		if e.barrier != nil {
			close(e.barrier)
			continue
		}
		a.pending--
		a.busy = true
		a.recoveredLocked()
		a.mu.Unlock()
		a.sink.Send(e.m)
		a.mu.Lock()
		a.delivered++
		a.reg.delivered.Add(1)
	}
}

// recoveredLocked ends a slow episode, and logs it, once the buffer is below
// half full (the hysteresis keeps a sink hovering at the bound from flooding
// the log).
func (a *attachment) recoveredLocked() {
	if a.slow && a.pending < a.reg.cfg.buffer/2 {
		a.slow = false
		a.reg.cfg.log.Info("exchange sink recovered", "exchange", a.ex.name, "sink", sinkName(a.sink), "dropped", a.slowDrops)
		a.slowDrops = 0
	}
}

// detach ends the attachment: its subscription leaves the router, pending
// barriers are released, and buffered messages are discarded or, for a
// rotation set member, offered to the other members (PROTOCOL.md 7.8; with
// charge false, one no member can take is dropped instead of charged).
func (a *attachment) detach(charge bool) {
	a.reg.router.Unsubscribe(a.sub)
	a.mu.Lock()
	if a.gone {
		a.mu.Unlock()
		return
	}
	a.gone = true
	a.sub.State.Closed = true
	var back []router.Message
	for _, e := range a.q[a.head:] {
		switch {
		case e.barrier != nil:
			close(e.barrier)
		case a.sub.Rotating():
			m := e.m
			back = append(back, router.Message{Channel: []byte(m.Exchange), Payload: m.Data, Value: &m})
		default:
			a.reg.discarded.Add(1)
		}
	}
	a.q, a.head, a.pending = nil, 0, 0
	a.cond.Signal()
	a.mu.Unlock()
	a.reg.untrack(a)
	if len(back) > 0 {
		p := a.reg.pubs.Get().(*router.Publisher)
		a.reg.discarded.Add(uint64(a.reg.router.Reoffer(p, a.sub, back, charge)))
		a.reg.pubs.Put(p)
	}
}

func (a *attachment) stats() SinkStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return SinkStats{Pending: a.pending, Delivered: a.delivered, Dropped: a.dropped}
}

// sinkName names a sink in logs.
func sinkName(s Sink) string {
	if n, ok := s.(interface{ Name() string }); ok {
		return n.Name()
	}
	return fmt.Sprintf("%T", s)
}
