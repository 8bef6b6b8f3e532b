package broker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// TestSilentClientIsStale pins 9.1 and 9.3: a client that answers nothing
// gets PINGs, then ERR stale_connection within interval × (max+1) plus slack,
// and not before interval × max.
func TestSilentClientIsStale(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PingInterval = 200 * time.Millisecond
	cfg.MaxPingsOut = 2
	_, addr := startServer(t, cfg)
	c := connect(t, addr)
	start := time.Now()
	pings := 0
	for {
		f, err := c.read()
		require.NoError(t, err)
		if f.op == wire.OpPing {
			pings++
			continue
		}
		require.Equal(t, wire.OpErr, f.op)
		var e wire.Error
		require.NoError(t, e.Decode(f.body))
		require.Equal(t, wire.CodeStaleConnection, e.Code)
		break
	}
	took := time.Since(start)
	c.expectClosed()
	// One PING per silent interval; a timer that fires late (a loaded
	// machine) may cover two intervals with one PING.
	assert.GreaterOrEqual(t, pings, 1)
	assert.LessOrEqual(t, pings, 2)
	assert.GreaterOrEqual(t, took, 2*cfg.PingInterval)
	assert.Less(t, took, 3*cfg.PingInterval+2*time.Second)
}

// TestClientAnsweringPingsStays: answering PINGs keeps a connection alive
// well past the stale time (9.1).
func TestClientAnsweringPingsStays(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PingInterval = 100 * time.Millisecond
	cfg.MaxPingsOut = 1
	_, addr := startServer(t, cfg)
	c := connect(t, addr)
	pings := 0
	for pings < 6 { // 6 intervals: three times the stale time
		f := c.next0()
		require.Equal(t, wire.OpPing, f.op)
		pings++
		c.send(wire.AppendPong(nil))
	}
	c.sync()
}

// TestBlockedWriteIsNotDeath pins 9.3: a subscriber that does not read but
// keeps sending frames is never stale, however long its writes are blocked.
func TestBlockedWriteIsNotDeath(t *testing.T) {
	cfg := DefaultConfig()
	// Stale after 900 ms of silence: long enough that a test client starved
	// of CPU on a loaded machine is not silent that long by accident.
	cfg.PingInterval = 300 * time.Millisecond
	cfg.MaxPingsOut = 2
	cfg.MaxPendingBytes = 256 << 10
	srv, addr := startServer(t, cfg)
	sub := connect(t, addr, named("sub"))
	sub.sub(1, "/b")
	sub.sync()
	pub := connect(t, addr)
	sc := connNamed(t, srv, "sub")
	big := make([]byte, 64<<10)
	// Publish until the subscriber's socket is full and its writer blocked,
	// the subscriber sending frames (but not reading) all along.
	for i := 0; i < 400 && sc.pendingBytes() == 0; i++ {
		for k := 0; k < 8; k++ {
			pub.pub("/b", big)
		}
		sub.send(wire.AppendPong(nil))
		pub.sync()
	}
	require.Positive(t, sc.pendingBytes(), "the subscriber's socket never filled")
	// Keep sending (not reading) for three stale periods.
	deadline := time.Now().Add(3 * 3 * cfg.PingInterval)
	for time.Now().Before(deadline) {
		sub.send(wire.AppendPong(nil)) // any frame counts as life
		pub.sync()                     // and lets time pass on an event
	}
	assert.Equal(t, 2, srv.Stats().Connections, "the blocked subscriber is still connected")
}

// next0 returns the next frame without answering PINGs.
func (c *rawClient) next0() frame {
	c.t.Helper()
	f, err := c.read()
	require.NoError(c.t, err)
	return f
}
