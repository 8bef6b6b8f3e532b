package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
	"github.com/heraldmq/herald/tools/internal/bench/stats"
)

// The client loop: every workload, for every system, is built from the
// pieces in this file, so that all systems are driven the same way.

// clock gives monotonic nanoseconds since a run's start; payloads carry it.
type clock struct{ base time.Time }

func (c clock) now() int64 { return int64(time.Since(c.base)) }

// counter is one subscriber's progress, on its own cache line.
type counter struct {
	n    atomic.Int64 // messages received
	last atomic.Int64 // clock time of a recent message (see consume)
	_    [48]byte
}

// session holds one run's connections and goroutines.
type session struct {
	cfg     Config
	sys     driver.System
	clock   clock
	mu      sync.Mutex
	conns   []driver.Conn
	wg      sync.WaitGroup
	closing atomic.Bool
	readErr error // first reader error not caused by close; guarded by mu
}

func newSession(cfg Config, sys driver.System) *session {
	return &session{cfg: cfg, sys: sys, clock: clock{base: time.Now()}}
}

// dial opens a connection that close will end.
func (s *session) dial(ctx context.Context) (driver.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	c, err := s.sys.Dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", s.sys.Name, s.sys.Addr, err)
	}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	return c, nil
}

// subscriber dials, subscribes and waits until the subscription is in
// effect.
func (s *session) subscriber(ctx context.Context, topic, group string) (driver.Conn, error) {
	c, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Subscribe(topic, group); err != nil {
		return nil, err
	}
	if err := driver.Sync(c, s.cfg.Timeout); err != nil {
		return nil, fmt.Errorf("%s: subscription not confirmed: %w", s.sys.Name, err)
	}
	return c, nil
}

// consume reads c in a goroutine until the session closes, counting messages
// into cnt. It stamps cnt.last every 64 messages and on every message once
// the count reaches want, so the run's end time is exact for fan-out and
// within 64 messages otherwise. onMsg, when not nil, sees each payload and
// the time it arrived.
func (s *session) consume(c driver.Conn, cnt *counter, want *atomic.Int64, onMsg func(p []byte, now int64)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var n int64
		for {
			k, p, err := c.Read()
			if err != nil {
				s.fail(err)
				return
			}
			if k != driver.KindMsg {
				continue
			}
			n++
			cnt.n.Store(n)
			if onMsg != nil {
				onMsg(p, s.clock.now())
			}
			if n&63 == 0 || (want != nil && n >= want.Load()) {
				cnt.last.Store(s.clock.now())
			}
		}
	}()
}

// fail records a reader's error unless the session is closing.
func (s *session) fail(err error) {
	if s.closing.Load() {
		return
	}
	s.mu.Lock()
	if s.readErr == nil {
		s.readErr = err
	}
	s.mu.Unlock()
}

// close ends every connection and waits for the readers.
func (s *session) close() {
	s.closing.Store(true)
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
	s.wg.Wait()
}

// err returns the first reader error seen before close.
func (s *session) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readErr
}

// publisher is a publishing connection whose replies a goroutine drains
// (Redis answers every PUBLISH), turning pongs into a channel.
type publisher struct {
	driver.Conn
	pongs   chan struct{}
	payload []byte
}

// publisher dials a publishing connection.
func (s *session) publisher(ctx context.Context) (*publisher, error) {
	c, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	p := &publisher{Conn: c, pongs: make(chan struct{}, 1), payload: make([]byte, s.cfg.Size)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			k, _, err := c.Read()
			if err != nil {
				s.fail(err)
				return
			}
			if k == driver.KindPong {
				select {
				case p.pongs <- struct{}{}:
				default:
				}
			}
		}
	}()
	return p, nil
}

// sync flushes and waits for a round trip: the broker has then read
// everything published before.
func (p *publisher) sync(timeout time.Duration) error {
	if err := p.Flush(); err != nil {
		return err
	}
	if err := p.Ping(); err != nil {
		return err
	}
	select {
	case <-p.pongs:
		return nil
	case <-time.After(timeout):
		return errors.New("publisher: no pong within " + timeout.String())
	}
}

// stamp writes the send time and sequence number into the payload.
func (p *publisher) stamp(now int64, seq int64) []byte {
	binary.LittleEndian.PutUint64(p.payload[0:], uint64(now))
	binary.LittleEndian.PutUint64(p.payload[8:], uint64(seq))
	return p.payload
}

// sentAt reads the send time a payload carries.
func sentAt(p []byte) int64 {
	if len(p) < 8 {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(p))
}

// publishMax publishes up to cfg.Count messages to topic as fast as the
// window allows, for at most cfg.Duration. progress returns how many messages
// the slowest subscriber (or, for a queue, all workers together) has
// received. It returns how many were sent and the time the last one was
// flushed.
func (s *session) publishMax(ctx context.Context, p *publisher, topic string, progress func() int64) (int64, int64, error) {
	window := s.cfg.windowMsgs()
	deadline := s.clock.now() + int64(s.cfg.Duration)
	var i int64
	for i = 0; i < int64(s.cfg.Count); i++ {
		if i&255 == 0 {
			if ctx.Err() != nil {
				return i, s.clock.now(), ctx.Err()
			}
			if s.clock.now() >= deadline {
				break
			}
			if window > 0 && i-progress() > window {
				if err := p.Flush(); err != nil {
					return i, s.clock.now(), err
				}
				if !s.waitWindow(ctx, i, window, progress) {
					window = 0 // a subscriber stopped reading: publish unpaced
				}
				if err := ctx.Err(); err != nil {
					return i, s.clock.now(), err
				}
			}
		}
		if err := p.Publish(topic, p.stamp(0, i)); err != nil {
			return i, s.clock.now(), err
		}
	}
	err := p.Flush()
	return i, s.clock.now(), err
}

// waitWindow waits until the publisher, having sent i messages, is within
// window of progress. It returns false when progress has not moved for
// cfg.Idle (a subscriber died or stalled), true otherwise.
func (s *session) waitWindow(ctx context.Context, i, window int64, progress func() int64) bool {
	last, moved := progress(), time.Now()
	for i-last > window {
		if ctx.Err() != nil {
			return true
		}
		time.Sleep(50 * time.Microsecond)
		if p := progress(); p != last {
			last, moved = p, time.Now()
		} else if time.Since(moved) > s.cfg.Idle {
			return false
		}
	}
	return true
}

// publishPaced publishes total messages at rate per second (stopping after
// cfg.Duration), each stamped with its send time. Every Publish call's
// duration is recorded in calls (the Flush ending a batch is counted in its
// last call), when calls is not nil. It returns how many were sent and the
// elapsed time.
func (s *session) publishPaced(ctx context.Context, p *publisher, topic string, rate float64, total int64, calls *stats.Histogram) (int64, time.Duration, error) {
	start := s.clock.now()
	end := start + int64(s.cfg.Duration)
	var sent int64
	for sent < total {
		if err := ctx.Err(); err != nil {
			return sent, time.Duration(s.clock.now() - start), err
		}
		now := s.clock.now()
		if now >= end {
			break
		}
		due := min(int64(float64(now-start)*rate/1e9)+1, total)
		var t0 int64
		for ; sent < due; sent++ {
			t0 = s.clock.now()
			if err := p.Publish(topic, p.stamp(t0, sent)); err != nil {
				return sent, time.Duration(s.clock.now() - start), err
			}
			if calls != nil && sent+1 < due {
				calls.Record(s.clock.now() - t0)
			}
		}
		if err := p.Flush(); err != nil {
			return sent, time.Duration(s.clock.now() - start), err
		}
		if calls != nil {
			calls.Record(s.clock.now() - t0)
		}
		next := start + int64(float64(sent)*1e9/rate)
		if d := next - s.clock.now(); d > 0 {
			time.Sleep(time.Duration(d))
		}
	}
	return sent, time.Duration(s.clock.now() - start), nil
}

// errIdle means messages stopped arriving before all were received: the rest
// count as lost (a broker dropped them, or cut a subscriber off; session.err
// tells which subscriber failed).
var errIdle = errors.New("messages stopped arriving")

// await polls the counters until complete reports true, or until no counter
// has moved for cfg.Idle (errIdle: the rest are lost), or a reader fails.
func (s *session) await(ctx context.Context, cs []*counter, complete func() bool) error {
	var lastTotal int64 = -1
	lastMove := time.Now()
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		if complete() {
			return nil
		}
		var total int64
		for _, c := range cs {
			total += c.n.Load()
		}
		if total != lastTotal {
			lastTotal, lastMove = total, time.Now()
		} else if time.Since(lastMove) > s.cfg.Idle {
			return errIdle
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// lastAt returns the latest message time over the counters.
func lastAt(cs []*counter) int64 {
	var t int64
	for _, c := range cs {
		t = max(t, c.last.Load())
	}
	return t
}

// received returns the messages received over the counters.
func received(cs []*counter) int64 {
	var n int64
	for _, c := range cs {
		n += c.n.Load()
	}
	return n
}

// slowest returns the smallest count over the counters.
func slowest(cs []*counter) int64 {
	m := int64(-1)
	for _, c := range cs {
		if n := c.n.Load(); m < 0 || n < m {
			m = n
		}
	}
	return max(m, 0)
}

// newCounters returns n zeroed counters.
func newCounters(n int) []*counter {
	cs := make([]*counter, n)
	for i := range cs {
		cs[i] = new(counter)
	}
	return cs
}
