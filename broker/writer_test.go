package broker

import (
	"net"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// connNamed finds the server side of the client whose HELLO carried name.
func connNamed(t *testing.T, srv *Server, name string) *conn {
	t.Helper()
	for _, c := range srv.snapshotConns() {
		if c.clientName() == name {
			return c
		}
	}
	t.Fatalf("no connection named %q", name)
	return nil
}

func (c *conn) flushCount() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushes
}

// writing reports whether a write is in progress.
func (c *conn) writeInFlight() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.msgInflight > 0
}

func (c *conn) pendingBytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.msgQueued + c.msgInflight
}

// TestQueuedFramesLeaveInFewWrites: 10,000 frames queued behind a blocked
// peer leave in at most 10 writes once it reads (one writev per flush).
func TestQueuedFramesLeaveInFewWrites(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 20
	srv, addr := startServer(t, cfg)
	// A tiny receive buffer on the subscriber's socket keeps the kernel from
	// absorbing much, so the writer blocks at once and stays blocked.
	sub := connectSmallRcvBuf(t, addr, "sub")
	sub.sub(1, "/w")
	sub.sync()
	sc := connNamed(t, srv, "sub")
	// And a tiny send buffer on the server's side: one large message can
	// then never fit in the kernel, so the writer is certainly blocked on it
	// until the subscriber reads (no timing involved).
	require.NoError(t, sc.nc.(*net.TCPConn).SetWriteBuffer(4096))
	pub := connect(t, addr)
	before := sc.flushCount()
	pub.pub("/w", make([]byte, 256<<10))
	for i := 0; i < 10000; i++ {
		pub.pub("/w", []byte("small frame"))
	}
	pub.sync()
	small := 0
	for small < 10000 {
		m := sub.expectMsg()
		if len(m.Payload) == len("small frame") {
			small++
		}
	}
	// The count includes the write of the large message the writer was
	// blocked on.
	writes := sc.flushCount() - before
	t.Logf("10,000 queued frames left in %d writes", writes)
	assert.LessOrEqual(t, writes, uint64(10))
}

// connectSmallRcvBuf connects with a 4 KiB socket receive buffer and
// completes the handshake under name.
func connectSmallRcvBuf(t *testing.T, addr, name string) *rawClient {
	t.Helper()
	d := net.Dialer{Control: func(network, address string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	nc, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	c := &rawClient{t: t, nc: nc, rd: wire.NewReader(nc, 64<<20)}
	c.send((&wire.Hello{Version: wire.Version, Name: name, Echo: true, Headers: true}).Append(nil))
	f := c.next()
	require.Equal(t, wire.OpWelcome, f.op)
	require.NoError(t, c.welcome.Decode(f.body))
	return c
}

// TestNoticeAfterAutoUnsubscribe: a subscription that reaches its UNSUB max
// while holding an unreported dropped range still gets the NOTICE (8.4).
func TestNoticeAfterAutoUnsubscribe(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 16 << 10
	srv, addr := startServer(t, cfg)
	sub := connectSmallRcvBuf(t, addr, "sub")
	sub.sub(1, "/n")
	sub.send((&wire.Unsub{Sid: 1, Max: 200}).Append(nil))
	sub.sync()
	require.NoError(t, connNamed(t, srv, "sub").nc.(*net.TCPConn).SetWriteBuffer(4096))
	pub := connect(t, addr)
	for i := 0; i < 250; i++ {
		pub.pub("/n", make([]byte, 512))
	}
	pub.sync()
	msgs, noticed := checkSeqs(t, sub)
	assert.Positive(t, noticed, "the stalled subscription dropped some")
	assert.Equal(t, 200, msgs+noticed, "every seq up to the max is delivered or NOTICEd, none beyond")
}
