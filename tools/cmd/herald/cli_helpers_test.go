package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
	"github.com/stretchr/testify/require"
)

// waitLimit bounds every wait of these tests.
const waitLimit = 10 * time.Second

// startBrokerWith runs an in-process broker with cfg on 127.0.0.1:0 until
// the test ends, and returns it and its herald:// URL.
func startBrokerWith(t *testing.T, cfg broker.Config) (*broker.Server, string) {
	t.Helper()
	srv, err := broker.New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		<-served
	})
	return srv, "herald://" + ln.Addr().String()
}

// brokerURL runs an in-process broker with the default configuration and
// returns its URL.
func brokerURL(t *testing.T) string {
	t.Helper()
	_, url := startBrokerWith(t, broker.DefaultConfig())
	return url
}

// waitChan waits for a value on ch, failing the test after waitLimit.
func waitChan[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("no %s within %s", what, waitLimit)
	}
	var zero T
	return zero
}

// newPipe returns a stdin for a command and a function that writes to it;
// the pipe is closed when the test ends.
func newPipe(t *testing.T) (io.Reader, func(string)) {
	t.Helper()
	r, w := io.Pipe()
	t.Cleanup(func() { w.Close() })
	return r, func(s string) {
		_, err := io.WriteString(w, s)
		require.NoError(t, err)
	}
}

// syncBuffer is an output a running command writes while the test reads.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed and replaced at every write
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.changed)
	s.changed = make(chan struct{})
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until ok holds for the content, failing the test after
// waitLimit.
func (s *syncBuffer) waitFor(t *testing.T, what string, ok func(string) bool) string {
	t.Helper()
	deadline := time.NewTimer(waitLimit)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		content, changed := s.b.String(), s.changed
		s.mu.Unlock()
		if ok(content) {
			return content
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("no %s within %s; got:\n%s", what, waitLimit, content)
		}
	}
}

// waitContains waits until the content holds sub.
func (s *syncBuffer) waitContains(t *testing.T, sub string) string {
	t.Helper()
	return s.waitFor(t, strings.TrimSpace(sub), func(c string) bool { return strings.Contains(c, sub) })
}

// cliRun is a command line running in the background.
type cliRun struct {
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
	code           int
	finished       bool
}

// startCLI runs the command line in the background with stdin (nil for an
// empty one); the test's end interrupts it and waits for it.
func startCLI(t *testing.T, stdin io.Reader, args ...string) *cliRun {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &cliRun{stdout: newSyncBuffer(), stderr: newSyncBuffer(), cancel: cancel, done: make(chan int, 1)}
	go func() { r.done <- runWith(ctx, args, stdin, r.stdout, r.stderr) }()
	t.Cleanup(func() {
		cancel()
		if !r.finished {
			select {
			case <-r.done:
			case <-time.After(waitLimit):
				t.Errorf("herald %s still running %s after the test", strings.Join(args, " "), waitLimit)
			}
		}
	})
	return r
}

// wait returns the exit status, failing the test if the command runs for
// more than waitLimit.
func (r *cliRun) wait(t *testing.T) int {
	t.Helper()
	if r.finished {
		return r.code
	}
	select {
	case r.code = <-r.done:
		r.finished = true
		return r.code
	case <-time.After(waitLimit):
		t.Fatalf("the command did not end within %s; stdout:\n%s\nstderr:\n%s", waitLimit, r.stdout, r.stderr)
	}
	return -1
}

// interrupt is Ctrl-C.
func (r *cliRun) interrupt() { r.cancel() }

// startSub runs `herald sub ARGS...` and waits until it has subscribed.
func startSub(t *testing.T, args ...string) *cliRun {
	t.Helper()
	r := startCLI(t, nil, append([]string{"sub"}, args...)...)
	r.stderr.waitContains(t, "herald sub: subscribed to ")
	return r
}

// runIn runs the command line with stdin and returns its exit status and
// output.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runWith(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// stallProxy forwards connections to a broker and can stop reading from the
// broker, as a subscriber that stalls would; its socket towards the broker
// has a small receive buffer, so the broker's outbound buffer fills soon.
type stallProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	resume chan struct{} // nil while flowing; closed to resume
	wg     sync.WaitGroup
}

// startStallProxy forwards 127.0.0.1:0 to target (host:port).
func startStallProxy(t *testing.T, target string) *stallProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &stallProxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.flow()
		p.cut()
		p.wg.Wait()
	})
	return p
}

// URL is where clients connect.
func (p *stallProxy) URL() string { return "herald://" + p.ln.Addr().String() }

func (p *stallProxy) accept() {
	defer p.wg.Done()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := d.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(out, in, false)
		go p.pipe(in, out, true)
	}
}

// pipe copies src to dst; fromBroker copies stop while the proxy stalls.
func (p *stallProxy) pipe(dst, src net.Conn, fromBroker bool) {
	defer p.wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 4096)
	for {
		if fromBroker {
			p.mu.Lock()
			resume := p.resume
			p.mu.Unlock()
			if resume != nil {
				<-resume
			}
		}
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// stall stops reading from the broker.
func (p *stallProxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resume == nil {
		p.resume = make(chan struct{})
	}
}

// flow reads from the broker again.
func (p *stallProxy) flow() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.resume != nil {
		close(p.resume)
		p.resume = nil
	}
}

// cut resets every connection made so far, as a network failure would.
func (p *stallProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	}
	p.conns = nil
}
