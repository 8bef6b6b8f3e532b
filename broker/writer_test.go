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

// writing reports whether a write is in progress.
func (c *conn) writing() bool {
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
	sub := connect(t, addr, named("sub"))
	sub.sub(1, "/w")
	sub.sync()
	sc := connNamed(t, srv, "sub")
	pub := connect(t, addr)
	// Fill the socket buffers with large messages until the writer is
	// blocked: a write in flight, and no write completing across several
	// round trips of the publisher.
	big := make([]byte, 256<<10)
	blocked := func() bool {
		f := sc.flushCount()
		for i := 0; i < 5; i++ {
			pub.sync()
			if sc.flushCount() != f || !sc.writing() {
				return false
			}
		}
		return true
	}
	for i := 0; i < 64 && !blocked(); i++ {
		for k := 0; k < 8; k++ {
			pub.pub("/w", big)
		}
		pub.sync()
	}
	require.True(t, sc.writing(), "the subscriber's socket never filled")
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
