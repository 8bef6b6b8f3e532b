package exchange_test

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker/exchange"
)

// waitFor bounds every wait on an event.
const waitFor = 5 * time.Second

// newRegistry returns a registry closed, and checked for leaked goroutines,
// when the test ends.
func newRegistry(t testing.TB, opts ...exchange.Option) *exchange.Registry {
	t.Helper()
	base := runtime.NumGoroutine()
	r := exchange.NewRegistry(opts...)
	t.Cleanup(func() {
		r.Close()
		// Not require.Eventually: it runs its condition on a goroutine.
		deadline := time.Now().Add(waitFor)
		for runtime.NumGoroutine() > base {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
			}
			time.Sleep(time.Millisecond)
		}
	})
	return r
}

// flush waits until every message sent so far has been handled.
func flush(t testing.TB, r *exchange.Registry) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	require.NoError(t, r.Flush(ctx))
}

// recorder is a sink that keeps what it receives.
type recorder struct {
	mu  sync.Mutex
	got []exchange.Message
}

func (r *recorder) Send(m exchange.Message) {
	r.mu.Lock()
	r.got = append(r.got, m)
	r.mu.Unlock()
}

func (r *recorder) messages() []exchange.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange.Message(nil), r.got...)
}

// values returns the Values received, which the tests make ints.
func (r *recorder) values() []int {
	var out []int
	for _, m := range r.messages() {
		out = append(out, m.Value.(int))
	}
	return out
}

// blocker is a sink whose Send blocks until release is closed; entered
// receives once when the first Send starts.
type blocker struct {
	recorder
	entered chan struct{}
	release chan struct{}
	once    sync.Once
	once2   sync.Once
}

func newBlocker(t testing.TB) *blocker {
	b := &blocker{entered: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(b.unblock) // before the registry's Close, which waits for it
	return b
}

func (b *blocker) unblock() { b.once2.Do(func() { close(b.release) }) }

func (b *blocker) Send(m exchange.Message) {
	b.recorder.Send(m)
	b.once.Do(func() { close(b.entered) })
	<-b.release
}

// waitEntered waits until the blocker is stuck in its first Send.
func (b *blocker) waitEntered(t testing.TB) {
	t.Helper()
	select {
	case <-b.entered:
	case <-time.After(waitFor):
		t.Fatal("the sink's Send was never called")
	}
}

// sendAll sends values from..to-1 and fails if that takes longer than
// waitFor: Send must never wait for a sink.
func sendAll(t testing.TB, e *exchange.Exchange, from, to int) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := from; i < to; i++ {
			e.Send(exchange.Message{Value: i})
		}
	}()
	select {
	case <-done:
	case <-time.After(waitFor):
		t.Fatal("Send blocked")
	}
}

// follower is a sink that reports each value it receives on a channel, so
// that a test can pace its sends to it.
type follower struct{ got chan int }

func newFollower(n int) *follower { return &follower{got: make(chan int, n)} }

func (f *follower) Send(m exchange.Message) { f.got <- m.Value.(int) }

// sendPaced sends values from..to-1, each once the follower has received the
// one before, so that the follower never overflows however small its buffer:
// what overflows is the other, slower sinks.
func sendPaced(t testing.TB, e *exchange.Exchange, from, to int, f *follower) {
	t.Helper()
	for i := from; i < to; i++ {
		e.Send(exchange.Message{Value: i})
		select {
		case v := <-f.got:
			require.Equal(t, i, v)
		case <-time.After(waitFor):
			t.Fatalf("the follower did not get %d", i)
		}
	}
}

// seq returns from, from+step, ... below to.
func seq(from, to, step int) []int {
	var out []int
	for i := from; i < to; i += step {
		out = append(out, i)
	}
	return out
}

// logBuffer collects log lines.
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

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

func (l *logBuffer) has(s string) bool { return strings.Contains(l.String(), s) }
