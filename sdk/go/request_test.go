package herald

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func TestRequestReply(t *testing.T) {
	b := startBroker(t)
	svc := connect(t, b.URL())
	cli := connect(t, b.URL())
	ctx := ctxT(t, 5*time.Second)
	_, err := svc.Subscribe("/svc/upper", func(m *Msg) {
		if err := m.Respond(bytes.ToUpper(m.Data)); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"hello", "herald"} {
		m, err := cli.Request(ctx, "/svc/upper", []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Data) != string(bytes.ToUpper([]byte(in))) {
			t.Fatalf("reply %q", m.Data)
		}
	}
}

func TestRequestNoResponders(t *testing.T) {
	b := startBroker(t)
	c := connect(t, b.URL())
	ctx := ctxT(t, 5*time.Second)
	start := time.Now()
	_, err := c.Request(ctx, "/svc/nobody", []byte("anyone?"))
	if !errors.Is(err, ErrNoResponders) {
		t.Fatalf("Request: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("no-responders took %v: it should not wait for a timeout", time.Since(start))
	}
}

func TestRequestTimeout(t *testing.T) {
	b := startBroker(t)
	c := connect(t, b.URL())
	// A subscriber that never answers.
	if _, err := c.Subscribe("/svc/silent", func(*Msg) {}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.Request(ctx, "/svc/silent", nil)
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Request: %v", err)
	}
	// The default timeout applies to a context without a deadline.
	c2 := connect(t, b.URL(), WithRequestTimeout(100*time.Millisecond))
	if _, err := c2.Request(context.Background(), "/svc/silent", nil); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Request with the default timeout: %v", err)
	}
	// Cancelling is not a timeout.
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if _, err := c.Request(cctx, "/svc/silent", nil); errors.Is(err, ErrTimeout) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Request: %v", err)
	}
}
