package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// waitFor bounds every expectation (PROTOCOL.md 13.3).
const waitFor = 5 * time.Second

// daemon is heraldd running in-process through run, as main runs it.
type daemon struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan error
	addr   string

	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced whenever a line arrives
}

// startDaemon runs heraldd with args plus --addr 127.0.0.1:0, waits until it
// listens, and stops it when the test ends.
func startDaemon(t *testing.T, args ...string) *daemon {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemon{t: t, cancel: cancel, done: make(chan error, 1), changed: make(chan struct{})}
	go func() {
		d.done <- run(ctx, append([]string{"--addr", "127.0.0.1:0", "--log-level", "debug"}, args...), pw)
		pw.Close()
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			d.mu.Lock()
			d.lines = append(d.lines, sc.Text())
			close(d.changed)
			d.changed = make(chan struct{})
			d.mu.Unlock()
		}
		io.Copy(io.Discard, pr)
	}()
	t.Cleanup(func() { d.stop() })
	d.addr = d.waitLog(`msg=listening addr=(\S+)`)[1]
	return d
}

// waitLog waits for a log line matching re and returns its submatches.
func (d *daemon) waitLog(re string) []string {
	d.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(waitFor)
	seen := 0
	for {
		d.mu.Lock()
		lines, changed := d.lines, d.changed
		d.mu.Unlock()
		for ; seen < len(lines); seen++ {
			if m := rx.FindStringSubmatch(lines[seen]); m != nil {
				return m
			}
		}
		select {
		case <-changed:
		case err := <-d.done:
			d.done <- err
			d.t.Fatalf("heraldd ended (%v) before logging %q", err, re)
		case <-deadline:
			d.t.Fatalf("no log line matching %q in:\n%s", re, d.logs())
		}
	}
}

// logs returns everything logged so far.
func (d *daemon) logs() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.lines, "\n")
}

// stop cancels run, as SIGTERM does, and requires it to return cleanly.
func (d *daemon) stop() {
	d.t.Helper()
	d.cancel()
	select {
	case err := <-d.done:
		d.done <- err
		require.NoError(d.t, err)
	case <-time.After(30 * time.Second):
		d.t.Fatal("heraldd did not stop")
	}
}

// peer is a raw wire client of the daemon.
type peer struct {
	t  *testing.T
	nc net.Conn
	rd *wire.Reader
}

// dialPeer connects with TCP, or with TLS when tc is not nil, and sends
// HELLO with user and token.
func dialPeer(t *testing.T, addr string, tc *tls.Config, user, token string) *peer {
	t.Helper()
	var nc net.Conn
	var err error
	if tc != nil {
		nc, err = tls.DialWithDialer(&net.Dialer{Timeout: waitFor}, "tcp", addr, tc)
	} else {
		nc, err = net.DialTimeout("tcp", addr, waitFor)
	}
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	p := &peer{t: t, nc: nc, rd: wire.NewReader(nc, 64<<20)}
	p.send((&wire.Hello{Version: wire.Version, Name: t.Name(), User: user, Token: token, Echo: true, Headers: true}).Append(nil))
	return p
}

func (p *peer) send(b []byte) {
	p.t.Helper()
	_, err := p.nc.Write(b)
	require.NoError(p.t, err)
}

// read returns the next frame's op and body, or the read error.
func (p *peer) read() (wire.Op, []byte, error) {
	p.nc.SetReadDeadline(time.Now().Add(waitFor))
	body, err := p.rd.Next()
	if err != nil {
		return 0, nil, err
	}
	op, err := wire.PeekOp(body)
	return op, body, err
}

func (p *peer) expect(op wire.Op) []byte {
	p.t.Helper()
	got, body, err := p.read()
	require.NoError(p.t, err)
	require.Equal(p.t, op, got)
	return body
}

func (p *peer) expectErr(code wire.Code) wire.Error {
	p.t.Helper()
	var e wire.Error
	require.NoError(p.t, e.Decode(p.expect(wire.OpErr)))
	require.Equal(p.t, code, e.Code, e.Message)
	return e
}

// ping requires PONG: earlier frames were processed, the connection is open.
func (p *peer) ping() {
	p.t.Helper()
	p.send(wire.AppendPing(nil))
	p.expect(wire.OpPong)
}
