package herald

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestHandlerPanicIsReportedAndConnectionSurvives(t *testing.T) {
	b := startBroker(t)
	errs := newErrorLog()
	c := connect(t, b.URL(), WithErrorHandler(errs.handler))
	ctx := ctxT(t, 5*time.Second)
	got := make(chan string, 10)
	_, err := c.Subscribe("/panic", func(m *Msg) {
		if string(m.Data) == "boom" {
			panic("handler exploded")
		}
		got <- string(m.Data)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"before", "boom", "after"} {
		if err := c.Publish(ctx, "/panic", []byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	e := errs.waitFor(t, ErrHandlerPanic)
	if !strings.Contains(e.Error(), "handler exploded") {
		t.Errorf("panic report %q lacks the panic value", e)
	}
	for _, want := range []string{"before", "after"} {
		select {
		case g := <-got:
			if g != want {
				t.Fatalf("got %q, want %q", g, want)
			}
		case <-ctx.Done():
			t.Fatal("handler stopped after the panic")
		}
	}
	if c.Status() != Connected || c.Reconnects() != 0 {
		t.Fatalf("status %v, reconnects %d", c.Status(), c.Reconnects())
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAutoUnsubscribe(t *testing.T) {
	b := startBroker(t)
	c := connect(t, b.URL())
	ctx := ctxT(t, 5*time.Second)
	sub, err := c.SubscribePull("/auto")
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.AutoUnsubscribe(3); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := c.Publish(ctx, "/auto", fmt.Appendf(nil, "%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for m := range sub.Messages(ctx) {
		got = append(got, string(m.Data))
	}
	if strings.Join(got, ",") != "0,1,2" {
		t.Fatalf("got %v, want the first 3", got)
	}
	if !errors.Is(sub.Err(), ErrSubscriptionClosed) {
		t.Fatalf("Err: %v", sub.Err())
	}
}

func TestScopedSubscriptionEndsWithContext(t *testing.T) {
	b := startBroker(t)
	c := connect(t, b.URL())
	ctx := ctxT(t, 5*time.Second)
	scope, cancel := context.WithCancel(ctx)
	sub, err := c.SubscribePull("/scoped", WithContext(scope))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe() // always safe, even after the scope ended it
	if err := c.Publish(ctx, "/scoped", []byte("in scope")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.Next(ctx); err != nil || string(m.Data) != "in scope" {
		t.Fatalf("Next: %v %v", m, err)
	}
	cancel()
	if _, err := sub.Next(ctx); !errors.Is(err, ErrSubscriptionClosed) {
		t.Fatalf("Next after the scope ended: %v", err)
	}
	// The broker no longer routes to it: a message published now reaches a
	// second subscription only.
	probe, _ := c.SubscribePull("/scoped")
	if err := c.Publish(ctx, "/scoped", []byte("out of scope")); err != nil {
		t.Fatal(err)
	}
	if _, err := probe.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := sub.Pending(); n != 0 {
		t.Fatalf("ended subscription holds %d messages", n)
	}
}

func TestClientPendingLimitsDropAndReport(t *testing.T) {
	b := startBroker(t)
	errs := newErrorLog()
	c := connect(t, b.URL(), WithErrorHandler(errs.handler))
	ctx := ctxT(t, 5*time.Second)
	sub, err := c.SubscribePull("/limited", WithPendingLimits(10, 0))
	if err != nil {
		t.Fatal(err)
	}
	for range 25 {
		if err := c.Publish(ctx, "/limited", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "25 messages accounted for", func() bool {
		n, _ := sub.Pending()
		return uint64(n)+sub.Dropped().Client == 25
	})
	if d := sub.Dropped(); d.Client != 15 || d.Total() != 15 {
		t.Fatalf("Dropped: %+v", d)
	}
	e := errs.waitFor(t, ErrSlowConsumer)
	var le *LossError
	if !errors.As(e, &le) || le.Source != LossClient || !errors.Is(e, ErrMessagesLost) {
		t.Fatalf("report: %v", e)
	}
	// Reports merge while the handler is busy, but their counts add up.
	eventually(t, "15 client drops reported", func() bool {
		var total uint64
		for _, e := range errs.all() {
			if errors.As(e, &le) && le.Source == LossClient {
				total += le.Count
			}
		}
		return total == 15
	})
	// The first ten are intact and in order.
	for i := range 10 {
		m, err := sub.Next(ctx)
		if err != nil || m.Seq != uint64(i+1) {
			t.Fatalf("message %d: %v %v", i, m, err)
		}
	}
}

func TestDrainDeliversPendingThenCloses(t *testing.T) {
	b := startBroker(t)
	c := connect(t, b.URL())
	pub := connect(t, b.URL())
	ctx := ctxT(t, 10*time.Second)
	release := make(chan struct{})
	var handled atomic.Int64
	_, err := c.Subscribe("/drain", func(m *Msg) {
		<-release
		handled.Add(1)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if err := pub.Publish(ctx, "/drain", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	drained := make(chan error, 1)
	go func() { drained <- c.Drain(ctx) }()
	eventually(t, "draining", func() bool { return c.Status() == Draining })
	if _, err := c.SubscribePull("/late"); !errors.Is(err, ErrConnectionDraining) {
		t.Fatalf("Subscribe while draining: %v", err)
	}
	close(release)
	if err := <-drained; err != nil {
		t.Fatal(err)
	}
	if handled.Load() != 100 || c.Status() != Closed {
		t.Fatalf("handled %d, status %v", handled.Load(), c.Status())
	}
	if err := c.Publish(ctx, "/drain", nil); !errors.Is(err, ErrConnectionClosed) {
		t.Fatalf("Publish after Drain: %v", err)
	}
}
