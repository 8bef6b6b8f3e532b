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
