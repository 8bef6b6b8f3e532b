package broker

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// fillStalled publishes 64 KiB messages to /heavy, and a few to /light,
// until the server has shed at least once.
func fillStalled(t *testing.T, srv *Server, pub *rawClient) (light int) {
	t.Helper()
	big := make([]byte, 64<<10)
	for i := 0; i < 400 && srv.Stats().Shed == 0; i++ {
		for k := 0; k < 8; k++ {
			pub.pub("/heavy", big)
		}
		if i%8 == 0 {
			pub.pub("/light", []byte("l"))
			light++
		}
		pub.sync()
	}
	require.Positive(t, srv.Stats().Shed, "the server never reached its total bound")
	return light
}

// TestPendingTotalBiggestPaysDrop: under the drop policy, when all outbound
// buffers together reach MaxPendingTotal, the connection holding the most
// loses its unwritten messages (reported by NOTICE, seqs accounted for) and
// a light subscriber loses nothing.
func TestPendingTotalBiggestPaysDrop(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 20
	cfg.MaxPendingTotal = 4 << 20
	srv, addr := startServer(t, cfg)
	heavy := connect(t, addr)
	heavy.sub(1, "/heavy")
	heavy.sync()
	light := connect(t, addr)
	light.sub(1, "/light")
	light.sync()
	pub := connect(t, addr)
	n := fillStalled(t, srv, pub)
	st := srv.Stats()
	assert.LessOrEqual(t, st.HeldBytes, int64(cfg.MaxPendingTotal), "queues stay within the bound")
	assert.Positive(t, st.DropsShed)

	msgs, noticed := checkSeqs(t, heavy)
	assert.Positive(t, noticed, "the heavy subscriber was told what it lost")
	t.Logf("heavy subscriber: %d delivered, %d dropped under the total bound", msgs, noticed)
	// The server counts exactly what it told the subscriber it lost.
	st = srv.Stats()
	assert.Equal(t, uint64(noticed), st.DropsShed+st.DropsSlow, "drop counters match the NOTICEs")
	// Having read everything, it is off hold and receives again.
	pub.pub("/heavy", []byte("again"))
	pub.sync()
	m := heavy.expectMsg()
	assert.Equal(t, "again", string(m.Payload))
	assert.Equal(t, uint64(msgs+noticed+1), m.Seq)
	for i := 0; i < n; i++ {
		m := light.expectMsg()
		require.Equal(t, uint64(i+1), m.Seq, "the light subscriber loses nothing")
	}
}

// TestPendingTotalBiggestPaysDisconnect: under the disconnect policy the
// connection holding the most is disconnected; others are untouched.
func TestPendingTotalBiggestPaysDisconnect(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 20
	cfg.MaxPendingTotal = 4 << 20
	cfg.Overflow = OverflowDisconnect
	srv, addr := startServer(t, cfg)
	heavy := connect(t, addr)
	heavy.sub(1, "/heavy")
	heavy.sync()
	light := connect(t, addr)
	light.sub(1, "/light")
	light.sync()
	pub := connect(t, addr)
	n := fillStalled(t, srv, pub)
	for {
		f, err := heavy.read()
		require.NoError(t, err)
		if f.op == wire.OpMsg {
			continue
		}
		require.Equal(t, wire.OpErr, f.op)
		var e wire.Error
		require.NoError(t, e.Decode(f.body))
		require.Equal(t, wire.CodeSlowConsumer, e.Code)
		break
	}
	heavy.expectClosed()
	for i := 0; i < n; i++ {
		require.Equal(t, uint64(i+1), light.expectMsg().Seq)
	}
}

// TestPendingTotalClassicDropsUnderDrop: under the drop policy a classic
// connection holding the most loses its unwritten messages (counted; the
// profile has no NOTICE) and stays connected (PROTOCOL.md 14.5).
func TestPendingTotalClassicDropsUnderDrop(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 20
	cfg.MaxPendingTotal = 4 << 20
	srv, addr, caddr := startClassicServer(t, cfg)
	heavy := listenClassic(t, srv, caddr, "/heavy")
	require.NoError(t, heavy.nc.(*net.TCPConn).SetReadBuffer(4096))
	pub := connect(t, addr)
	fillStalled(t, srv, pub)
	st := srv.Stats()
	assert.Positive(t, st.DropsShed)
	assert.Equal(t, 2, st.Connections, "the classic listener was not disconnected")
	assert.LessOrEqual(t, st.HeldBytes, int64(cfg.MaxPendingTotal))
}

// TestShedKeepsFramesQueuedBeforeAPong: shedding never drops a message
// queued before a PONG, so a client that sees PONG has seen, or been told
// about, everything routed before its PING (8.4, 9.2).
func TestShedKeepsFramesQueuedBeforeAPong(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 20
	srv, addr := startServer(t, cfg)
	sub := connectSmallRcvBuf(t, addr, "sub")
	sub.sub(1, "/p")
	sub.sync()
	sc := connNamed(t, srv, "sub")
	require.NoError(t, sc.nc.(*net.TCPConn).SetWriteBuffer(4096))
	pub := connect(t, addr)
	for i := 0; i < 40; i++ {
		pub.pub("/p", make([]byte, 16<<10))
	}
	pub.sync()
	sub.send(wire.AppendPing(nil)) // its PONG is queued behind the messages
	require.Eventually(t, func() bool { return sc.queuedPongs() > 0 }, waitFor, tenMillis, "the PONG is queued")
	for i := 0; i < 40; i++ { // and more messages behind the PONG
		pub.pub("/p", make([]byte, 16<<10))
	}
	pub.sync()
	require.True(t, sc.shed(), "something to shed")
	// Up to the PONG: 40 messages, nothing lost; after it, the rest is
	// accounted for by MSGs and a NOTICE.
	for i := 1; i <= 40; i++ {
		require.Equal(t, uint64(i), sub.expectMsg().Seq)
	}
	require.Equal(t, wire.OpPong, sub.next().op)
	// After the PONG, seqs 41..80: MSGs without a gap and NOTICEs covering
	// what was dropped.
	next, noticed := uint64(41), 0
	sub.send(wire.AppendPing(nil))
	for f := sub.next(); f.op != wire.OpPong; f = sub.next() {
		switch f.op {
		case wire.OpMsg:
			var m wire.Msg
			require.NoError(t, m.Decode(f.body))
			require.Equal(t, next, m.Seq)
			next++
		case wire.OpNotice:
			var n wire.Notice
			require.NoError(t, n.Decode(f.body))
			require.Equal(t, next, n.First)
			next = n.Last + 1
			noticed += int(n.Count)
		}
	}
	assert.Equal(t, uint64(81), next, "every seq after the PONG accounted for")
	assert.Positive(t, noticed, "messages after the PONG were dropped and reported")
}

// queuedPongs counts the PONG frames waiting in the connection's queue.
func (c *conn) queuedPongs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	c.q.Filter(func(frame []byte) bool {
		if isPong(frame) {
			n++
		}
		return false
	})
	return n
}
