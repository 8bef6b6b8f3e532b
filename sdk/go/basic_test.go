package herald

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestPublishSubscribePull(t *testing.T) {
	b := startBroker(t)
	c := connect(t, b.URL())
	ctx := ctxT(t, 5*time.Second)
	sub, err := c.SubscribePull("/orders/>")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := c.Publish(ctx, "/orders/eu", fmt.Appendf(nil, "o%d", i), WithHeaders(map[string]string{"k": "v"})); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(m.Data), fmt.Sprintf("o%d", i); got != want || m.Seq != uint64(i+1) || m.Header["k"] != "v" || m.Channel != "/orders/eu" {
			t.Fatalf("message %d: %+v", i, m)
		}
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Next(ctx); !errors.Is(err, ErrSubscriptionClosed) {
		t.Fatalf("Next after Unsubscribe: %v", err)
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Fatalf("second Unsubscribe: %v", err)
	}
}

func TestValidation(t *testing.T) {
	b := startBroker(t)
	c := connect(t, b.URL())
	ctx := ctxT(t, 5*time.Second)
	for _, ch := range []string{"", "orders", "/a//b", "/a/", "/a/*", "/a b"} {
		if err := c.Publish(ctx, ch, nil); !errors.Is(err, ErrInvalidChannel) {
			t.Errorf("Publish(%q): %v", ch, err)
		}
	}
	if err := c.Publish(ctx, "/a", nil, WithReplyTo("nope")); !errors.Is(err, ErrInvalidChannel) {
		t.Errorf("bad reply-to: %v", err)
	}
	for _, p := range []string{"", "orders", "/a/>/b", "/a*", "/a//b"} {
		if _, err := c.SubscribePull(p); !errors.Is(err, ErrInvalidPattern) {
			t.Errorf("Subscribe(%q): %v", p, err)
		}
	}
	if _, err := c.SubscribePull("/q", WithQueueGroup("has space")); !errors.Is(err, ErrInvalidQueueGroup) {
		t.Errorf("bad group: %v", err)
	}
	if _, err := c.SubscribePull("/plain", WithPrefetch(2)); !errors.Is(err, ErrNotQueue) {
		t.Errorf("prefetch without rotation: %v", err)
	}
	if _, err := c.NewWorker("/plain", func(*Msg) {}); !errors.Is(err, ErrNotQueue) {
		t.Errorf("worker without rotation: %v", err)
	}
	big := make([]byte, c.ServerInfo().MaxPayload+1)
	if err := c.Publish(ctx, "/a", big); !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("big payload: %v", err)
	}
}
