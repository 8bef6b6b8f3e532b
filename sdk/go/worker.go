package herald

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// DefaultDrainTimeout is how long a Worker's Run waits for in-flight work
// once its context ends (see WithDrainTimeout).
const DefaultDrainTimeout = 30 * time.Second

// Worker processes the messages of a rotation set (a queue group, or a
// "/queue..." pattern) with a fixed number of concurrent handlers. It never
// drops work on the client side: it has no pending limits, and with
// prefetch (on by default, = concurrency) the broker hands it no more than
// it can work on, skipping it in rotation while it is busy.
type Worker struct {
	c            *Conn
	sub          *Subscription
	h            MsgHandler
	concurrency  int
	drainTimeout time.Duration
	handled      atomic.Uint64
	running      atomic.Bool
}

// NewWorker subscribes a Worker to pattern; call Run to process messages.
// Messages that arrive before Run are kept for it. The pattern must rotate
// (it starts with "/queue", or WithQueueGroup is given), else ErrNotQueue.
func (c *Conn) NewWorker(pattern string, h MsgHandler, opts ...WorkerOption) (*Worker, error) {
	if h == nil {
		return nil, ErrNilHandler
	}
	cfg := workerConfig{concurrency: 1, drainTimeout: DefaultDrainTimeout, sub: subConfig{prefetch: -1}}
	for _, o := range opts {
		o.applyWorker(&cfg)
	}
	if cfg.sub.queue == "" && !wire.IsQueuePattern([]byte(pattern)) {
		return nil, fmt.Errorf("%w: worker on %q", ErrNotQueue, pattern)
	}
	if cfg.sub.prefetch < 0 {
		cfg.sub.prefetch = 0
		if info := c.ServerInfo(); info.Has(wire.CapPrefetch) {
			cfg.sub.prefetch = cfg.concurrency
		}
	}
	cfg.sub.pendingMsgs, cfg.sub.pendingBytes, cfg.sub.ctx = 0, 0, nil
	s, err := c.subscribe(pattern, nil, cfg.sub)
	if err != nil {
		return nil, err
	}
	return &Worker{c: c, sub: s, h: h, concurrency: cfg.concurrency, drainTimeout: cfg.drainTimeout}, nil
}

// Subscription returns the Worker's subscription (for Dropped and Pending).
func (w *Worker) Subscription() *Subscription { return w.sub }

// Handled returns how many messages the Worker's handlers have finished.
func (w *Worker) Handled() uint64 { return w.handled.Load() }

// Run processes messages until ctx ends, then drains: it stops taking new
// messages, lets the handlers finish what the Worker holds, and returns nil
// (or an error wrapping ErrDrainTimeout when that takes longer than the drain
// timeout). It returns ErrConnectionClosed (wrapped) if the connection closes
// first, and ErrWorkerRunning when called again.
func (w *Worker) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return ErrWorkerRunning
	}
	var wg sync.WaitGroup
	for range w.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				m, err := w.sub.next(context.Background(), true)
				if err != nil {
					return
				}
				w.c.callHandler(w.sub, w.h, m)
				m.Ack()
				w.handled.Add(1)
				w.sub.done()
			}
		}()
	}
	select {
	case <-ctx.Done():
	case <-w.sub.endCh:
		// Ended from outside: Conn.Drain (nil), Close or the server
		// refusing the subscription (the cause).
		wg.Wait()
		w.sub.mu.Lock()
		defer w.sub.mu.Unlock()
		return w.sub.err
	}
	dctx, cancel := context.WithTimeout(context.Background(), w.drainTimeout)
	defer cancel()
	err := w.sub.Drain(dctx)
	if err == nil || errors.Is(err, ErrConnectionClosed) {
		wg.Wait()
	}
	if errors.Is(err, ErrConnectionClosed) {
		return nil
	}
	return err
}
