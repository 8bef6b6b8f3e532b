package main

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/heraldmq/herald/examples/internal/lines"
)

func TestEmbedded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out := lines.New()
	if err := run(ctx, "127.0.0.1:0", out); err != nil {
		t.Fatal(err)
	}
	got := out.Lines()
	if len(got) != 3 ||
		!regexp.MustCompile(`^broker listening on 127\.0\.0\.1:\d+$`).MatchString(got[0]) ||
		got[1] != "received /embedded/greeting #1: hello from the same binary" ||
		got[2] != "broker stopped" {
		t.Fatalf("output:\n%s", out.String())
	}
}
