package probe

import (
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// fakeServer accepts one connection and hands it to script.
func fakeServer(t *testing.T, script func(c net.Conn, r *wire.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		script(c, wire.NewReader(c, wire.MaxHelloFrame))
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	return ln.Addr().String()
}

func welcome() []byte {
	return (&wire.Welcome{Version: 1, ServerID: "fake", MaxPayload: 1024, MaxFrame: 1024 + wire.FrameOverhead, Overflow: wire.OverflowDrop}).Append(nil)
}

// echoPings answers every PING with PONG until the client leaves.
func echoPings(c net.Conn, r *wire.Reader) {
	for {
		body, err := r.Next()
		if err != nil {
			return
		}
		if op, _ := wire.PeekOp(body); op == wire.OpPing {
			_, _ = c.Write(wire.AppendPong(nil))
		}
	}
}

func TestHandshakeBarrierAndSelectiveNext(t *testing.T) {
	addr := fakeServer(t, func(c net.Conn, r *wire.Reader) {
		_, _ = r.Next() // HELLO
		b := welcome()
		b = (&wire.Msg{Sid: 2, Seq: 1, Channel: []byte("/b"), Payload: []byte("two")}).Append(b)
		b = (&wire.Msg{Sid: 1, Seq: 1, Channel: []byte("/a"), Payload: []byte("one")}).Append(b)
		_, _ = c.Write(b)
		echoPings(c, r)
	})
	c, err := Dial(addr, "t", Options{Timeout: 2 * time.Second})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Handshake(wire.Hello{Version: 1}))
	assert.Equal(t, "fake", c.Welcome.ServerID)
	f, err := c.Next("MSG on sid 1", MsgOn(1))
	require.NoError(t, err)
	assert.Equal(t, "one", string(f.Msg.Payload))
	require.NoError(t, c.Barrier())
	left := c.Pending(Any)
	require.Len(t, left, 1)
	assert.Equal(t, uint32(2), left[0].Msg.Sid)
	assert.Equal(t, 1, c.Pongs())
}

// A MSG whose sid or seq is not written in the fixed widths of 2.7 is a
// fault of the server, even though a decoder would accept it.
func TestMsgLayoutIsChecked(t *testing.T) {
	addr := fakeServer(t, func(c net.Conn, r *wire.Reader) {
		_, _ = r.Next()
		compact := FrameOf(Array(U(uint64(wire.OpMsg)), U(1), U(1), S("/a"), Nil(), Nil(), []byte{0xc4, 0}))
		_, _ = c.Write(append(welcome(), compact...))
		echoPings(c, r)
	})
	c, err := Dial(addr, "t", Options{Timeout: 2 * time.Second})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Handshake(wire.Hello{Version: 1}))
	_, err = c.Next("MSG", MsgOn(1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2.7")
}

func TestWaitsEndAtTheirDeadline(t *testing.T) {
	addr := fakeServer(t, func(c net.Conn, r *wire.Reader) {
		_, _ = r.Next()
		_, _ = c.Write(welcome())
		for {
			if _, err := r.Next(); err != nil {
				return
			}
		}
	})
	c, err := Dial(addr, "t", Options{Timeout: 100 * time.Millisecond})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Handshake(wire.Hello{Version: 1}))
	start := time.Now()
	_, err = c.Next("MSG", MsgOn(1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "within 100ms")
	assert.Less(t, time.Since(start), 2*time.Second)
	require.Error(t, c.Barrier(), "the server never answers PING")
}

// A paused client sends PINGs to stay alive; their PONGs do not satisfy a
// later barrier early, and Close reaps every goroutine.
func TestPauseKeepaliveAndNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	addr := fakeServer(t, func(c net.Conn, r *wire.Reader) {
		_, _ = r.Next()
		_, _ = c.Write(welcome())
		echoPings(c, r)
	})
	c, err := Dial(addr, "t", Options{Timeout: 2 * time.Second})
	require.NoError(t, err)
	require.NoError(t, c.Handshake(wire.Hello{Version: 1}))
	c.SetPauseKeepalive(5 * time.Millisecond)
	c.Pause()
	deadline := time.Now().Add(2 * time.Second)
	for c.PingsSent() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling a counter; no ordering depends on it
	}
	require.GreaterOrEqual(t, c.PingsSent(), 3)
	c.Resume()
	require.NoError(t, c.Barrier())
	assert.GreaterOrEqual(t, c.Pongs(), 4)
	c.Close()
	for runtime.NumGoroutine() > before+1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before+1, "goroutines left after Close")
}

func TestRawEncodingsDecode(t *testing.T) {
	for _, enc := range IntEncodings {
		sid, err := Int(enc, 100)
		require.NoError(t, err, enc)
		var s wire.Sub
		require.NoError(t, s.Decode(Array(U(uint64(wire.OpSub)), sid, S("/a"), Nil(), U(0))), enc)
		assert.Equal(t, uint32(100), s.Sid, enc)
	}
	for i, enc := range StrEncodings {
		ch, err := Str(enc, "/a")
		require.NoError(t, err)
		bin, err := Bin(BinEncodings[i%len(BinEncodings)], []byte("x"))
		require.NoError(t, err)
		var p wire.Pub
		require.NoError(t, p.Decode(Array(U(uint64(wire.OpPub)), ch, Nil(), Nil(), bin)), enc)
		assert.Equal(t, "/a", string(p.Channel))
		assert.Equal(t, "x", string(p.Payload))
	}
	for _, enc := range MapEncodings {
		h, err := StrMap(enc, "k", "v")
		require.NoError(t, err)
		m, err := wire.DecodeHeaders(h)
		require.NoError(t, err, enc)
		assert.Equal(t, map[string]string{"k": "v"}, m)
	}
	_, err := Int("positive fixint", 200)
	assert.Error(t, err)
	_, err = Int("int 8", 200)
	assert.Error(t, err)
}
