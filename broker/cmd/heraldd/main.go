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
//
// Security: --auth-file requires clients to authenticate and limits what
// each user may publish and subscribe to; --tls-cert and --tls-key make
// clients connect with TLS (heralds://), and --tls-client-ca also requires a
// client certificate. SIGHUP reloads the auth file and the TLS files without
// dropping connections; a file that fails to load is logged and the previous
// settings stay.
//
// Monitoring: --monitor-addr serves /healthz, /metrics (Prometheus) and
// /connz (JSON) over HTTP; see package broker/monitor.
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
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/spec/wire"
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
	cfg         broker.Config
	logLevel    string
	overflow    string
	sec         security
	monitorAddr string
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
	fs.IntVar(&c.WriteBuffer, "write-buffer", c.WriteBuffer, "kernel send buffer (SO_SNDBUF) of each client socket, in bytes (0: the kernel's autotuned default); with many subscribers that do not read, bounds kernel memory as --max-pending-total bounds the broker's")
	fs.IntVar(&c.MaxPendingTotal, "max-pending-total", c.MaxPendingTotal, "outbound buffers of all connections together, in bytes (0: no bound); the connection holding the most pays first. Also sets the Go memory limit to this plus 64 MiB unless GOMEMLIMIT is set")
	fs.StringVar(&o.overflow, "overflow", string(c.Overflow), "what a full outbound buffer does: drop (drop newest, NOTICE the subscriber) or disconnect (ERR slow_consumer, close)")
	fs.DurationVar(&c.PingInterval, "ping-interval", c.PingInterval, "silence after which the server PINGs a client")
	fs.IntVar(&c.MaxPingsOut, "max-pings-out", c.MaxPingsOut, "unanswered PINGs before a client is closed as stale")
	fs.DurationVar(&c.DrainTimeout, "drain-timeout", c.DrainTimeout, "how long shutdown keeps delivering queued messages")
	fs.IntVar(&c.MaxSubscriptions, "max-subscriptions", c.MaxSubscriptions, "subscriptions per connection (0: unlimited)")
	fs.IntVar(&c.MaxConnections, "max-connections", c.MaxConnections, "connections served at once (0: unlimited)")
	fs.StringVar(&c.ServerName, "name", c.ServerName, "server name announced to clients")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	o.sec.bind(fs)
	fs.StringVar(&o.monitorAddr, "monitor-addr", "", "address for HTTP monitoring: /healthz, /metrics (Prometheus), /connz (JSON), e.g. 127.0.0.1:7421 (off unless given)")
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
	if c.MaxPendingBytes < c.MaxPayload+wire.FrameOverhead {
		return nil, fmt.Errorf("--max-pending-bytes %d is smaller than a largest message (--max-payload %d + %d bytes of framing): raise it or lower --max-payload",
			c.MaxPendingBytes, c.MaxPayload, wire.FrameOverhead)
	}
	return o, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// memoryHeadroom is what heraldd allows beyond --max-pending-total for
// everything else: connections, goroutines, the runtime.
const memoryHeadroom = 64 << 20

// memoryLimit returns the Go soft memory limit that keeps the process near
// --max-pending-total plus a fixed headroom, unless GOMEMLIMIT says
// otherwise. Without it the garbage collector lets the heap grow to twice
// what is live before collecting, so memory freed by shedding would be
// returned late.
func memoryLimit(total int, env string) (int64, bool) {
	if total <= 0 || env != "" {
		return 0, false
	}
	return int64(total) + memoryHeadroom, true
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
	if err := o.sec.configure(&o.cfg); err != nil {
		return err
	}
	if lim, ok := memoryLimit(o.cfg.MaxPendingTotal, os.Getenv("GOMEMLIMIT")); ok {
		debug.SetMemoryLimit(lim)
		o.cfg.Logger.Info("go memory limit set from --max-pending-total", "bytes", lim)
	}
	srv, err := broker.New(o.cfg)
	if err != nil {
		return err
	}
	mon, err := startMonitoring(o.monitorAddr, srv, o.cfg.Logger)
	if err != nil {
		return err
	}
	defer mon.stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
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
wait:
	for {
		select {
		case err := <-errc:
			return err
		case <-hup:
			o.sec.reload(srv, o.cfg.Logger)
		case <-ctx.Done():
			break wait
		}
	}
	mon.draining()
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
