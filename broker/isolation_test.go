package broker

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// progress tracks how many messages each reader has received, so that the
// publisher can stay a window ahead of the slowest reader: a publisher is
// never slowed by the broker, so readers that cannot keep up with an
// unpaced publisher would (rightly) overflow.
type progress struct {
	mu   sync.Mutex
	cond *sync.Cond
	got  []int
}

func newProgress(n int) *progress {
	p := &progress{got: make([]int, n)}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *progress) add(i int) {
	p.mu.Lock()
	p.got[i]++
	p.mu.Unlock()
	p.cond.Broadcast()
}

// waitMin blocks until every reader has received at least n messages, or
// the deadline passes (it reports false then).
func (p *progress) waitMin(n int, deadline time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		low := n
		for _, g := range p.got {
			low = min(low, g)
		}
		if low >= n {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		// Woken by the readers' progress; the timer bounds the wait when
		// they stop making any.
		t := time.AfterFunc(100*time.Millisecond, p.cond.Broadcast)
		p.cond.Wait()
		t.Stop()
	}
}

// fastReader reads MSGs for one subscription until it has want of them,
// checking seqs are gap-free, and reports the time it finished.
func fastReader(t *testing.T, c *rawClient, want int, idx int, prog *progress, done chan<- time.Time, wg *sync.WaitGroup) {
	defer wg.Done()
	next := uint64(1)
	for next <= uint64(want) {
		f, err := c.read()
		if err != nil {
			t.Errorf("fast subscriber: %v after %d messages", err, next-1)
			return
		}
		switch f.op {
		case wire.OpMsg:
			var m wire.Msg
			if err := m.Decode(f.body); err != nil || m.Seq != next {
				t.Errorf("fast subscriber: seq %d, want %d (%v)", m.Seq, next, err)
				return
			}
			next++
			prog.add(idx)
		case wire.OpPing:
			c.send(wire.AppendPong(nil))
		default:
			t.Errorf("fast subscriber got %v", f.op)
			return
		}
	}
	done <- time.Now()
}

// runIsolation publishes volume bytes to 10 reading subscribers, plus one
// that never reads when stalled is set, and returns how long the readers took
// to get everything, and the stalled client. The publisher stays at most
// window bytes ahead of the slowest reader.
func runIsolation(t *testing.T, addr string, volume, size, window int, stalled bool) (time.Duration, *rawClient, int) {
	t.Helper()
	var stall *rawClient
	if stalled {
		stall = connect(t, addr)
		stall.sub(1, "/iso")
		stall.sync()
	}
	total := volume / size
	var wg sync.WaitGroup
	done := make(chan time.Time, 10)
	prog := newProgress(10)
	for i := 0; i < 10; i++ {
		c := connect(t, addr)
		c.sub(1, "/iso")
		c.sync()
		wg.Add(1)
		go fastReader(t, c, total, i, prog, done, &wg)
	}
	pub := connect(t, addr)
	payload := make([]byte, size)
	frame := (&wire.Pub{Channel: []byte("/iso"), Payload: payload}).Append(nil)
	batch := make([]byte, 0, 64*len(frame))
	for i := 0; i < 64; i++ {
		batch = append(batch, frame...)
	}
	start := time.Now()
	deadline := start.Add(30 * time.Second)
	ahead := max(window/size, 1)
	step := max(ahead/2, 1)
	for sent := 0; sent < total; sent += step {
		if !prog.waitMin(sent+step-ahead, deadline) {
			t.Fatalf("readers stopped making progress after %d of %d messages", sent, total)
		}
		n := min(step, total-sent)
		pub.send(batch[:n*len(frame)])
	}
	pub.sync()
	wg.Wait()
	close(done)
	var last time.Time
	for d := range done {
		if d.After(last) {
			last = d
		}
	}
	require.False(t, t.Failed())
	return last.Sub(start), stall, total
}

// isolationVolume is PROTOCOL.md 13.1's volume for a buffer of pending bytes.
func isolationVolume(pending int) int { return max(32<<20, 4*pending) }

// TestIsolationDrop: a subscriber that never reads slows no one; it sees seq
// 1..k, then one NOTICE for k+1..total (8.1-8.4, 13.1).
func TestIsolationDrop(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 1 << 20
	_, addr := startServer(t, cfg)
	vol := isolationVolume(cfg.MaxPendingBytes)
	free, _, _ := runIsolation(t, addr, vol, 16<<10, cfg.MaxPendingBytes/2, false)
	with, stall, total := runIsolation(t, addr, vol, 16<<10, cfg.MaxPendingBytes/2, true)
	t.Logf("isolation (drop): 10 readers got %d MiB in %v without a stalled subscriber, %v with one (ratio %.2f)",
		vol>>20, free.Round(time.Millisecond), with.Round(time.Millisecond), float64(with)/float64(free))

	// Read without sending anything: NOTICEs must come once the buffer
	// drains, with no further message and no PING to trigger them (8.4).
	// Every seq is accounted for, in order: MSGs without a gap and NOTICEs
	// covering exactly the seqs between them (8.3; the kernel keeps taking
	// data from a stalled socket in bursts, so there may be several runs).
	next := uint64(1)
	msgs, noticed, notices := 0, 0, 0
	for msgs+noticed < total {
		f := stall.next()
		switch f.op {
		case wire.OpMsg:
			var m wire.Msg
			require.NoError(t, m.Decode(f.body))
			require.Equal(t, next, m.Seq, "seq gap without NOTICE")
			next++
			msgs++
		case wire.OpNotice:
			var n wire.Notice
			require.NoError(t, n.Decode(f.body))
			require.Equal(t, next, n.First, "NOTICE starts where delivery stopped")
			require.Equal(t, n.Last-n.First+1, n.Count)
			assert.Equal(t, wire.ReasonSlowConsumer, n.Reason)
			next = n.Last + 1
			noticed += int(n.Count)
			notices++
		default:
			t.Fatalf("unexpected %v", f.op)
		}
	}
	stall.sync()
	require.Empty(t, stall.backlog, "nothing after the last NOTICE: nothing more was published")
	assert.Positive(t, notices)
	assert.Equal(t, uint64(total), next-1)
	t.Logf("stalled subscriber: delivered %d, NOTICEd %d in %d NOTICEs", msgs, noticed, notices)
}

// TestIsolationDisconnect: under the disconnect policy the stalled subscriber
// gets ERR slow_consumer after whole frames, then the connection closes; the
// others are unaffected (8.5).
func TestIsolationDisconnect(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 1 << 20
	cfg.Overflow = OverflowDisconnect
	_, addr := startServer(t, cfg)
	vol := isolationVolume(cfg.MaxPendingBytes)
	free, _, _ := runIsolation(t, addr, vol, 16<<10, cfg.MaxPendingBytes/2, false)
	with, stall, _ := runIsolation(t, addr, vol, 16<<10, cfg.MaxPendingBytes/2, true)
	t.Logf("isolation (disconnect): %v without, %v with a stalled subscriber (ratio %.2f)",
		free.Round(time.Millisecond), with.Round(time.Millisecond), float64(with)/float64(free))
	msgs := 0
	for {
		f, err := stall.read()
		require.NoError(t, err, "ERR slow_consumer must arrive before the close")
		if f.op == wire.OpMsg {
			msgs++
			continue
		}
		require.Equal(t, wire.OpErr, f.op)
		var e wire.Error
		require.NoError(t, e.Decode(f.body))
		require.Equal(t, wire.CodeSlowConsumer, e.Code)
		break
	}
	stall.expectClosed()
	t.Logf("stalled subscriber read %d whole messages, then ERR slow_consumer", msgs)
}
