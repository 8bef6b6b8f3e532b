package herald

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
)

// testBroker is an in-process heraldd on a loopback port that a test can stop
// and start again on the same port.
type testBroker struct {
	t      testing.TB
	cfg    broker.Config
	addr   string
	mu     sync.Mutex
	srv    *broker.Server
	served chan error
}

// startBroker starts a broker on 127.0.0.1:0; it is shut down when the test
// ends.
func startBroker(t testing.TB, edit ...func(*broker.Config)) *testBroker {
	t.Helper()
	cfg := broker.DefaultConfig()
	for _, e := range edit {
		e(&cfg)
	}
	b := &testBroker{t: t, cfg: cfg, addr: "127.0.0.1:0"}
	b.Start()
	t.Cleanup(b.Stop)
	return b
}

// URL returns the broker's herald:// URL.
func (b *testBroker) URL() string { return "herald://" + b.addr }

// Start (re)starts the broker, on the same port after the first start.
func (b *testBroker) Start() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	srv, err := broker.New(b.cfg)
	if err != nil {
		b.t.Fatalf("broker.New: %v", err)
	}
	var ln net.Listener
	deadline := time.Now().Add(5 * time.Second)
	for {
		ln, err = net.Listen("tcp", b.addr)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond) // the port may linger after a stop; retry, bounded
	}
	if err != nil {
		b.t.Fatalf("listen %s: %v", b.addr, err)
	}
	b.addr = ln.Addr().String()
	b.srv, b.served = srv, make(chan error, 1)
	go func() { b.served <- srv.Serve(ln) }()
}

// Stop shuts the broker down gracefully (connections get ERR
// shutting_down) and waits for Serve to return.
func (b *testBroker) Stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.srv.Shutdown(ctx); err != nil {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		b.t.Errorf("broker shutdown: %v; goroutines:\n%s", err, buf)
	}
	if err := <-b.served; err != nil && !errors.Is(err, broker.ErrServerClosed) {
		b.t.Errorf("broker serve: %v", err)
	}
	b.srv = nil
}

// quietLogger discards everything.
var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// errorLog collects asynchronous errors for assertions.
type errorLog struct {
	mu   sync.Mutex
	errs []error
	ch   chan error
}

func newErrorLog() *errorLog { return &errorLog{ch: make(chan error, 1024)} }

func (l *errorLog) handler(_ *Conn, _ *Subscription, err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
	select {
	case l.ch <- err:
	default:
	}
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// waitFor waits for an error matching target.
func (l *errorLog) waitFor(t testing.TB, target error) error {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for _, e := range l.all() {
		if errors.Is(e, target) {
			return e
		}
	}
	for {
		select {
		case e := <-l.ch:
			if errors.Is(e, target) {
				return e
			}
		case <-deadline:
			t.Fatalf("no async error matching %v; got %v", target, l.all())
			return nil
		}
	}
}

// connect connects to b with test-friendly options.
func connect(t testing.TB, url string, opts ...Option) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Connect(ctx, url, append([]Option{WithLogger(quietLogger)}, opts...)...)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(c.Close)
	return c
}

// ctxT returns a context that ends after d or with the test.
func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// eventually fails the test unless cond holds within 5 seconds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond) // polling interval of a bounded wait, not synchronisation
	}
}

// sdkGoroutines returns the stacks of goroutines running code of this
// package (its non-test files).
func sdkGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		s := string(g)
		for _, line := range strings.Split(s, "\n") {
			line = strings.TrimSpace(line)
			if strings.Contains(line, "/sdk/go/") && strings.Contains(line, ".go:") && !strings.Contains(line, "_test.go:") {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// checkNoLeaks fails the test if goroutines of this package are still
// running 5 seconds after the call.
func checkNoLeaks(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := sdkGoroutines()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines leaked:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(5 * time.Millisecond) // polling interval of a bounded wait
	}
}
