// Command reqreply runs a small service and a client of it: requests that
// are answered, one that nobody serves (no responders), and one that times
// out.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"time"

	herald "github.com/heraldmq/herald/sdk/go"
)

func main() {
	url := flag.String("url", herald.DefaultURL, "broker URL(s), comma-separated")
	role := flag.String("role", "both", "service, client, or both")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch *role {
	case "service":
		err = serve(ctx, *url, os.Stdout, nil)
	case "client":
		err = client(ctx, *url, os.Stdout)
	case "both":
		err = run(ctx, *url, os.Stdout)
	default:
		err = fmt.Errorf("unknown role %q", *role)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// run starts the service, runs the client against it, then stops both.
func run(ctx context.Context, url string, out io.Writer) error {
	svcCtx, stop := context.WithCancel(ctx)
	defer stop()
	ready := make(chan struct{})
	served := make(chan error, 1)
	go func() { served <- serve(svcCtx, url, out, ready) }()
	select {
	case <-ready:
	case err := <-served:
		return err
	}
	err := client(ctx, url, out)
	stop()
	if serr := <-served; err == nil {
		err = serr
	}
	return err
}

// serve answers /svc/upper with the request upper-cased, and /svc/slow after
// a second, until ctx ends; then it drains. ready, when not nil, is closed
// once the service is subscribed.
func serve(ctx context.Context, url string, out io.Writer, ready chan<- struct{}) error {
	nc, err := herald.Connect(ctx, url, herald.WithName("upper-service"))
	if err != nil {
		return err
	}
	if _, err := nc.Subscribe("/svc/upper", func(m *herald.Msg) {
		m.Respond(bytes.ToUpper(m.Data))
	}); err != nil {
		return err
	}
	if _, err := nc.Subscribe("/svc/slow", func(m *herald.Msg) {
		select {
		case <-time.After(time.Second): // a slow answer
			m.Respond([]byte("too late"))
		case <-ctx.Done():
		}
	}); err != nil {
		return err
	}
	if err := nc.Flush(ctx); err != nil {
		return err
	}
	fmt.Fprintln(out, "service: answering on /svc/upper and /svc/slow")
	if ready != nil {
		close(ready)
	}
	<-ctx.Done()
	dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return nc.Drain(dctx)
}

// client sends the requests and prints each outcome.
func client(ctx context.Context, url string, out io.Writer) error {
	nc, err := herald.Connect(ctx, url, herald.WithName("upper-client"))
	if err != nil {
		return err
	}
	defer nc.Close()
	for _, word := range []string{"hello", "herald"} {
		reply, err := nc.Request(ctx, "/svc/upper", []byte(word))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "client: %q -> %q\n", word, reply.Data)
	}
	_, err = nc.Request(ctx, "/svc/nobody", []byte("anyone?"))
	fmt.Fprintf(out, "client: /svc/nobody -> %v\n", err)
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = nc.Request(tctx, "/svc/slow", []byte("quick?"))
	fmt.Fprintf(out, "client: /svc/slow with a 100ms deadline -> %v\n", strings.TrimSpace(fmt.Sprint(err)))
	return nil
}
