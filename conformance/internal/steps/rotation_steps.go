package steps

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec/wire"
)

// Rotation sets whose members are full, leave or disconnect (7.5-7.8).
func (w *world) registerRotationSteps(sc *godog.ScenarioContext) {
	sc.Step(`^"([^"]+)" fills the buffer of "([^"]+)" through "([^"]*)"$`, w.fillsBuffer)
	sc.Step(`^"([^"]+)" fills the buffers of "([^"]+)" and "([^"]+)" through "([^"]*)"$`, w.fillsBuffers)
	sc.Step(`^"([^"]+)" publishes ((?:"[^"]*"(?:, | and )?)+) to "([^"]*)", topping up "([^"]*)" before each$`, w.publishesToppingUp)
	sc.Step(`^"([^"]+)" reads again and catches up on sid (\d+)$`, w.readsAgainAndCatchesUp)
	sc.Step(`^"([^"]+)" publishes probes to "([^"]*)" until "([^"]+)" and "([^"]+)" receive them in turn$`, w.probesUntilInTurn)
	sc.Step(`^"([^"]+)" and "([^"]+)" receive ((?:"[^"]*"(?:, | and )?)+) between them, in turn, none lost$`, w.receiveInTurn)
	sc.Step(`^"([^"]+)" publishes a burst of numbered messages to "([^"]*)", more than "([^"]+)" can hold, while "([^"]+)" keeps up$`, w.publishesBurst)
	sc.Step(`^"([^"]+)" unsubscribes sid (\d+) and reads again$`, w.unsubscribesAndReads)
	sc.Step(`^every message of the burst reaches exactly one of "([^"]+)" and "([^"]+)", or is charged to "([^"]+)" with a NOTICE, and each sees an unbroken seq$`, w.burstReachesOne)
}

func (w *world) fillsBuffer(pubName, _, channel string) error {
	return w.fill(pubName, channel)
}

func (w *world) fillsBuffers(pubName, _, _, channel string) error {
	return w.fill(pubName, channel)
}

// fill saturates the connections of the subscribers of channel (who have
// stopped reading): large messages in rounds of half max_pending_bytes, each
// round synced, so that the server's buffer rarely overflows before the
// kernel's buffers are full (a fast flood would be dropped by the server
// while the kernel still had room, leaving the buffer empty afterwards).
// Then it tops their buffers up (see topUp).
func (w *world) fill(pubName, channel string) error {
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	size := w.bigPayload(floodSize)
	count := int((w.floodVolume() + int64(size) - 1) / int64(size))
	round := max(1, int(w.welcome.MaxPendingBytes/2)/size)
	for sent := 0; sent < count; sent += round {
		if err := w.flood(pubName, ch, uint64(sent+1), min(round, count-sent), size); err != nil {
			return err
		}
	}
	c, _ := w.conn(pubName)
	return w.sendAndSync(c, w.topUp(nil, ch), true)
}

// topUp appends PUBs to the wire channel ch that refill the buffers of its
// stalled subscribers: large messages worth max_pending_bytes and one more,
// which fill whatever the kernel took since the last time, then empty
// messages until the room left is smaller than an empty MSG of ch. A queue
// message on a longer channel then cannot fit (7.5).
func (w *world) topUp(b []byte, ch string) []byte {
	size := w.bigPayload(floodSize)
	big := wire.MsgFrameLen([]byte(ch), nil, nil, make([]byte, size))
	tiny := wire.MsgFrameLen([]byte(ch), nil, nil, nil)
	n := int(w.welcome.MaxPendingBytes)/big + 2
	payload := make([]byte, size)
	for range n {
		b = (&wire.Pub{Channel: []byte(ch), Payload: payload}).Append(b)
	}
	k := big/tiny + 64
	for range k {
		b = (&wire.Pub{Channel: []byte(ch)}).Append(b)
	}
	w.published[ch] += n + k
	return b
}

// publishesToppingUp publishes each message right after a top-up of the
// stalled members' own channel, in one write, so that no member's buffer
// has room again by the time the server routes it.
func (w *world) publishesToppingUp(pubName, list, channel, fillChannel string) error {
	c, err := w.conn(pubName)
	if err != nil {
		return err
	}
	fill, err := w.name(fillChannel)
	if err != nil {
		return err
	}
	var b []byte
	for _, payload := range quotedList(list) {
		p, err := w.pubTo(channel, payload)
		if err != nil {
			return err
		}
		b = w.topUp(b, fill)
		b = p.Append(b)
		w.published[string(p.Channel)]++
	}
	return w.sendAndSync(c, b, true)
}

func (w *world) readsAgainAndCatchesUp(name string, sid int) error {
	if err := w.readsAgain(name); err != nil {
		return err
	}
	return w.catchUp(name, uint32(sid))
}

// sidFor returns the sid of conn's subscription that matches the wire
// channel ch.
func (w *world) sidFor(conn, ch string) (uint32, error) {
	for sid, p := range w.subs[conn] {
		if wire.Match([]byte(p), []byte(ch)) {
			return sid, nil
		}
	}
	return 0, fmt.Errorf("%s has no subscription matching %q", conn, ch)
}

func isProbe(f probe.Frame) bool {
	return f.Op == wire.OpMsg && strings.HasPrefix(string(f.Msg.Payload), "probe-")
}

// probesUntilInTurn publishes probes until two in a row reach the two
// remaining members, one each: by then the server has removed the member
// that disconnected (a probe it routed there before noticing is lost with
// that connection, 7.8).
func (w *world) probesUntilInTurn(pubName, channel, a, b string) error {
	ca, err := w.conn(a)
	if err != nil {
		return err
	}
	cb, err := w.conn(b)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(2 * w.timeout())
	last := ""
	for i := 1; time.Now().Before(deadline); i++ {
		payload := fmt.Sprintf("probe-%d", i)
		p, err := w.pubTo(channel, payload)
		if err != nil {
			return err
		}
		if err := w.pub(pubName, true, p); err != nil {
			return err
		}
		if err := ca.Barrier(); err != nil {
			return err
		}
		if err := cb.Barrier(); err != nil {
			return err
		}
		got := func(f probe.Frame) bool { return f.Op == wire.OpMsg && string(f.Msg.Payload) == payload }
		who := ""
		if ca.Drop(got) > 0 {
			who = a
		}
		if cb.Drop(got) > 0 {
			if who != "" {
				return fmt.Errorf("%s reached both %s and %s (7.4)", payload, a, b)
			}
			who = b
		}
		if who != "" && last != "" && who != last {
			ca.Drop(isProbe)
			cb.Drop(isProbe)
			return nil
		}
		last = who
	}
	return fmt.Errorf("within %v, no two probes in a row reached %s and %s in turn", 2*w.timeout(), a, b)
}

// receiveInTurn checks that the listed messages were shared by a and b
// alternately (7.5), none lost, none twice, each member's in order.
func (w *world) receiveInTurn(a, b, list string) error {
	want := quotedList(list)
	if len(want)%2 != 0 {
		return fmt.Errorf("list an even number of messages")
	}
	got := map[string]string{}
	for _, name := range []string{a, b} {
		c, err := w.conn(name)
		if err != nil {
			return err
		}
		var prevSeq uint64
		for i := 0; i < len(want)/2; i++ {
			f, err := c.Next("a listed message", func(f probe.Frame) bool { return f.Op == wire.OpMsg && !isProbe(f) })
			if err != nil {
				return err
			}
			if prevSeq != 0 && f.Msg.Seq != prevSeq+1 {
				return fmt.Errorf("%s: seq jumped from %d to %d (7.3): %s", name, prevSeq, f.Msg.Seq, f)
			}
			prevSeq = f.Msg.Seq
			p := string(f.Msg.Payload)
			if !slices.Contains(want, p) || got[p] != "" {
				return fmt.Errorf("%s received %s, which is not one of the listed messages not yet received", name, f)
			}
			got[p] = name
		}
	}
	for i := 1; i < len(want); i++ {
		if got[want[i]] == got[want[i-1]] {
			return fmt.Errorf("%q and %q both went to %s: the members did not take turns (7.5)", want[i-1], want[i], got[want[i]])
		}
	}
	return nil
}

// burst is the state of the re-offer scenario: which numbered messages
// each member received, in order, with their seq.
type burst struct {
	count   int
	channel string
	got     map[string]*received
}

type received struct {
	mu   sync.Mutex // the reader goroutine appends while a step reads
	ids  []uint64
	seqs []uint64
}

func (r *received) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids)
}

// publishesBurst publishes, in rounds of half max_pending_bytes, twice what
// the kernel and a's buffer can hold, to a rotation set of a (stalled) and b.
// After each round b's barrier bounds b's backlog to one round, so b never
// overflows and every message reaches a or b.
func (w *world) publishesBurst(pubName, channel, a, b string) error {
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	ca, err := w.conn(a)
	if err != nil {
		return err
	}
	cb, err := w.conn(b)
	if err != nil {
		return err
	}
	w.burst.got = map[string]*received{a: {}, b: {}}
	record := func(name string) func(*wire.Msg) bool {
		r := w.burst.got[name]
		return func(m *wire.Msg) bool {
			id, ok := indexOf(m.Payload)
			if !ok {
				return false
			}
			r.mu.Lock()
			r.ids = append(r.ids, id)
			r.seqs = append(r.seqs, m.Seq)
			r.mu.Unlock()
			return true
		}
	}
	ca.SetOnMsg(record(a))
	cb.SetOnMsg(record(b))

	size := w.bigPayload(32 << 10)
	total := int((2*w.floodVolume() + int64(size) - 1) / int64(size))
	round := max(1, int(w.welcome.MaxPendingBytes/2)/size)
	for sent := 0; sent < total; sent += round {
		n := min(round, total-sent)
		if err := w.flood(pubName, ch, uint64(sent+1), n, size); err != nil {
			return err
		}
		if err := cb.Barrier(); err != nil {
			return fmt.Errorf("%s did not keep up: %w", b, err)
		}
	}
	w.burst.count, w.burst.channel = total, ch
	return nil
}

func (w *world) unsubscribesAndReads(name string, sid int) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	if err := c.Send((&wire.Unsub{Sid: uint32(sid)}).Append(nil)); err != nil {
		return err
	}
	c.Resume()
	return c.Barrier()
}

// burstReachesOne checks 7.8: every message of the burst was read by a
// before it left, or delivered to b (re-offered ones too), or charged to b
// when b had no room for the re-offered frames (7.7), with a NOTICE
// queue_full; b's MSGs and NOTICEs number its seq without a hole.
func (w *world) burstReachesOne(a, b, charged string) error {
	ca, _ := w.conn(a)
	cb, _ := w.conn(b)
	if w.burst.got == nil || charged != b {
		return fmt.Errorf("no burst was published in this scenario, or the charged member is not %q", b)
	}
	sid, err := w.sidFor(b, w.burst.channel)
	if err != nil {
		return err
	}
	notices := func() (n int) {
		for _, f := range cb.Pending(probe.Op(wire.OpNotice)) {
			n += int(f.Notice.Count)
		}
		return n
	}
	// Barriers on both make the readers file everything the server wrote
	// before them; re-offered frames reach b within the usual deadline.
	deadline := time.Now().Add(w.timeout())
	for {
		if err := ca.Barrier(); err != nil {
			return err
		}
		if err := cb.Barrier(); err != nil {
			return err
		}
		if w.burst.got[a].len()+w.burst.got[b].len()+notices() >= w.burst.count || time.Now().After(deadline) {
			break
		}
	}
	ca.SetOnMsg(nil)
	cb.SetOnMsg(nil)
	for _, r := range w.burst.got {
		r.mu.Lock()
		defer r.mu.Unlock()
	}
	owner := make([]string, w.burst.count+1)
	for _, name := range []string{a, b} {
		r := w.burst.got[name]
		for i, id := range r.ids {
			if id < 1 || id > uint64(w.burst.count) {
				return fmt.Errorf("%s received message %d, which the burst did not contain", name, id)
			}
			if owner[id] != "" {
				return fmt.Errorf("message %d reached both %s and %s (7.4, 7.8)", id, owner[id], name)
			}
			owner[id] = name
			if name == a && r.seqs[i] != uint64(i+1) {
				return fmt.Errorf("%s: its message %d came with seq %d, expected %d (7.3)", name, i+1, r.seqs[i], i+1)
			}
			if name == a && i > 0 && id <= r.ids[i-1] {
				return fmt.Errorf("%s received message %d after %d (7.2)", name, id, r.ids[i-1])
			}
		}
	}
	// b's seq: MSGs and NOTICE ranges together number 1, 2, 3, ...
	covered := map[uint64]bool{}
	for _, q := range w.burst.got[b].seqs {
		covered[q] = true
	}
	charges := 0
	for _, f := range cb.Pending(probe.Op(wire.OpNotice)) {
		n := f.Notice
		if n.Sid != sid || n.Reason != wire.ReasonQueueFull || n.Last < n.First || n.Count != n.Last-n.First+1 {
			return fmt.Errorf("%s received %s; only a NOTICE queue_full for what it could not take is expected (7.7)", b, f)
		}
		for q := n.First; q <= n.Last; q++ {
			if covered[q] {
				return fmt.Errorf("%s: seq %d is both delivered and reported dropped (8.4)", b, q)
			}
			covered[q] = true
		}
		charges += int(n.Count)
	}
	cb.Drop(probe.Op(wire.OpNotice))
	for q := uint64(1); q <= uint64(len(covered)); q++ {
		if !covered[q] {
			return fmt.Errorf("%s: seq %d is neither delivered nor reported dropped (7.3)", b, q)
		}
	}
	lost := 0
	for id := 1; id <= w.burst.count; id++ {
		if owner[id] == "" {
			lost++
		}
	}
	if lost != charges {
		return fmt.Errorf("%d of %d messages reached neither %s nor %s, and %d were charged to %s: frames held for a member that leaves must be offered to the rest of the set (7.8)", lost, w.burst.count, a, b, charges, b)
	}
	rb, reoffered := w.burst.got[b].ids, 0
	for i := 1; i < len(rb); i++ {
		if rb[i] < rb[i-1] {
			reoffered = len(rb) - i
			break
		}
	}
	w.env.Notef("re-offer: %d messages, %d read by %s before it left, %d delivered to %s (%d of them after %s left, out of order), %d charged to %s",
		w.burst.count, len(w.burst.got[a].ids), a, len(rb), b, reoffered, a, charges, b)
	return nil
}
