package broker

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// TestClassicNoControlFrames pins 14.9: a classic connection gets no PING and
// is not closed by keepalive or the HELLO deadline, while a silent Herald
// client on the same server is closed as stale.
func TestClassicNoControlFrames(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PingInterval = 30 * time.Millisecond
	cfg.MaxPingsOut = 1
	cfg.HelloTimeout = 30 * time.Millisecond
	srv, addr, caddr := startClassicServer(t, cfg)
	l := listenClassic(t, srv, caddr, "/quiet")
	silent := dialClassicRaw(t, caddr) // has not even sent its first frame

	// The event that proves time has passed: a Herald client that answers
	// no PING is closed as stale (9.3), and a connection without HELLO too.
	h := connect(t, addr)
	for {
		f, err := h.read() // never answers a PING
		require.NoError(t, err)
		if f.op == wire.OpErr {
			var e wire.Error
			require.NoError(t, e.Decode(f.body))
			require.Equal(t, wire.CodeStaleConnection, e.Code)
			break
		}
		require.Equal(t, wire.OpPing, f.op)
	}
	noHello := dialRaw(t, addr)
	f, err := noHello.read()
	require.NoError(t, err)
	require.Equal(t, wire.OpErr, f.op)

	silent.write(classicFrame([]byte("/quiet")))
	waitSubs(t, srv, 2)
	pub := connect(t, addr)
	pub.pub("/quiet", []byte("marker"))
	l.expect("marker") // the first frame either got: no PING came before it
	silent.expect("marker")
}

type denyAll struct{}

func (denyAll) Authenticate(user, token string) (Permissions, error) {
	return nil, errors.New("no")
}

// TestClassicRefusedWithAuth pins 14.10: a server that requires credentials
// does not serve the classic profile.
func TestClassicRefusedWithAuth(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Auth = denyAll{}
	srv, err := New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.ErrorIs(t, srv.ServeClassic(ln), ErrClassicAuth)
	_, err = ln.Accept()
	require.ErrorIs(t, err, net.ErrClosed, "the listener is closed")
	require.NoError(t, srv.Shutdown(context.Background()))
}

// TestClassicConnectionLimit pins 14.9: beyond the connection limit a
// classic connection is closed at once, and counted as refused.
func TestClassicConnectionLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxConnections = 1
	srv, addr, caddr := startClassicServer(t, cfg)
	connect(t, addr)
	c := dialClassic(t, caddr, "/x")
	c.expectClosed()
	assert.Equal(t, uint64(1), srv.Stats().Refused)
}

// TestClassicShutdownDrains pins 14.9 with 12.1: on shutdown a classic
// listener gets what was queued for it, as bare data frames with no ERR,
// then the close; a classic connection arriving during the drain is closed
// at once.
func TestClassicShutdownDrains(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 20
	srv, addr, caddr := startClassicServer(t, cfg)
	l := listenClassic(t, srv, caddr, "/drain")
	// A small receive buffer keeps the kernel from absorbing what is queued.
	require.NoError(t, l.nc.(*net.TCPConn).SetReadBuffer(64<<10))
	pub := connect(t, addr)
	const msgs = 400 // × 32 KiB = 12.5 MiB: more than the sockets hold
	payload := bytes.Repeat([]byte("d"), 32<<10)
	for i := 0; i < msgs; i++ {
		pub.pub("/drain", payload)
	}
	pub.sync()
	require.Positive(t, srv.Stats().PendingBytes, "data is queued when shutdown starts")

	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	require.Eventually(t, srv.draining.Load, waitFor, tenMillis)
	late := dialClassic(t, caddr, "/drain")
	late.expectClosed()

	got := 0
	for {
		b, err := l.read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		require.Equal(t, payload, b, "frame %d is a data frame", got)
		got++
	}
	assert.Equal(t, msgs, got)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(waitFor):
		t.Fatal("Shutdown did not return")
	}
}

// TestClassicNoGoroutineLeaks: classic connections that end every way (a
// client close, an empty destination, an oversize frame, a truncated frame,
// shutdown) leave no goroutine behind.
func TestClassicNoGoroutineLeaks(t *testing.T) {
	base := runtime.NumGoroutine()
	func() {
		srv, err := New(DefaultConfig())
		require.NoError(t, err)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		served := make(chan struct{})
		go func() { srv.ServeClassic(ln); close(served) }()
		addr := ln.Addr().String()
		var open []*classicClient
		for i := 0; i < 10; i++ {
			open = append(open, listenClassic(t, srv, addr, "/queue/leak"), listenClassic(t, srv, addr, "/leak"))
		}
		s := dialClassic(t, addr, "")
		for i := 0; i < 100; i++ {
			s.send("/queue/leak", []byte("x"))
			s.send("/leak", []byte("y"))
		}
		s.write(classicFrame(nil))
		s.expectClosed()
		open[0].nc.Close()
		over := dialClassicRaw(t, addr)
		over.write([]byte{0xff, 0xff, 0xff, 0xff})
		over.expectClosed()
		cut := dialClassic(t, addr, "/leak")
		cut.write([]byte{0, 0, 0, 9, 'x'})
		cut.nc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		<-served
		for _, c := range open {
			c.nc.Close()
		}
	}()
	checkGoroutines(t, base)
}
