package exchange

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/heraldmq/herald/broker/router"
)

// Message is what flows through an exchange.
type Message struct {
	// Exchange is the name of the exchange the message was sent to; Send
	// sets it.
	Exchange string
	// Value is any Go value, for in-process sinks. Every sink receives the
	// same value: sinks must not modify what it refers to.
	Value any
	// Data is an optional byte payload: what network subscribers receive
	// when the registry shares a broker's router (WithRouter). Sinks share
	// it too and must not modify it.
	Data []byte
}

// Sink receives messages from the exchanges it is attached to. Send is
// called from a goroutine of the sink's own, one message at a time, in the
// order each sender sent them; it may block (messages wait in the sink's
// buffer meanwhile) and may attach or detach sinks, this one included. A sink
// is identified by ==, so it must be comparable: typically a pointer.
type Sink interface {
	Send(m Message)
}

// Exchange is a named exchange of a Registry. Its methods are safe for
// concurrent use. An Exchange is itself a Sink: attached to another
// exchange, it forwards what it receives under its own name.
type Exchange struct {
	reg     *Registry
	name    string
	channel []byte
	pattern bool // the name has wildcards: sinks only, no Send

	mu    sync.Mutex
	sinks map[Sink]*attachment
}

// Name returns the exchange's name.
func (e *Exchange) Name() string { return e.name }

// Send delivers m, under this exchange's name, to every sink attached to it
// or to a pattern matching it; on a "/queue..." exchange, to one of its sinks
// in strict rotation. It never blocks on a sink: a sink whose buffer is full
// loses the message (or is detached) by the registry's overflow policy. Send
// panics on an exchange named by a pattern, which has no single name to send
// under.
func (e *Exchange) Send(m Message) {
	if e.pattern {
		panic(fmt.Sprintf("exchange: Send on %s: a pattern attaches sinks but cannot be sent to", e.name))
	}
	m.Exchange = e.name
	p := e.reg.pubs.Get().(*router.Publisher)
	msgs := []router.Message{{Channel: e.channel, Payload: m.Data, Value: &m}}
	e.reg.router.Publish(p, e.channel, msgs)
	e.reg.pubs.Put(p)
	e.reg.sent.Add(1)
}

// Attach attaches s, which receives messages from then on. It reports false,
// and does nothing, if s is already attached to this exchange or the
// registry is closed. It panics if s is not comparable.
func (e *Exchange) Attach(s Sink) bool { return e.attach(s) != nil }

func (e *Exchange) attach(s Sink) *attachment {
	if t := reflect.TypeOf(s); t == nil || !t.Comparable() {
		panic(fmt.Sprintf("exchange: sink of type %v is not comparable; attach a pointer", t))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sinks[s] != nil {
		return nil
	}
	a := newAttachment(e, s)
	if !e.reg.track(a) {
		return nil
	}
	e.sinks[s] = a
	e.reg.router.Subscribe(a.sub)
	go a.run()
	return a
}

// Detach detaches s and reports whether it was attached. Messages buffered
// for s are discarded or, on a "/queue" exchange, offered to the other sinks
// in rotation. Detach does not wait for s's goroutine: a Send of the message
// that goroutine had already taken may still be running, or about to run,
// when Detach returns; no other message reaches s. Detach may be called from
// s's own Send.
func (e *Exchange) Detach(s Sink) bool {
	e.mu.Lock()
	a := e.sinks[s]
	e.mu.Unlock()
	if a == nil {
		return false
	}
	return e.detachAttachment(a)
}

// detachAttachment detaches a if it is still this exchange's attachment.
func (e *Exchange) detachAttachment(a *attachment) bool {
	e.mu.Lock()
	if e.sinks[a.sink] != a {
		e.mu.Unlock()
		return false
	}
	delete(e.sinks, a.sink)
	e.mu.Unlock()
	a.detach(e.reg.cfg.overflow == OverflowDrop)
	return true
}

// AttachAll attaches every sink and returns a function that detaches them,
// for defer. Sinks that were already attached are left alone, then and by
// the returned function.
func (e *Exchange) AttachAll(sinks ...Sink) (detach func()) {
	var mine []*attachment
	for _, s := range sinks {
		if a := e.attach(s); a != nil {
			mine = append(mine, a)
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			for _, a := range mine {
				e.detachAttachment(a)
			}
		})
	}
}

// Subscribe attaches every sink until ctx ends, then detaches them (sinks
// that were already attached are left alone).
func (e *Exchange) Subscribe(ctx context.Context, sinks ...Sink) {
	context.AfterFunc(ctx, e.AttachAll(sinks...))
}

// Sinks returns how many sinks are attached to this exchange itself (not
// counting sinks of patterns that match it).
func (e *Exchange) Sinks() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.sinks)
}

// SinkStats describes one attached sink.
type SinkStats struct {
	Pending   int    // messages in its buffer
	Delivered uint64 // messages handed to it (its Send returned)
	Dropped   uint64 // messages it lost to a full buffer
}

// SinkStats returns s's counters, and false if s is not attached to this
// exchange.
func (e *Exchange) SinkStats(s Sink) (SinkStats, bool) {
	e.mu.Lock()
	a := e.sinks[s]
	e.mu.Unlock()
	if a == nil {
		return SinkStats{}, false
	}
	return a.stats(), true
}
