package herald

import (
	"context"
	"time"
)

// Default pending limits of a subscription (see WithPendingLimits).
const (
	DefaultPendingMsgs  = 65536
	DefaultPendingBytes = 64 << 20
)

// SubOption configures Subscribe and SubscribePull.
type SubOption interface{ applySub(*subConfig) }

// WorkerOption configures NewWorker.
type WorkerOption interface{ applyWorker(*workerConfig) }

// SubWorkerOption configures a subscription or a Worker.
type SubWorkerOption interface {
	SubOption
	WorkerOption
}

type subConfig struct {
	queue        string
	prefetch     int // -1: the default
	pendingMsgs  int
	pendingBytes int
	ctx          context.Context
	internal     bool // the request inbox: not drained with the others
}

type workerConfig struct {
	sub          subConfig
	concurrency  int
	drainTimeout time.Duration
}

type subOpt func(*subConfig)

func (f subOpt) applySub(c *subConfig)       { f(c) }
func (f subOpt) applyWorker(c *workerConfig) { f(&c.sub) }

type workerOpt func(*workerConfig)

func (f workerOpt) applyWorker(c *workerConfig) { f(c) }

// WithQueueGroup makes the subscription or Worker a member of the rotation
// set (group, pattern): each message published to the pattern goes to one
// member of the set (PROTOCOL.md 7.4). Defaults to no group; a pattern
// starting with "/queue" rotates without one.
func WithQueueGroup(group string) SubWorkerOption {
	return subOpt(func(c *subConfig) { c.queue = group })
}

// WithPrefetch sets the most unacknowledged messages the broker may give
// this member of a rotation set (PROTOCOL.md 7.11); a member without credit
// is skipped in rotation, so a slow member gets less work. 0 turns prefetch
// off. The server must announce the capability "prefetch". Defaults to off
// for a subscription and to the concurrency for a Worker (off when the
// server lacks the capability).
func WithPrefetch(n int) SubWorkerOption {
	return subOpt(func(c *subConfig) { c.prefetch = max(n, 0) })
}

// WithPendingLimits bounds the messages and bytes a subscription holds that
// its handler or Next has not taken yet; a message beyond either bound is
// dropped by the client and reported (ErrSlowConsumer, LossClient). A value
// of 0 or less means no bound. Defaults to 65536 messages and 64 MiB. A
// Worker has no bound: it never drops work.
func WithPendingLimits(msgs, bytes int) SubOption {
	return subOpt(func(c *subConfig) { c.pendingMsgs, c.pendingBytes = msgs, bytes })
}

// WithContext binds the subscription to ctx: it is unsubscribed when ctx
// ends. Calling Unsubscribe as well (say, deferred) is always safe. Defaults
// to no binding.
func WithContext(ctx context.Context) SubOption {
	return subOpt(func(c *subConfig) { c.ctx = ctx })
}

// WithConcurrency sets how many handlers a Worker runs at once. Defaults
// to 1.
func WithConcurrency(n int) WorkerOption {
	return workerOpt(func(c *workerConfig) { c.concurrency = max(n, 1) })
}

// WithDrainTimeout bounds how long a Worker's Run waits, once its context
// ends, for the messages it holds to be handled. Defaults to 30s.
func WithDrainTimeout(d time.Duration) WorkerOption {
	return workerOpt(func(c *workerConfig) { c.drainTimeout = d })
}
