package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/heraldmq/herald/examples/internal/lines"
	"github.com/heraldmq/herald/examples/internal/testbroker"
)

func TestSlowSubscriber(t *testing.T) {
	url := testbroker.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := lines.New()
	cfg := config{url: url, fast: 10, msgs: 5000, size: 256, pending: 500}
	if err := run(ctx, cfg, out); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	got := out.Lines()
	if len(got) != 13 {
		t.Fatalf("got %d lines", len(got))
	}
	if !regexp.MustCompile(`^published 5000 messages of 256 bytes in \S+$`).MatchString(got[0]) {
		t.Fatalf("line 0: %q", got[0])
	}
	for i := range 10 {
		re := fmt.Sprintf(`^fast %d: 5000/5000 messages, \d+ msg/s$`, i+1)
		if !regexp.MustCompile(re).MatchString(got[1+i]) {
			t.Fatalf("line %d: %q", 1+i, got[1+i])
		}
	}
	m := regexp.MustCompile(`^stalled: (\d+)/5000 messages, (\d+) dropped \(client (\d+), broker (\d+), gaps 0\)$`).FindStringSubmatch(got[11])
	if m == nil {
		t.Fatalf("line 11: %q", got[11])
	}
	handled, _ := strconv.Atoi(m[1])
	dropped, _ := strconv.Atoi(m[2])
	client, _ := strconv.Atoi(m[3])
	broker, _ := strconv.Atoi(m[4])
	if handled+dropped != 5000 || client+broker != dropped || dropped == 0 || handled < 500 {
		t.Fatalf("stalled subscriber: %d handled, %d dropped (%d client, %d broker)", handled, dropped, client, broker)
	}
	if !regexp.MustCompile(`^first loss report: herald: /slowsub/ticks: \d+ messages? dropped by the`).MatchString(got[12]) {
		t.Fatalf("line 12: %q", got[12])
	}
}
