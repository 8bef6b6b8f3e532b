// Command embedded runs the broker inside the same binary as its client:
// no separate heraldd process.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"time"

	"github.com/heraldmq/herald/broker"
	herald "github.com/heraldmq/herald/sdk/go"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "where the embedded broker listens (port 0: any free port)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run starts a broker on addr, talks to it through the SDK, and shuts it
// down.
func run(ctx context.Context, addr string, out io.Writer) error {
	cfg := broker.DefaultConfig()
	cfg.Addr = addr
	srv, err := broker.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(out, "broker listening on %s\n", ln.Addr())

	nc, err := herald.Connect(ctx, "herald://"+ln.Addr().String(), herald.WithName("embedded"))
	if err != nil {
		return err
	}
	sub, err := nc.SubscribePull("/embedded/>")
	if err != nil {
		return err
	}
	if err := nc.Publish(ctx, "/embedded/greeting", []byte("hello from the same binary")); err != nil {
		return err
	}
	m, err := sub.Next(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "received %s #%d: %s\n", m.Channel, m.Seq, m.Data)
	if err := nc.Drain(ctx); err != nil {
		return err
	}

	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	<-served
	fmt.Fprintln(out, "broker stopped")
	return nil
}
