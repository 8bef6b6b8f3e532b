package steps

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"
)

// The isolation figure of PROTOCOL.md 13.1 for the classic profile (14.5,
// 14.11): classic readers, a classic sender pacing itself half a buffer
// ahead of the slowest reader, and a classic listener that never reads.

// Without --addr the suite cannot read max_pending_bytes and max_payload
// from WELCOME; it then assumes a buffer of at least 1 MiB and payloads of at
// least 32 KiB.
const (
	classicIsoPayload = 32 << 10
	classicIsoWindow  = 512 << 10
)

type classicIso struct {
	volume  int64
	free    time.Duration
	stalled time.Duration
	size    int
	total   int
}

func (cw *classicWorld) registerIsolationSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the classic isolation volume is the larger of (\d+) MiB and (\d+) times max_pending_bytes$`, cw.isoVolume)
	sc.Step(`^(\d+) classic readers receive that volume sent to "([^"]*)" by a classic sender, with no stalled listener$`, cw.isoFree)
	sc.Step(`^(\d+) classic readers receive that volume sent to "([^"]*)" by a classic sender, beside classic client "([^"]+)" that never reads$`, cw.isoStalled)
	sc.Step(`^the run beside the stalled classic listener took at most (\d+) times as long as the run without it$`, cw.isoRatio)
	sc.Step(`^classic client "([^"]+)", reading again, receives whole messages of the run in order, then a later message or the end of its connection$`, cw.isoStalledReads)
}

// isoIndexed is the i-th isolation payload: '#', then i, then filler. (An
// index in the first byte would make small numbers look like probes.)
func isoIndexed(i uint64, n int) []byte {
	p := pattern(max(n, 9))
	p[0] = '#'
	binary.BigEndian.PutUint64(p[1:], i)
	return p
}

func isoIndexOf(p []byte) (uint64, bool) {
	if len(p) < 9 || p[0] != '#' {
		return 0, false
	}
	return binary.BigEndian.Uint64(p[1:]), true
}

func (cw *classicWorld) isoVolume(mib, times int) error {
	cw.iso.volume = max(int64(mib)<<20, int64(times)*int64(cw.w.welcome.MaxPendingBytes))
	cw.iso.size = classicIsoPayload
	if mp := cw.w.welcome.MaxPayload; mp > 0 {
		cw.iso.size = int(min(uint64(classicIsoPayload), mp))
	}
	cw.iso.total = int((cw.iso.volume + int64(cw.iso.size) - 1) / int64(cw.iso.size))
	return nil
}

func (cw *classicWorld) isoFree(readers int, channel string) error {
	d, err := cw.isoRun(readers, channel, "")
	cw.iso.free = d
	return err
}

func (cw *classicWorld) isoStalled(readers int, channel, stalled string) error {
	d, err := cw.isoRun(readers, channel, stalled)
	cw.iso.stalled = d
	return err
}

func (cw *classicWorld) isoRatio(ratio int) error {
	if cw.iso.free == 0 || cw.iso.stalled == 0 {
		return fmt.Errorf("both classic isolation runs must have completed")
	}
	limit := time.Duration(float64(cw.iso.free) * float64(ratio) * cw.w.env.s.TimeoutScale)
	cw.w.env.Notef("classic isolation: %d MiB to 10 classic readers took %v without a stalled listener and %v beside one (ratio %.2f, limit %d× = %v)",
		cw.iso.volume>>20, cw.iso.free.Round(time.Millisecond), cw.iso.stalled.Round(time.Millisecond),
		float64(cw.iso.stalled)/float64(cw.iso.free), ratio, limit.Round(time.Millisecond))
	if cw.iso.stalled > limit {
		return fmt.Errorf("beside a stalled classic listener the readers took %v, more than %d × %v: the server slows everyone for its slowest reader (14.5, 14.11, 13.1)", cw.iso.stalled, ratio, cw.iso.free)
	}
	return nil
}

// classicReader counts the isolation messages one classic reader receives
// and checks their order.
type classicReader struct {
	count atomic.Int64
	size  int
	mu    sync.Mutex
	bad   error
	poke  chan struct{}
}

func (r *classicReader) onData(b []byte) {
	n := r.count.Load() + 1
	if id, ok := isoIndexOf(b); !ok || id != uint64(n) || len(b) != r.size {
		r.mu.Lock()
		if r.bad == nil {
			r.bad = fmt.Errorf("expected whole message %d (%d bytes) and got %s", n, r.size, classicQuote(b))
		}
		r.mu.Unlock()
	}
	r.count.Store(n)
	select {
	case r.poke <- struct{}{}:
	default:
	}
}

// isoRun connects classic readers, and the stalled listener if named, sends
// the volume and returns how long the readers took to receive all of it. It
// closes every connection it opened but the stalled listener's.
func (cw *classicWorld) isoRun(readers int, channel, stalled string) (time.Duration, error) {
	if cw.iso.volume == 0 {
		return 0, fmt.Errorf("state the classic isolation volume first")
	}
	ch, err := cw.w.name(channel)
	if err != nil {
		return 0, err
	}
	var mine []*classicConn
	defer func() {
		for _, c := range mine {
			c.close()
		}
	}()
	if stalled != "" {
		if err := cw.listenStalled(stalled, channel); err != nil {
			return 0, err
		}
	}
	poke := make(chan struct{}, 1)
	rs := make([]*classicReader, readers)
	for i := range rs {
		rs[i] = &classicReader{poke: poke, size: cw.iso.size}
		c, err := cw.join(fmt.Sprintf("%s reader %d %s", channel, i+1, stalled), ch)
		if err != nil {
			return 0, err
		}
		mine = append(mine, c)
		c.mu.Lock()
		c.onData = rs[i].onData
		c.mu.Unlock()
	}
	s, err := cw.helper("isolation sender")
	if err != nil {
		return 0, err
	}
	mine = append(mine, s)
	if err := s.send(classicFrame(nil)); err != nil {
		return 0, err
	}

	total := cw.iso.total
	windowBytes := classicIsoWindow
	if mpb := cw.w.welcome.MaxPendingBytes; mpb > 0 {
		windowBytes = int(mpb / 2)
	}
	window := max(1, windowBytes/cw.iso.size)
	slowest := func() int {
		least := total
		for _, r := range rs {
			least = min(least, int(r.count.Load()))
		}
		return least
	}
	waitPoke := func(done int) error {
		select {
		case <-poke:
			return nil
		case <-time.After(cw.w.timeout()):
			return fmt.Errorf("the classic readers stopped receiving: the slowest has %d of %d messages and none arrived for %v (14.5)", done, total, cw.w.timeout())
		}
	}
	start := time.Now()
	var batch []byte
	for sent := 0; sent < total; {
		done := slowest()
		if sent-done >= window {
			if err := waitPoke(done); err != nil {
				return 0, err
			}
			continue
		}
		batch = batch[:0]
		for ; sent < total && sent-done < window && len(batch) < 256<<10; sent++ {
			batch = append(batch, classicPair(ch, isoIndexed(uint64(sent+1), cw.iso.size))...)
		}
		if err := s.send(batch); err != nil {
			return 0, fmt.Errorf("sending message %d of %d: %w (14.5)", sent, total, err)
		}
	}
	for done := slowest(); done < total; done = slowest() {
		if err := waitPoke(done); err != nil {
			return 0, err
		}
	}
	took := time.Since(start)
	for i, r := range rs {
		r.mu.Lock()
		bad := r.bad
		r.mu.Unlock()
		if bad != nil {
			return took, fmt.Errorf("classic reader %d: %w (14.4, 14.5)", i+1, bad)
		}
	}
	return took, nil
}

// isoStalledReads resumes the stalled listener and checks what it gets: whole
// isolation messages in increasing order (those it lost are missing: the
// kernel takes data from a stalled socket in bursts, so there may be several
// runs, 8.3), then, under the drop policy, a marker sent after the run once
// it has room again, or, under disconnect, the end of the connection (14.5).
func (cw *classicWorld) isoStalledReads(name string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	dest, ok := cw.listening[name]
	if !ok {
		return fmt.Errorf("classic client %s listens on nothing", name)
	}
	s, err := cw.helper("marker sender")
	if err != nil {
		return err
	}
	if err := s.send(classicFrame(nil)); err != nil {
		return err
	}
	marker := []byte("end of the isolation run")
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		// Markers are dropped while the listener's buffer is full; one
		// gets through once it has room.
		t := time.NewTicker(cw.w.env.scale(20 * time.Millisecond))
		defer t.Stop()
		for {
			if s.send(classicPair(dest, marker)) != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	c.resumeReading()
	got, last := 0, uint64(0)
	for {
		b, err := c.next("an isolation message or the marker")
		if err != nil {
			if c.ended() != nil {
				cw.w.env.Notef("classic isolation: the stalled listener read %d whole messages of %d, then its connection ended", got, cw.iso.total)
				return nil
			}
			return err
		}
		if bytes.Equal(b, marker) {
			cw.w.env.Notef("classic isolation: the stalled listener read %d whole messages of %d, then the marker", got, cw.iso.total)
			return nil
		}
		id, ok := isoIndexOf(b)
		if !ok || id <= last || id > uint64(cw.iso.total) || len(b) != cw.iso.size {
			return fmt.Errorf("classic client %s expected a whole message (%d bytes) after message %d and got %s: a subscriber that could not keep up loses whole messages, and gets the rest in order (14.5, 8.2, 8.3)", name, cw.iso.size, last, classicQuote(b))
		}
		got++
		last = id
	}
}
