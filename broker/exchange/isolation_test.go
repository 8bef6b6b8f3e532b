package exchange_test

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker/exchange"
)

// TestSlowSinkDrops: a sink stuck in Send never blocks Send nor the other
// sinks; once its buffer is full the newest messages are dropped for it and
// counted (PROTOCOL.md 8.1, 8.2), and it sees a gap-free prefix.
func TestSlowSinkDrops(t *testing.T) {
	var logs logBuffer
	reg := newRegistry(t, exchange.WithBuffer(8), exchange.WithLogger(logs.logger()))
	e := reg.Get("/slow")
	slow, fast := newBlocker(t), newFollower(1)
	e.AttachAll(slow, fast)
	sendPaced(t, e, 0, 1, fast)
	slow.waitEntered(t) // message 0 in hand; the buffer holds the next 8
	const total = 2000
	sendPaced(t, e, 1, total, fast) // the slow sink holds up neither Send nor the fast sink
	st, ok := e.SinkStats(slow)
	require.True(t, ok)
	assert.Equal(t, exchange.SinkStats{Pending: 8, Dropped: total - 9}, st)
	assert.True(t, logs.has("exchange sink is slow: dropping messages"), logs.String())

	slow.unblock()
	flush(t, reg)
	assert.Equal(t, seq(0, 9, 1), slow.values(), "a gap-free prefix")
	rs := reg.Stats()
	assert.Equal(t, uint64(total-9), rs.Dropped)
	assert.Equal(t, uint64(total+9), rs.Delivered)
	assert.True(t, logs.has("exchange sink recovered"), logs.String())
}

// TestSlowSinkDisconnected: under OverflowDisconnect the sink whose buffer
// overflows is detached, even while stuck in Send, and counted.
func TestSlowSinkDisconnected(t *testing.T) {
	var logs logBuffer
	reg := newRegistry(t, exchange.WithBuffer(4), exchange.WithOverflow(exchange.OverflowDisconnect), exchange.WithLogger(logs.logger()))
	e := reg.Get("/strict")
	slow, fast := newBlocker(t), newFollower(1)
	e.AttachAll(slow, fast)
	sendPaced(t, e, 0, 1, fast)
	slow.waitEntered(t)
	sendPaced(t, e, 1, 100, fast)
	require.Eventually(t, func() bool { return e.Sinks() == 1 }, waitFor, time.Millisecond, "the slow sink is detached")
	slow.unblock()
	flush(t, reg)
	assert.Equal(t, []int{0}, slow.values(), "nothing after the message in hand")
	rs := reg.Stats()
	assert.Equal(t, uint64(1), rs.Disconnected)
	assert.Equal(t, uint64(4), rs.Discarded, "its buffer was discarded")
	assert.True(t, logs.has("exchange sink detached: its buffer is full"), logs.String())
	assert.Panics(t, func() { exchange.NewRegistry(exchange.WithOverflow("sometimes")) })
}

// TestRotationSkipsFullSink: in a "/queue" exchange, a sink whose buffer is
// full is skipped for that message and keeps its place (7.5, 7.6); nothing
// is lost.
func TestRotationSkipsFullSink(t *testing.T) {
	reg := newRegistry(t, exchange.WithBuffer(2))
	e := reg.Get("/queue/skip")
	slow, fast := newBlocker(t), newFollower(1)
	e.AttachAll(slow, fast)
	e.Send(exchange.Message{Value: 0}) // to slow, its turn
	slow.waitEntered(t)
	// Slow takes its turns (2, 4) until its buffer is full, then is skipped:
	// fast gets every other message. Sends are paced so that fast, with a
	// buffer of 2 too, never fills up.
	for i := 1; i < 100; i++ {
		e.Send(exchange.Message{Value: i})
		if i == 2 || i == 4 {
			continue
		}
		select {
		case v := <-fast.got:
			require.Equal(t, i, v)
		case <-time.After(waitFor):
			t.Fatalf("message %d did not reach the sink with room", i)
		}
	}
	slow.unblock()
	flush(t, reg)
	assert.Equal(t, []int{0, 2, 4}, slow.values(), "its turns until its buffer filled")
	assert.Equal(t, uint64(0), reg.Stats().Dropped)
}

// TestDetachHandsBackQueueMessages: messages buffered for a "/queue" sink
// that detaches go to the other sinks (7.8).
func TestDetachHandsBackQueueMessages(t *testing.T) {
	reg := newRegistry(t)
	e := reg.Get("/queue/back")
	slow, fast := newBlocker(t), &recorder{}
	e.AttachAll(slow, fast)
	e.Send(exchange.Message{Value: 0})
	slow.waitEntered(t)
	sendAll(t, e, 1, 20)
	st, _ := e.SinkStats(slow)
	require.Equal(t, 9, st.Pending, "2, 4, ..., 18 wait for the slow sink")
	require.True(t, e.Detach(slow))
	slow.unblock()
	flush(t, reg)
	assert.Equal(t, []int{0}, slow.values())
	assert.Equal(t, seq(1, 20, 1), sorted(fast.values()))
	assert.Equal(t, uint64(0), reg.Stats().Discarded)
}

func sorted(v []int) []int {
	sort.Ints(v)
	return v
}
