package broker

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// startClassicServer runs a Server with a Herald and a classic listener on
// 127.0.0.1:0, and shuts it down when the test ends.
func startClassicServer(t testing.TB, cfg Config) (srv *Server, addr, classicAddr string) {
	t.Helper()
	srv, err := New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 2)
	go func() { served <- srv.Serve(ln) }()
	go func() { served <- srv.ServeClassic(cln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		require.ErrorIs(t, <-served, ErrServerClosed)
		require.ErrorIs(t, <-served, ErrServerClosed)
	})
	return srv, ln.Addr().String(), cln.Addr().String()
}

// classicClient speaks the classic protocol with plain frames, as a client
// written for the classic broker does.
type classicClient struct {
	t  testing.TB
	nc net.Conn
	rd *wire.Reader
}

// classicFrame encodes one classic frame.
func classicFrame(body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// dialClassic connects and sends first, the channel to subscribe to (14.2).
func dialClassic(t testing.TB, addr, first string) *classicClient {
	t.Helper()
	c := dialClassicRaw(t, addr)
	c.write(classicFrame([]byte(first)))
	return c
}

// dialClassicRaw connects and sends nothing.
func dialClassicRaw(t testing.TB, addr string) *classicClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	c := &classicClient{t: t, nc: nc, rd: wire.NewReader(nc, 64<<20)}
	c.rd.AllowEmpty(true)
	return c
}

// listenClassic connects a classic subscriber to channel and waits until
// the server has made its subscription (a classic client has no barrier to
// wait on).
func listenClassic(t testing.TB, srv *Server, addr, channel string) *classicClient {
	t.Helper()
	c := dialClassic(t, addr, channel)
	local := c.nc.LocalAddr().String()
	require.Eventually(t, func() bool {
		for _, ci := range srv.Connz() {
			if ci.Remote == local {
				return len(ci.Subscriptions) == 1
			}
		}
		return false
	}, waitFor, time.Millisecond, "the classic subscription to %s is made", channel)
	return c
}

// waitSubs waits until the router holds n subscriptions.
func waitSubs(t testing.TB, srv *Server, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return srv.Router().Count() == n }, waitFor, time.Millisecond,
		"want %d subscriptions", n)
}

func (c *classicClient) write(b []byte) {
	c.t.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(waitFor))
	_, err := c.nc.Write(b)
	require.NoError(c.t, err)
}

// send sends one (destination, data) pair (14.3).
func (c *classicClient) send(channel string, data []byte) {
	c.t.Helper()
	c.write(append(classicFrame([]byte(channel)), classicFrame(data)...))
}

// read returns the next frame, or the read error.
func (c *classicClient) read() ([]byte, error) {
	c.nc.SetReadDeadline(time.Now().Add(waitFor))
	b, err := c.rd.Next()
	if err != nil {
		return nil, err
	}
	return append([]byte{}, b...), nil
}

// next returns the next frame's body, failing the test after waitFor.
func (c *classicClient) next() []byte {
	c.t.Helper()
	b, err := c.read()
	require.NoError(c.t, err)
	return b
}

// expect reads the next frame and checks its body.
func (c *classicClient) expect(want string) {
	c.t.Helper()
	require.Equal(c.t, want, string(c.next()))
}

// expectClosed reads until the server closes the connection, failing if a
// frame arrives first or the connection stays open for waitFor.
func (c *classicClient) expectClosed() {
	c.t.Helper()
	b, err := c.read()
	require.Error(c.t, err, "want the connection closed, got a frame %q", b)
	var ne net.Error
	require.False(c.t, errors.As(err, &ne) && ne.Timeout(), "connection still open after %v", waitFor)
}

// logBuffer collects a server's log lines for tests that check them.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// waitLog waits until a log line contains all of parts.
func (l *logBuffer) waitLog(t testing.TB, parts ...string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, line := range strings.Split(l.String(), "\n") {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(line, p)
			}
			if ok {
				return true
			}
		}
		return false
	}, waitFor, time.Millisecond, "no log line with %q in:\n%s", parts, l)
}

var _ io.Writer = (*logBuffer)(nil)
