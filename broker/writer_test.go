package broker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	sub := connect(t, addr, named("sub"))
	sub.sub(1, "/w")
	sub.sync()
	sc := connNamed(t, srv, "sub")
	pub := connect(t, addr)
	// Fill the socket buffers with large messages until frames stay queued:
	// the writer is then blocked in a write.
	big := make([]byte, 256<<10)
	for i := 0; i < 64 && sc.pendingBytes() == 0; i++ {
		for k := 0; k < 8; k++ {
			pub.pub("/w", big)
		}
		pub.sync()
	}
	require.Positive(t, sc.pendingBytes(), "the subscriber's socket never filled")
	before := sc.flushCount()
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
	writes := sc.flushCount() - before
	t.Logf("10,000 queued frames left in %d writes", writes)
	assert.LessOrEqual(t, writes, uint64(10))
}
