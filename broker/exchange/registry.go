package exchange

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// ErrInvalidName is returned by Open for a name that is neither a channel
// nor a pattern (PROTOCOL.md 5.1, 5.2).
var ErrInvalidName = errors.New("exchange: invalid name")

// Registry holds named exchanges that share one router. The package's
// functions use a default registry; tests that want exchanges of their own
// create one with NewRegistry. A Registry is safe for concurrent use.
type Registry struct {
	cfg    config
	router *router.Router
	pubs   sync.Pool // *router.Publisher: scratch space for concurrent Sends

	mu        sync.Mutex
	exchanges map[string]*Exchange
	sinks     map[*attachment]struct{}
	closed    bool
	wg        sync.WaitGroup // sink goroutines

	sent, delivered, dropped, discarded, disconnected atomic.Uint64
}

// NewRegistry returns an empty Registry. It panics if WithOverflow names an
// unknown policy.
func NewRegistry(opts ...Option) *Registry {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.overflow != OverflowDrop && cfg.overflow != OverflowDisconnect {
		panic(fmt.Sprintf("exchange: overflow policy %q: want %q or %q", cfg.overflow, OverflowDrop, OverflowDisconnect))
	}
	r := &Registry{
		cfg:       cfg,
		router:    cfg.router,
		exchanges: make(map[string]*Exchange),
		sinks:     make(map[*attachment]struct{}),
	}
	if r.router == nil {
		r.router = router.New()
	}
	r.pubs.New = func() any { return new(router.Publisher) }
	return r
}

var defaultRegistry = NewRegistry()

// Default returns the registry the package-level Get uses: unbounded
// lifetime, default options.
func Default() *Registry { return defaultRegistry }

// Get returns the exchange of the default registry named name, creating it on
// first use. It panics if name is not a valid channel or pattern.
func Get(name string) *Exchange { return defaultRegistry.Get(name) }

// Get returns the exchange named name, creating it on first use. name is a
// channel ("/orders/eu") or, for an exchange that only attaches sinks, a
// pattern ("/orders/*"). It panics if name is neither; Open returns an error
// instead.
func (r *Registry) Get(name string) *Exchange {
	e, err := r.Open(name)
	if err != nil {
		panic(err)
	}
	return e
}

// Open is Get returning ErrInvalidName (wrapped) for an invalid name instead
// of panicking.
func (r *Registry) Open(name string) (*Exchange, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.exchanges[name]; e != nil {
		return e, nil
	}
	b := []byte(name)
	if !wire.ValidPattern(b) {
		return nil, fmt.Errorf("%w %q: want a channel like /orders/eu or a pattern like /orders/*", ErrInvalidName, name)
	}
	e := &Exchange{reg: r, name: name, channel: b, pattern: !wire.ValidChannel(b), sinks: make(map[Sink]*attachment)}
	r.exchanges[name] = e
	return e, nil
}

// Flush waits until every message sent through the registry before the call
// has been handed to its sink (the sink's Send has returned), dropped, or
// discarded because its sink was detached, or until ctx ends. Messages a
// departing "/queue" sink hands back to its rotation set may arrive after
// Flush returns. It must not be called from a Sink's Send: that sink's
// goroutine would wait for itself.
func (r *Registry) Flush(ctx context.Context) error {
	r.mu.Lock()
	var waits []chan struct{}
	for a := range r.sinks {
		if ch := a.barrier(); ch != nil {
			waits = append(waits, ch)
		}
	}
	r.mu.Unlock()
	for _, ch := range waits {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Close detaches every sink and waits for the sinks' goroutines to end (so
// for a Send in progress to return). Exchanges stay usable for sending, to
// no one; Attach on them reports false. It must not be called from a Sink's
// Send.
func (r *Registry) Close() {
	r.mu.Lock()
	r.closed = true
	all := make([]*attachment, 0, len(r.sinks))
	for a := range r.sinks {
		all = append(all, a)
	}
	r.mu.Unlock()
	for _, a := range all {
		a.ex.detachAttachment(a)
	}
	r.wg.Wait()
}

// Stats is a snapshot of a registry's counters.
type Stats struct {
	Sinks        int    // sinks attached now
	Sent         uint64 // messages sent through the registry's exchanges
	Delivered    uint64 // messages handed to sinks (their Send returned)
	Dropped      uint64 // messages dropped for sinks whose buffer was full
	Discarded    uint64 // buffered messages discarded when their sink was detached
	Disconnected uint64 // sinks detached by OverflowDisconnect
}

// Stats returns the registry's counters.
func (r *Registry) Stats() Stats {
	r.mu.Lock()
	n := len(r.sinks)
	r.mu.Unlock()
	return Stats{
		Sinks:        n,
		Sent:         r.sent.Load(),
		Delivered:    r.delivered.Load(),
		Dropped:      r.dropped.Load(),
		Discarded:    r.discarded.Load(),
		Disconnected: r.disconnected.Load(),
	}
}

// track registers a new attachment and reports false once the registry is
// closed.
func (r *Registry) track(a *attachment) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.sinks[a] = struct{}{}
	r.wg.Add(1)
	return true
}

func (r *Registry) untrack(a *attachment) {
	r.mu.Lock()
	delete(r.sinks, a)
	r.mu.Unlock()
}
