package main

import (
	"context"
	"testing"
	"time"

	"github.com/heraldmq/herald/examples/internal/lines"
	"github.com/heraldmq/herald/examples/internal/testbroker"
)

func TestRequestReply(t *testing.T) {
	url := testbroker.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out := lines.New()
	if err := run(ctx, url, out); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"service: answering on /svc/upper and /svc/slow",
		`client: "hello" -> "HELLO"`,
		`client: "herald" -> "HERALD"`,
		"client: /svc/nobody -> herald: no responders on /svc/nobody",
		"client: /svc/slow with a 100ms deadline -> herald: timeout: no reply on /svc/slow: context deadline exceeded",
	}
	got := out.Lines()
	if len(got) != len(want) {
		t.Fatalf("got:\n%s", out.String())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d: %q, want %q", i, got[i], want[i])
		}
	}
}
