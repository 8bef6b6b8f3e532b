package herald

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// lifecycle records the connection callbacks.
type lifecycle struct {
	disconnected chan error
	reconnected  chan time.Time
	closed       chan struct{}
}

func newLifecycle() *lifecycle {
	return &lifecycle{disconnected: make(chan error, 16), reconnected: make(chan time.Time, 16), closed: make(chan struct{})}
}

func (l *lifecycle) options() []Option {
	return []Option{
		WithDisconnectHandler(func(_ *Conn, err error) { l.disconnected <- err }),
		WithReconnectHandler(func(*Conn) { l.reconnected <- time.Now() }),
		WithClosedHandler(func(*Conn) { close(l.closed) }),
	}
}

func waitChan[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

func TestBrokerRestartUnderLiveClient(t *testing.T) {
	b := startBroker(t)
	lc := newLifecycle()
	errs := newErrorLog()
	c := connect(t, b.URL(), append(lc.options(), WithErrorHandler(errs.handler))...)
	ctx := ctxT(t, 20*time.Second)
	sub, err := c.SubscribePull("/restart/>")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, "/restart/a", []byte("before")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.Next(ctx); err != nil || string(m.Data) != "before" {
		t.Fatalf("before the restart: %v %v", m, err)
	}

	stopped := time.Now()
	b.Stop()
	err = waitChan(t, lc.disconnected, "the disconnected callback")
	if !errors.Is(err, wire.ErrShuttingDown) {
		t.Logf("disconnected with %v", err)
	}
	if s := c.Status(); s != Reconnecting {
		t.Fatalf("status while the broker is down: %v", s)
	}
	const buffered = 50
	for i := range buffered {
		if err := c.Publish(ctx, "/restart/a", []byte(strconv.Itoa(i))); err != nil {
			t.Fatalf("publish %d while down: %v", i, err)
		}
	}
	// A subscription made while down is subscribed before the buffered
	// publishes are sent.
	late, err := c.SubscribePull("/late")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, "/late", []byte("made while down")); err != nil {
		t.Fatal(err)
	}
	flushed := make(chan error, 1)
	go func() { flushed <- c.Flush(ctx) }() // waits for the next session

	restarted := time.Now()
	b.Start()
	back := waitChan(t, lc.reconnected, "the reconnected callback")
	if err := <-flushed; err != nil {
		t.Fatalf("Flush across the restart: %v", err)
	}
	t.Logf("reconnected %v after the broker came back (outage %v, default backoff)", back.Sub(restarted).Round(time.Millisecond), back.Sub(stopped).Round(time.Millisecond))

	for i := range buffered {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Data) != strconv.Itoa(i) || m.Seq != uint64(i+1) {
			t.Fatalf("buffered publish %d arrived as %q seq %d", i, m.Data, m.Seq)
		}
	}
	if m, err := late.Next(ctx); err != nil || string(m.Data) != "made while down" {
		t.Fatalf("subscription made while down: %v %v", m, err)
	}
	e := errs.waitFor(t, ErrReconnectGap)
	var le *LossError
	if !errors.As(e, &le) || le.Count != 0 || le.Sub != sub {
		t.Fatalf("reconnect gap report: %#v", e)
	}
	if d := sub.Dropped(); d.Reconnects != 1 || d.Total() != 0 {
		t.Fatalf("Dropped: %+v", d)
	}
	if c.Status() != Connected || c.Reconnects() != 1 {
		t.Fatalf("status %v, reconnects %d", c.Status(), c.Reconnects())
	}
}

func TestAbruptConnectionDropMidStream(t *testing.T) {
	b := startBroker(t)
	p := startProxy(t, b.addr)
	lc := newLifecycle()
	errs := newErrorLog()
	sub := connect(t, p.URL(), append(lc.options(), WithErrorHandler(errs.handler))...)
	pub := connect(t, b.URL())
	ctx := ctxT(t, 20*time.Second)
	s, err := sub.SubscribePull("/stream")
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var sent atomic.Int64
	pubDone := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				pubDone <- pub.Flush(ctx)
				return
			default:
			}
			if err := pub.Publish(ctx, "/stream", []byte(strconv.Itoa(i))); err != nil {
				pubDone <- err
				return
			}
			sent.Add(1)
			if i%64 == 0 {
				time.Sleep(time.Millisecond) // pace the stream a little
			}
		}
	}()
	last := -1
	read := func(n int) {
		for range n {
			m, err := s.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := strconv.Atoi(string(m.Data))
			if v <= last {
				t.Fatalf("message %d after %d: order broken", v, last)
			}
			last = v
		}
	}
	read(200)
	p.cut()
	waitChan(t, lc.disconnected, "the disconnected callback")
	waitChan(t, lc.reconnected, "the reconnected callback")
	if err := sub.Flush(ctx); err != nil { // the restored SUB is in effect
		t.Fatal(err)
	}
	read(200)
	close(stop)
	if err := <-pubDone; err != nil {
		t.Fatal(err)
	}
	e := errs.waitFor(t, ErrReconnectGap)
	var le *LossError
	if !errors.As(e, &le) || le.Count != 0 {
		t.Fatalf("gap report: %v", e)
	}
	d := s.Dropped()
	if d.Reconnects != 1 || d.Gaps != 0 || d.Notified != 0 {
		t.Fatalf("Dropped: %+v (a reconnect must not be counted as a sequence gap)", d)
	}
	for _, e := range errs.all() {
		if errors.Is(e, ErrSeqGap) {
			t.Fatalf("invented a count: %v", e)
		}
	}
}

func TestReconnectBufferLimitAndClose(t *testing.T) {
	b := startBroker(t)
	lc := newLifecycle()
	errs := newErrorLog()
	c := connect(t, b.URL(), append(lc.options(), WithErrorHandler(errs.handler), WithReconnectBufSize(1024))...)
	ctx := ctxT(t, 10*time.Second)
	b.Stop()
	waitChan(t, lc.disconnected, "the disconnected callback")
	accepted := 0
	for {
		err := c.Publish(ctx, "/buf", make([]byte, 100))
		if errors.Is(err, ErrReconnectBufExceeded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		accepted++
	}
	if accepted < 5 || accepted > 10 {
		t.Fatalf("accepted %d publishes of 100 bytes into 1 KiB", accepted)
	}
	c.Close()
	e := errs.waitFor(t, ErrConnectionClosed)
	if want := fmt.Sprintf("%d buffered publishes", accepted); !strings.Contains(e.Error(), want) {
		t.Fatalf("close report %q does not say %q", e, want)
	}
	waitChan(t, lc.closed, "the closed callback")
}

func TestGiveUpAfterMaxReconnects(t *testing.T) {
	b := startBroker(t)
	lc := newLifecycle()
	c := connect(t, b.URL(), append(lc.options(), WithMaxReconnects(3), WithReconnectBackoff(time.Millisecond, 5*time.Millisecond))...)
	b.Stop()
	waitChan(t, lc.closed, "the closed callback")
	if c.Status() != Closed {
		t.Fatalf("status %v", c.Status())
	}
	if err := c.Publish(context.Background(), "/x", nil); !errors.Is(err, ErrConnectionClosed) {
		t.Fatalf("Publish after giving up: %v", err)
	}
	if c.LastError() == nil {
		t.Fatal("LastError is nil after giving up")
	}
}

func TestFailoverToNextServer(t *testing.T) {
	b1 := startBroker(t)
	b2 := startBroker(t)
	lc := newLifecycle()
	c := connect(t, b1.URL()+","+b2.URL(), lc.options()...)
	if c.ConnectedURL() != b1.URL() {
		t.Fatalf("connected to %q", c.ConnectedURL())
	}
	ctx := ctxT(t, 10*time.Second)
	sub, err := c.SubscribePull("/fo")
	if err != nil {
		t.Fatal(err)
	}
	b1.Stop()
	waitChan(t, lc.reconnected, "the reconnected callback")
	if c.ConnectedURL() != b2.URL() {
		t.Fatalf("failed over to %q", c.ConnectedURL())
	}
	if err := c.Publish(ctx, "/fo", []byte("on b2")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.Next(ctx); err != nil || string(m.Data) != "on b2" {
		t.Fatalf("after failover: %v %v", m, err)
	}
}

func TestConnectErrors(t *testing.T) {
	ctx := ctxT(t, 5*time.Second)
	for _, u := range []string{"", "http://x", "herald://", "herald://h:1/path"} {
		if _, err := Connect(ctx, u); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("Connect(%q): %v", u, err)
		}
	}
	b := startBroker(t)
	addr := b.addr
	b.Stop()
	if _, err := Connect(ctx, "herald://"+addr); !errors.Is(err, ErrNoServers) {
		t.Errorf("Connect to a stopped broker: %v", err)
	}
}
