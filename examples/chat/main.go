// Command chat is a terminal chat room: every line typed is published to the
// room's channel and shown in every other terminal (fan-out).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"sync"

	herald "github.com/heraldmq/herald/sdk/go"
)

func main() {
	url := flag.String("url", herald.DefaultURL, "broker URL(s), comma-separated")
	name := flag.String("name", os.Getenv("USER"), "your name in the room")
	room := flag.String("room", "/chat/lobby", "the room's channel")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *url, *name, *room, os.Stdin, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run joins room as name, publishes each line read from in, and prints what
// the others say to out, until in ends or ctx is cancelled.
func run(ctx context.Context, url, name, room string, in io.Reader, out io.Writer) error {
	var mu sync.Mutex // the handler and this goroutine both print
	say := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", a...)
	}
	nc, err := herald.Connect(ctx, url, herald.WithName("chat-"+name), herald.WithNoEcho(),
		herald.WithDisconnectHandler(func(_ *herald.Conn, err error) { say("* disconnected (%v), reconnecting", err) }),
		herald.WithReconnectHandler(func(*herald.Conn) { say("* reconnected") }),
		herald.WithErrorHandler(func(_ *herald.Conn, _ *herald.Subscription, err error) { say("* %v", err) }))
	if err != nil {
		return err
	}
	defer nc.Close()
	if _, err := nc.Subscribe(room, func(m *herald.Msg) {
		say("%s: %s", m.Header["from"], m.Data)
	}); err != nil {
		return err
	}
	if err := nc.Flush(ctx); err != nil {
		return err
	}
	say("joined %s as %s (type a line to send it, Ctrl-D to leave)", room, name)

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				say("left %s", room)
				return nc.Drain(ctx)
			}
			if err := nc.Publish(ctx, room, []byte(line), herald.WithHeaders(map[string]string{"from": name})); err != nil {
				say("* not sent: %v", err)
			}
		case <-ctx.Done():
			return nil
		}
	}
}
