package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// process is heraldd built from this package and run as a separate
// process, so that SIGTERM takes the path main gives it.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed

	mu      sync.Mutex
	lines   []string
	changed chan struct{}
}

// buildHeraldd compiles this package into a temporary directory.
func buildHeraldd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "heraldd")
	goTool := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// startProcess runs bin with args and collects its log lines.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{t: t, cmd: exec.Command(bin, args...), exited: make(chan struct{}), changed: make(chan struct{})}
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() {
		<-scanned // Wait closes the pipe: read it all first
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// waitLog waits for a log line matching re and returns its submatches.
func (p *process) waitLog(re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(waitFor)
	for seen := 0; ; {
		p.mu.Lock()
		lines, changed := p.lines, p.changed
		p.mu.Unlock()
		for ; seen < len(lines); seen++ {
			if m := rx.FindStringSubmatch(lines[seen]); m != nil {
				return m
			}
		}
		select {
		case <-changed:
		case <-p.exited:
			p.t.Fatalf("heraldd exited (%v) before logging %q:\n%s", p.err, re, p.logs())
		case <-deadline:
			p.t.Fatalf("no log line matching %q in:\n%s", re, p.logs())
		}
	}
}

func (p *process) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// metric reads one unlabelled series from /metrics at addr.
func metric(t *testing.T, addr, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err)
			return f
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}

// dialSmall connects with a small receive buffer, so that what the broker
// sends stays in its own queue rather than in the socket, and sends HELLO.
func dialSmall(t *testing.T, addr string) *peer {
	t.Helper()
	d := net.Dialer{Timeout: waitFor, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 64<<10)
		})
		return errors.Join(err, serr)
	}}
	nc, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	p := &peer{t: t, nc: nc, rd: wire.NewReader(nc, 64<<20)}
	p.send((&wire.Hello{Version: wire.Version, Name: "drain", Echo: true, Headers: true}).Append(nil))
	return p
}

// TestSIGTERMDrainsQueuedMessages proves PROTOCOL.md 12.1 on the binary:
// heraldd gets SIGTERM while 10 subscribers that have not read yet have more
// queued than their sockets hold; a connection arriving during the drain
// gets ERR shutting_down; every message already accepted reaches every
// subscriber, in order and without loss, before its ERR shutting_down and
// the close, all within --drain-timeout; and heraldd exits 0.
func TestSIGTERMDrainsQueuedMessages(t *testing.T) {
	const (
		subs, msgs = 10, 400
		size       = 32 << 10 // 400 × 32 KiB = 12.5 MiB a subscriber, far more than a socket holds
		drain      = 20 * time.Second
	)
	p := startProcess(t, buildHeraldd(t), "--addr", "127.0.0.1:0", "--monitor-addr", "127.0.0.1:0",
		"--max-pending-bytes", strconv.Itoa(64<<20), "--drain-timeout", drain.String(), "--log-level", "info")
	mon := p.waitLog(`msg=monitoring addr=(\S+)`)[1]
	addr := p.waitLog(`msg=listening addr=(\S+)`)[1]

	readers := make([]*peer, subs)
	for i := range readers {
		readers[i] = dialSmall(t, addr)
		readers[i].send((&wire.Sub{Sid: 1, Pattern: []byte("/drain")}).Append(nil))
		readers[i].expect(wire.OpWelcome)
		readers[i].ping()
	}
	pub := dialPeer(t, addr, nil, "", "")
	pub.expect(wire.OpWelcome)
	var frames []byte
	payload := make([]byte, size)
	for i := range msgs {
		payload[0], payload[1] = byte(i>>8), byte(i)
		frames = (&wire.Pub{Channel: []byte("/drain"), Payload: payload}).Append(frames)
	}
	pub.send(frames)
	pub.ping() // every PUB is routed: accepted, and queued for the readers
	queued := metric(t, mon, "herald_pending_bytes")
	require.Greater(t, queued, float64(subs*size*msgs/2), "most of the data is still queued in the broker")

	signalled := time.Now()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	p.waitLog(`msg="shutting down"`)

	late, err := net.DialTimeout("tcp", addr, waitFor)
	require.NoError(t, err, "the listener stays open during the drain")
	defer late.Close()
	lp := &peer{t: t, nc: late, rd: wire.NewReader(late, 64<<20)}
	lp.send((&wire.Hello{Version: wire.Version, Name: "late"}).Append(nil))
	lp.expectErr(wire.CodeShuttingDown)
	_, _, err = lp.read()
	require.ErrorIs(t, err, io.EOF, "the late connection is closed after its ERR")

	var wg sync.WaitGroup
	for i, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := 0
			for {
				op, body, err := r.read()
				if !assert.NoError(t, err, "reader %d: the connection ended before ERR shutting_down, after %d messages", i, got) {
					return
				}
				if op == wire.OpPing {
					r.send(wire.AppendPong(nil))
					continue
				}
				if op != wire.OpMsg {
					var e wire.Error
					if assert.Equal(t, wire.OpErr, op, "reader %d", i) && assert.NoError(t, e.Decode(body)) {
						assert.Equal(t, wire.CodeShuttingDown, e.Code, "reader %d: %s", i, e.Message)
					}
					break
				}
				var m wire.Msg
				require.NoError(t, m.Decode(body))
				if !assert.Equal(t, uint64(got+1), m.Seq, "reader %d: no message lost or reordered", i) {
					return
				}
				assert.Equal(t, [2]byte{byte(got >> 8), byte(got)}, [2]byte{m.Payload[0], m.Payload[1]})
				got++
			}
			assert.Less(t, time.Since(signalled), drain, "reader %d: everything arrived within --drain-timeout", i)
			assert.Equal(t, msgs, got, "reader %d: every accepted message arrives before ERR shutting_down", i)
			_, _, err := r.read()
			assert.ErrorIs(t, err, io.EOF, "reader %d: closed after ERR shutting_down", i)
		}()
	}
	wg.Wait()

	select {
	case <-p.exited:
		require.NoError(t, p.err, "heraldd exits 0 after SIGTERM:\n%s", p.logs())
	case <-time.After(drain):
		t.Fatalf("heraldd still running %v after SIGTERM:\n%s", time.Since(signalled), p.logs())
	}
	assert.Contains(t, p.logs(), `msg=stopped`)
}
