package broker

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// TestShutdownDrainsQueuedMessages pins 12.1: with 10 subscribers holding
// queued data, Shutdown delivers everything already accepted before closing
// them, answers a connection arriving during the drain with ERR
// shutting_down, and ends every connection with ERR shutting_down.
func TestShutdownDrainsQueuedMessages(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 20
	srv, err := New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	addr := ln.Addr().String()

	const subs, msgs = 10, 100
	clients := make([]*rawClient, subs)
	for i := range clients {
		// Tiny socket buffers on both sides: the kernel holds almost none of
		// the 3.2 MiB each subscriber is sent, so it is queued in the broker
		// when the drain starts (loopback buffers here can otherwise grow to
		// tens of MiB and swallow it all).
		name := fmt.Sprintf("sub%d", i)
		clients[i] = connectSmallRcvBuf(t, addr, name)
		require.NoError(t, connNamed(t, srv, name).nc.(*net.TCPConn).SetWriteBuffer(4096))
		clients[i].sub(1, "/drain")
		clients[i].sync()
	}
	pub := connect(t, addr)
	payload := make([]byte, 32<<10)
	for i := 0; i < msgs; i++ {
		pub.pub("/drain", payload)
	}
	pub.sync()
	require.Positive(t, srv.Stats().PendingBytes, "data is queued when shutdown starts")

	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	require.Eventually(t, srv.draining.Load, waitFor, tenMillis)

	late := dialRaw(t, addr)
	late.send((&wire.Hello{Version: wire.Version}).Append(nil))
	late.expectErr(wire.CodeShuttingDown)
	late.expectClosed()

	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func(c *rawClient) {
			defer wg.Done()
			got := 0
			for {
				f, err := c.read()
				if !assert.NoError(t, err, "connection ended before ERR shutting_down") {
					return
				}
				switch f.op {
				case wire.OpMsg:
					got++
					continue
				case wire.OpPing:
					continue
				}
				assert.Equal(t, wire.OpErr, f.op)
				var e wire.Error
				assert.NoError(t, e.Decode(f.body))
				assert.Equal(t, wire.CodeShuttingDown, e.Code)
				break
			}
			assert.Equal(t, msgs, got, "every accepted message arrives before the close")
		}(c)
	}
	wg.Wait()
	require.NoError(t, <-done)
	assert.Zero(t, srv.Stats().Connections)
}

// TestNoGoroutineLeaks: after Shutdown, the server's goroutines are gone.
func TestNoGoroutineLeaks(t *testing.T) {
	base := runtime.NumGoroutine()
	func() {
		srv, err := New(DefaultConfig())
		require.NoError(t, err)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		served := make(chan struct{})
		go func() { srv.Serve(ln); close(served) }()
		var cs []*rawClient
		for i := 0; i < 20; i++ {
			c := connect(t, ln.Addr().String())
			c.sub(1, "/leak/>")
			c.subQueue(2, "/queue/leak", "", 0)
			c.pub("/leak/x", []byte("x"))
			c.sync()
			cs = append(cs, c)
		}
		cs[0].nc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		<-served
		for _, c := range cs {
			c.nc.Close()
		}
	}()
	checkGoroutines(t, base)
}

// checkGoroutines waits, in the calling goroutine (a helper goroutine would
// count itself), until no more than base goroutines run, and fails with a
// dump of them after waitFor.
func checkGoroutines(t *testing.T, base int) {
	t.Helper()
	tick := time.NewTicker(tenMillis)
	defer tick.Stop()
	deadline := time.Now().Add(waitFor)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines now, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		<-tick.C
	}
}

// TestShutdownBoundedByDrainTimeout: a subscriber that never reads does not
// hold Shutdown much past DrainTimeout (its unwritten data is dropped; the
// final writes get a short grace).
func TestShutdownBoundedByDrainTimeout(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 20
	cfg.DrainTimeout = 100 * time.Millisecond
	srv, err := New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	addr := ln.Addr().String()
	stalled := connectSmallRcvBuf(t, addr, "stalled")
	stalled.sub(1, "/held")
	stalled.sync()
	require.NoError(t, connNamed(t, srv, "stalled").nc.(*net.TCPConn).SetWriteBuffer(4096))
	pub := connect(t, addr)
	for i := 0; i < 64; i++ {
		pub.pub("/held", make([]byte, 64<<10))
	}
	pub.sync()
	require.Positive(t, srv.Stats().PendingBytes)
	start := time.Now()
	require.NoError(t, srv.Shutdown(context.Background()))
	took := time.Since(start)
	t.Logf("Shutdown took %v with a stalled subscriber holding data", took)
	assert.Less(t, took, cfg.DrainTimeout+shutdownGrace+2*time.Second)
}
