package herald

import (
	"fmt"
	"sync"
)

// eventKind says which callback an event is for.
type eventKind int

const (
	evError eventKind = iota
	evDisconnect
	evReconnect
	evClosed
	evQuit // Connect failed: stop without a callback
)

// event is one callback to run.
type event struct {
	kind eventKind
	sub  *Subscription
	err  error
}

// maxQueuedEvents bounds the error events waiting for the error handler;
// beyond it errors are counted and logged instead (losses of a subscription
// already queued are still merged, so no loss goes unreported).
const maxQueuedEvents = 4096

// mergeWindow is how many queued events are searched for a loss report to
// merge a new one into.
const mergeWindow = 64

// dispatcher runs the user's callbacks one at a time, in order, on a
// goroutine of its own, so that the network goroutines never wait for user
// code.
type dispatcher struct {
	c       *Conn
	mu      sync.Mutex
	q       []*event
	wake    chan struct{}
	stopped bool
	skipped int
}

func (d *dispatcher) start(c *Conn) {
	d.c = c
	d.wake = make(chan struct{}, 1)
	go d.run()
}

// errorf queues err for the error handler.
func (d *dispatcher) errorf(sub *Subscription, err error) {
	d.push(&event{kind: evError, sub: sub, err: err})
}

// push queues e. A *LossError is merged into a queued report of the same
// subscription and source when there is one (this is how NOTICEs and client
// drops that arrive in bursts are coalesced).
func (d *dispatcher) push(e *event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	if le, ok := e.err.(*LossError); ok {
		for i := len(d.q) - 1; i >= 0 && i >= len(d.q)-mergeWindow; i-- {
			if ql, ok := d.q[i].err.(*LossError); ok && ql.Sub == le.Sub && ql.Source == le.Source {
				ql.merge(le)
				return
			}
		}
	}
	if e.kind == evError && len(d.q) >= maxQueuedEvents {
		if _, ok := e.err.(*LossError); !ok {
			d.skipped++
			return
		}
	}
	if e.kind == evClosed || e.kind == evQuit {
		d.stopped = true
	}
	d.q = append(d.q, e)
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) run() {
	for {
		d.mu.Lock()
		for len(d.q) == 0 {
			d.mu.Unlock()
			<-d.wake
			d.mu.Lock()
		}
		e := d.q[0]
		d.q[0] = nil
		d.q = d.q[1:]
		skipped := d.skipped
		d.skipped = 0
		d.mu.Unlock()
		if skipped > 0 {
			d.c.opts.logger.Warn("herald: error handler too slow, errors not reported", "count", skipped)
		}
		if e.kind == evQuit {
			return
		}
		d.call(e)
		if e.kind == evClosed {
			return
		}
	}
}

// call runs one callback, recovering a panic in it.
func (d *dispatcher) call(e *event) {
	c := d.c
	defer func() {
		if r := recover(); r != nil {
			c.opts.logger.Error("herald: callback panicked", "panic", fmt.Sprint(r))
		}
	}()
	switch e.kind {
	case evError:
		if c.opts.onError != nil {
			c.opts.onError(c, e.sub, e.err)
			return
		}
		pattern := ""
		if e.sub != nil {
			pattern = e.sub.pattern
		}
		c.opts.logger.Warn("herald: async error", "subscription", pattern, "err", e.err)
	case evDisconnect:
		if c.opts.onDisconnect != nil {
			c.opts.onDisconnect(c, e.err)
		}
	case evReconnect:
		if c.opts.onReconnect != nil {
			c.opts.onReconnect(c)
		}
	case evClosed:
		if c.opts.onClosed != nil {
			c.opts.onClosed(c)
		}
	}
}
