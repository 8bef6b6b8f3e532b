package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/heraldmq/herald/examples/internal/lines"
	"github.com/heraldmq/herald/examples/internal/testbroker"
)

type member struct {
	in   *io.PipeWriter
	out  *lines.Writer
	done chan error
}

func join(t *testing.T, ctx context.Context, url, name string) *member {
	r, w := io.Pipe()
	m := &member{in: w, out: lines.New(), done: make(chan error, 1)}
	go func() { m.done <- run(ctx, url, name, "/chat/test", r, m.out) }()
	m.out.Wait(t, "^joined /chat/test as "+name)
	return m
}

func (m *member) say(t *testing.T, line string) {
	if _, err := io.WriteString(m.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

func TestChatFanOut(t *testing.T) {
	url := testbroker.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	alice := join(t, ctx, url, "alice")
	bob := join(t, ctx, url, "bob")
	carol := join(t, ctx, url, "carol")

	bob.say(t, "hi all")
	alice.out.Wait(t, "^bob: hi all$")
	carol.out.Wait(t, "^bob: hi all$")
	alice.say(t, "hi bob")
	bob.out.Wait(t, "^alice: hi bob$")
	carol.out.Wait(t, "^alice: hi bob$")

	for _, m := range []*member{alice, bob, carol} {
		m.in.Close()
		if err := <-m.done; err != nil {
			t.Fatal(err)
		}
	}
	if strings.Contains(bob.out.String(), "bob: hi all") {
		t.Fatalf("bob's own line was echoed:\n%s", bob.out.String())
	}
	bob.out.Wait(t, "^left /chat/test$")
}
