package steps

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec/wire"
)

// The isolation figure of PROTOCOL.md 13.1: ten subscribers that read must
// receive a large volume within a small multiple of the time they take when
// no subscriber stalls. Isolation is judged by completion: the publisher
// sends with a window of half max_pending_bytes ahead of the slowest reader,
// so a reader is never the one to overflow, while a server that waits for
// the stalled subscriber stops every reader at once.

// isoPayload is the payload of the isolation messages.
const isoPayload = 32 << 10

type isolation struct {
	volume  int64
	free    time.Duration
	stalled time.Duration
}

func (w *world) registerIsolationSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the isolation volume is the larger of (\d+) MiB and (\d+) times max_pending_bytes$`, w.isolationVolume)
	sc.Step(`^(\d+) readers receive that volume published to "([^"]*)", with no stalled subscriber$`, w.isolationFree)
	sc.Step(`^(\d+) readers receive that volume published to "([^"]*)", beside (\d+) subscribers? that never reads?$`, w.isolationStalled)
	sc.Step(`^the run beside the stalled subscriber took at most (\d+) times as long as the run without it$`, w.isolationRatio)
}

func (w *world) isolationVolume(mib, times int) error {
	w.iso.volume = max(int64(mib)<<20, int64(times)*int64(w.welcome.MaxPendingBytes))
	return nil
}

func (w *world) isolationFree(readers int, channel string) error {
	d, err := w.isolationRun(readers, 0, channel)
	w.iso.free = d
	return err
}

func (w *world) isolationStalled(readers int, channel string, stalled int) error {
	d, err := w.isolationRun(readers, stalled, channel)
	w.iso.stalled = d
	return err
}

func (w *world) isolationRatio(ratio int) error {
	if w.iso.free == 0 || w.iso.stalled == 0 {
		return fmt.Errorf("both isolation runs must have completed")
	}
	limit := time.Duration(float64(w.iso.free) * float64(ratio) * w.env.s.TimeoutScale)
	w.env.Notef("isolation: %d MiB to 10 readers took %v without a stalled subscriber and %v beside one (ratio %.2f, limit %d× = %v)",
		w.iso.volume>>20, w.iso.free.Round(time.Millisecond), w.iso.stalled.Round(time.Millisecond),
		float64(w.iso.stalled)/float64(w.iso.free), ratio, limit.Round(time.Millisecond))
	if w.iso.stalled > limit {
		return fmt.Errorf("beside a stalled subscriber the readers took %v, more than %d × %v: the server slows everyone for its slowest reader (8.1, 13.1)", w.iso.stalled, ratio, w.iso.free)
	}
	return nil
}

// reader counts what one isolation reader receives and checks its order.
type reader struct {
	count atomic.Int64
	mu    sync.Mutex
	bad   error
	poke  chan struct{}
}

func (r *reader) onMsg(m *wire.Msg) bool {
	n := r.count.Load() + 1
	if id, ok := indexOf(m.Payload); m.Seq != uint64(n) || !ok || id != uint64(n) {
		r.mu.Lock()
		if r.bad == nil {
			r.bad = fmt.Errorf("expected message %d with seq %d and got seq %d carrying %d", n, n, m.Seq, id)
		}
		r.mu.Unlock()
	}
	r.count.Store(n)
	select {
	case r.poke <- struct{}{}:
	default:
	}
	return true
}

// isolationRun connects readers that read and stalled subscribers that do
// not, publishes the volume and returns how long the readers took to receive
// all of it. Every connection it opens is closed before it returns.
func (w *world) isolationRun(readers, stalled int, channel string) (time.Duration, error) {
	if w.iso.volume == 0 {
		return 0, fmt.Errorf("state the isolation volume first")
	}
	ch, err := w.name(channel)
	if err != nil {
		return 0, err
	}
	tag := fmt.Sprintf("%s:", channel)
	var conns []*probe.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	connect := func(name string) (*probe.Conn, error) {
		c, err := w.connect(tag+name, w.env.hello(name))
		if err == nil {
			conns = append(conns, c)
		}
		return c, err
	}
	poke := make(chan struct{}, 1)
	rs := make([]*reader, readers)
	for i := range rs {
		rs[i] = &reader{poke: poke}
		c, err := connect(fmt.Sprintf("reader-%d", i+1))
		if err != nil {
			return 0, err
		}
		c.SetOnMsg(rs[i].onMsg)
		if err := w.sendAndSync(c, (&wire.Sub{Sid: 1, Pattern: []byte(ch)}).Append(nil), true); err != nil {
			return 0, err
		}
	}
	for i := range stalled {
		c, err := connect(fmt.Sprintf("stalled-%d", i+1))
		if err != nil {
			return 0, err
		}
		if err := w.sendAndSync(c, (&wire.Sub{Sid: 1, Pattern: []byte(ch)}).Append(nil), true); err != nil {
			return 0, err
		}
		w.pause(c)
	}
	pub, err := connect("publisher")
	if err != nil {
		return 0, err
	}

	size := w.bigPayload(isoPayload)
	total := int((w.iso.volume + int64(size) - 1) / int64(size))
	window := max(1, int(w.welcome.MaxPendingBytes/2)/size)
	slowest := func() int {
		least := total
		for _, r := range rs {
			least = min(least, int(r.count.Load()))
		}
		return least
	}
	start := time.Now()
	var frame []byte
	for sent := 0; sent < total; {
		done := slowest()
		if sent-done >= window {
			select {
			case <-poke:
			case <-time.After(w.timeout()):
				return 0, fmt.Errorf("the readers stopped receiving: the slowest has %d of %d messages and none arrived for %v (8.1)", done, total, w.timeout())
			}
			continue
		}
		frame = (&wire.Pub{Channel: []byte(ch), Payload: indexed(uint64(sent+1), size)}).Append(frame[:0])
		if err := pub.Send(frame); err != nil {
			return 0, fmt.Errorf("publishing message %d of %d: %w (8.1)", sent+1, total, err)
		}
		sent++
	}
	for done := slowest(); done < total; done = slowest() {
		select {
		case <-poke:
		case <-time.After(w.timeout()):
			for i, r := range rs {
				r.mu.Lock()
				fmt.Println("DBG reader", i, r.count.Load(), r.bad, conns[i].Pending(probe.Any))
				r.mu.Unlock()
			}
			return 0, fmt.Errorf("the readers stopped receiving: the slowest has %d of %d messages and none arrived for %v (8.1)", done, total, w.timeout())
		}
	}
	took := time.Since(start)
	for i, r := range rs {
		r.mu.Lock()
		bad := r.bad
		r.mu.Unlock()
		if bad != nil {
			return took, fmt.Errorf("reader %d: %w (7.3)", i+1, bad)
		}
		if left := conns[i].Pending(probe.Any); len(left) > 0 {
			return took, fmt.Errorf("reader %d received %s (8.1: a reader that keeps up loses nothing)", i+1, left[0])
		}
	}
	return took, pub.Barrier()
}
