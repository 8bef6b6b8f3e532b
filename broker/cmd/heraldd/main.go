// Command heraldd is Herald's reference broker.
//
// Usage:
//
//	heraldd [flags]
//
// With no flags it listens on 127.0.0.1:7420 with the defaults of
// broker.DefaultConfig. SIGINT or SIGTERM shuts it down gracefully: it stops
// reading publishes, delivers what is already queued within --drain-timeout,
// and answers connections arriving meanwhile with ERR shutting_down.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/heraldmq/herald/broker"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "heraldd:", err)
		os.Exit(2)
	}
}

// options are the command line's settings: the broker's Config plus what
// only the command needs.
type options struct {
	cfg      broker.Config
	logLevel string
	overflow string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{cfg: broker.DefaultConfig()}
	fs := flag.NewFlagSet("heraldd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &o.cfg
	fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on for Herald clients")
	fs.StringVar(&c.ClassicAddr, "classic-addr", c.ClassicAddr, "address to listen on for classic-protocol clients, e.g. 127.0.0.1:25000 (off unless given)")
	fs.IntVar(&c.MaxPayload, "max-payload", c.MaxPayload, "largest PUB payload accepted, in bytes")
	fs.IntVar(&c.MaxPendingBytes, "max-pending-bytes", c.MaxPendingBytes, "outbound buffer per connection, in bytes")
	fs.StringVar(&o.overflow, "overflow", string(c.Overflow), "what a full outbound buffer does: drop (drop newest, NOTICE the subscriber) or disconnect (ERR slow_consumer, close)")
	fs.DurationVar(&c.PingInterval, "ping-interval", c.PingInterval, "silence after which the server PINGs a client")
	fs.IntVar(&c.MaxPingsOut, "max-pings-out", c.MaxPingsOut, "unanswered PINGs before a client is closed as stale")
	fs.DurationVar(&c.DrainTimeout, "drain-timeout", c.DrainTimeout, "how long shutdown keeps delivering queued messages")
	fs.IntVar(&c.MaxSubscriptions, "max-subscriptions", c.MaxSubscriptions, "subscriptions per connection (0: unlimited)")
	fs.IntVar(&c.MaxConnections, "max-connections", c.MaxConnections, "connections served at once (0: unlimited)")
	fs.StringVar(&c.ServerName, "name", c.ServerName, "server name announced to clients")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: heraldd [flags]\n\nHerald's reference broker. Example:\n\n  heraldd --addr 127.0.0.1:7420 --max-pending-bytes 16777216 --overflow disconnect\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (heraldd takes only flags; see --help)", fs.Arg(0))
	}
	c.Overflow = broker.Overflow(o.overflow)
	return o, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// run serves until ctx ends (SIGINT or SIGTERM in main), then shuts down
// gracefully.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	level, err := parseLevel(o.logLevel)
	if err != nil {
		return err
	}
	o.cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	srv, err := broker.New(o.cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.cfg.Addr, err)
	}
	errc := make(chan error, 2)
	if o.cfg.ClassicAddr != "" {
		cln, err := net.Listen("tcp", o.cfg.ClassicAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s: %w", o.cfg.ClassicAddr, err)
		}
		go func() { errc <- srv.ServeClassic(cln) }()
	}
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// The drain itself is bounded by --drain-timeout; the extra bounds the
	// final writes to peers that do not read.
	sctx, cancel := context.WithTimeout(context.Background(), o.cfg.DrainTimeout+15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, broker.ErrServerClosed) {
		return err
	}
	return nil
}
