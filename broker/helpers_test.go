package broker

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// waitFor is how long any expectation waits for its event.
const waitFor = 5 * time.Second

// startServer runs a Server on 127.0.0.1:0 and shuts it down when the test
// ends.
func startServer(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	srv, err := New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		require.ErrorIs(t, <-served, ErrServerClosed)
	})
	return srv, ln.Addr().String()
}

// frame is one frame a raw client received.
type frame struct {
	op   wire.Op
	body []byte
}

// rawClient speaks the wire protocol with the codec only, so tests judge the
// broker, not a client library.
type rawClient struct {
	t       testing.TB
	nc      net.Conn
	rd      *wire.Reader
	welcome wire.Welcome
	backlog []frame
}

func dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	return &rawClient{t: t, nc: nc, rd: wire.NewReader(nc, 64<<20)}
}

// connect dials and completes the handshake.
func connect(t testing.TB, addr string, opts ...func(*wire.Hello)) *rawClient {
	t.Helper()
	c := dialRaw(t, addr)
	h := wire.Hello{Version: wire.Version, Name: t.Name(), Echo: true, Headers: true}
	for _, o := range opts {
		o(&h)
	}
	c.send(h.Append(nil))
	f := c.next()
	require.Equal(t, wire.OpWelcome, f.op, "want WELCOME, got %v", f.op)
	require.NoError(t, c.welcome.Decode(f.body))
	return c
}

// named sets the client name HELLO carries.
func named(name string) func(*wire.Hello) { return func(h *wire.Hello) { h.Name = name } }

func (c *rawClient) send(frames ...[]byte) {
	c.t.Helper()
	var b []byte
	for _, f := range frames {
		b = append(b, f...)
	}
	c.nc.SetWriteDeadline(time.Now().Add(waitFor))
	_, err := c.nc.Write(b)
	require.NoError(c.t, err)
}

func (c *rawClient) sub(sid uint32, pattern string) {
	c.send((&wire.Sub{Sid: sid, Pattern: []byte(pattern)}).Append(nil))
}

func (c *rawClient) subQueue(sid uint32, pattern, queue string, prefetch uint32) {
	s := wire.Sub{Sid: sid, Pattern: []byte(pattern), Prefetch: prefetch}
	if queue != "" {
		s.Queue = []byte(queue)
	}
	c.send(s.Append(nil))
}

func (c *rawClient) pub(channel string, payload []byte) {
	c.send((&wire.Pub{Channel: []byte(channel), Payload: payload}).Append(nil))
}

// read returns the next frame from the socket, failing the test after
// waitFor.
func (c *rawClient) read() (frame, error) {
	c.nc.SetReadDeadline(time.Now().Add(waitFor))
	b, err := c.rd.Next()
	if err != nil {
		return frame{}, err
	}
	op, err := wire.PeekOp(b)
	if err != nil {
		return frame{}, err
	}
	return frame{op: op, body: append([]byte(nil), b...)}, nil
}

// next returns the next frame, answering server PINGs.
func (c *rawClient) next() frame {
	c.t.Helper()
	if len(c.backlog) > 0 {
		f := c.backlog[0]
		c.backlog = c.backlog[1:]
		return f
	}
	for {
		f, err := c.read()
		require.NoError(c.t, err)
		if f.op == wire.OpPing {
			c.send(wire.AppendPong(nil))
			continue
		}
		return f
	}
}

// sync sends PING and waits for PONG: afterwards every earlier frame of this
// client has been processed (9.2). Frames that arrive first are kept.
func (c *rawClient) sync() {
	c.t.Helper()
	c.send(wire.AppendPing(nil))
	for {
		f, err := c.read()
		require.NoError(c.t, err)
		switch f.op {
		case wire.OpPong:
			return
		case wire.OpPing:
			c.send(wire.AppendPong(nil))
		default:
			c.backlog = append(c.backlog, f)
		}
	}
}

func (c *rawClient) expectMsg() wire.Msg {
	c.t.Helper()
	f := c.next()
	if f.op == wire.OpErr {
		var e wire.Error
		require.NoError(c.t, e.Decode(f.body))
		c.t.Fatalf("want MSG, got %v", &e)
	}
	require.Equal(c.t, wire.OpMsg, f.op, "want MSG")
	var m wire.Msg
	require.NoError(c.t, m.Decode(f.body))
	return m
}

func (c *rawClient) expectErr(code wire.Code) *wire.Error {
	c.t.Helper()
	f := c.next()
	require.Equal(c.t, wire.OpErr, f.op, "want ERR %s, got %v", code, f.op)
	var e wire.Error
	require.NoError(c.t, e.Decode(f.body))
	require.Equal(c.t, code, e.Code, "ERR %v", &e)
	return &e
}

// expectClosed reads until the connection ends and fails if a MSG arrives.
func (c *rawClient) expectClosed() {
	c.t.Helper()
	for {
		f, err := c.read()
		if err != nil {
			var ne net.Error
			require.False(c.t, errors.As(err, &ne) && ne.Timeout(), "connection still open after %v", waitFor)
			return
		}
		require.NotEqual(c.t, wire.OpMsg, f.op, "MSG after a fatal error")
	}
}
