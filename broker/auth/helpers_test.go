package auth_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/spec/wire"
)

// waitFor bounds every expectation (PROTOCOL.md 13.3).
const waitFor = 5 * time.Second

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs a broker with a on 127.0.0.1:0, logging at debug level
// into the returned buffer, and shuts it down when the test ends.
func startServer(t *testing.T, a broker.Authenticator) (*broker.Server, string, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cfg := broker.DefaultConfig()
	cfg.Auth = a
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := broker.New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		require.ErrorIs(t, <-served, broker.ErrServerClosed)
	})
	return srv, ln.Addr().String(), logs
}

// client speaks the wire protocol with the codec only.
type client struct {
	t  *testing.T
	nc net.Conn
	rd *wire.Reader
}

// hello dials addr and sends HELLO with user and token; it does not wait
// for the answer.
func hello(t *testing.T, addr, user, token string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	c := &client{t: t, nc: nc, rd: wire.NewReader(nc, 64<<20)}
	c.send((&wire.Hello{Version: wire.Version, Name: t.Name(), User: user, Token: token, Echo: true, Headers: true}).Append(nil))
	return c
}

// login connects and requires WELCOME.
func login(t *testing.T, addr, user, token string) (*client, wire.Welcome) {
	t.Helper()
	c := hello(t, addr, user, token)
	op, body := c.next()
	require.Equal(t, wire.OpWelcome, op)
	var w wire.Welcome
	require.NoError(t, w.Decode(body))
	return c, w
}

func (c *client) send(frames ...[]byte) {
	c.t.Helper()
	_, err := c.nc.Write(bytes.Join(frames, nil))
	require.NoError(c.t, err)
}

func (c *client) sub(sid uint32, pattern string) {
	c.t.Helper()
	c.send((&wire.Sub{Sid: sid, Pattern: []byte(pattern)}).Append(nil))
}

func (c *client) pub(channel, payload string) {
	c.t.Helper()
	c.send((&wire.Pub{Channel: []byte(channel), Payload: []byte(payload)}).Append(nil))
}

// next returns the next frame, failing the test after waitFor.
func (c *client) next() (wire.Op, []byte) {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(waitFor))
	body, err := c.rd.Next()
	require.NoError(c.t, err)
	op, err := wire.PeekOp(body)
	require.NoError(c.t, err)
	return op, body
}

// expectErr requires the next frame to be ERR with code.
func (c *client) expectErr(code wire.Code) *wire.Error {
	c.t.Helper()
	op, body := c.next()
	require.Equal(c.t, wire.OpErr, op)
	var e wire.Error
	require.NoError(c.t, e.Decode(body))
	require.Equal(c.t, code, e.Code, "ERR %s: %s", e.Code, e.Message)
	return &e
}

// expectMsg requires the next frame to be MSG for sid on channel.
func (c *client) expectMsg(sid uint32, channel, payload string) {
	c.t.Helper()
	op, body := c.next()
	require.Equal(c.t, wire.OpMsg, op, "want MSG, got %v", op)
	var m wire.Msg
	require.NoError(c.t, m.Decode(body))
	require.Equal(c.t, sid, m.Sid)
	require.Equal(c.t, channel, string(m.Channel))
	require.Equal(c.t, payload, string(m.Payload))
}

// ping sends PING and requires PONG next: every earlier frame was processed
// and answered (PROTOCOL.md 9.2), and the connection is open.
func (c *client) ping() {
	c.t.Helper()
	c.send(wire.AppendPing(nil))
	op, _ := c.next()
	require.Equal(c.t, wire.OpPong, op)
}

// expectClosed requires the server to close the connection.
func (c *client) expectClosed() {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(waitFor))
	_, err := c.rd.Next()
	require.True(c.t, errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err), "want close, got %v", err)
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}
