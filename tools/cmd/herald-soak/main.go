// Command herald-soak runs Herald's soak and chaos test against the heraldd
// binary and writes the results as Markdown.
//
// Usage:
//
//	herald-soak [flags]
//
// It starts heraldd as a separate process for each phase, on free loopback
// ports with --monitor-addr: two chaos phases (--overflow drop, then
// disconnect) churn up to 2,000 client connections (well-behaved
// publishers and subscribers whose every seq is checked, abrupt resets,
// half-open sockets, garbage mid-stream, stalled readers); a memory phase
// holds 1,000 subscribers that never read against --max-pending-total and
// watches the broker's VmRSS. It exits 1 if any check fails. `make soak`
// runs it with its defaults (about five minutes):
//
//	herald-soak --heraldd bin/heraldd --out tools/soak/RESULTS.md
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/heraldmq/herald/tools/internal/soak"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "herald-soak:", err)
	}
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("herald-soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	heraldd := fs.String("heraldd", "bin/heraldd", "the heraldd binary to soak (make build writes bin/heraldd)")
	out := fs.String("out", "", "write the results as Markdown to this file (e.g. tools/soak/RESULTS.md); stdout if empty")
	dir := fs.String("logs", "", "directory for the brokers' logs (default: a new temporary directory, kept)")
	drop := fs.Duration("drop", 100*time.Second, "churn time of the chaos phase under --overflow drop (0 skips it)")
	disc := fs.Duration("disconnect", 60*time.Second, "churn time of the chaos phase under --overflow disconnect (0 skips it)")
	conns := fs.Int("conns", 2000, "most client connections open at once in a chaos phase")
	rate := fs.Int("rate", 400, "scenarios started per second in a chaos phase")
	memSubs := fs.Int("mem-subs", 1000, "subscribers that never read in the memory phase (0 skips it)")
	memTotal := fs.Int("mem-total", 128<<20, "--max-pending-total of the memory phase, in bytes")
	memFor := fs.Duration("mem-duration", 20*time.Second, "how long the memory phase publishes")
	headroom := fs.Int64("headroom", 64<<20, "runtime headroom the memory check allows above --max-pending-total plus the broker's footprint with its connections open, in bytes; also the GOMEMLIMIT run's margin")
	limitRun := fs.Bool("gomemlimit-run", true, "run the memory phase a second time with heraldd's GOMEMLIMIT at --mem-total + --headroom")
	command := "herald-soak " + strings.Join(args, " ")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0, nil
		}
		return 2, err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "herald-soak-")
		if err != nil {
			return 2, err
		}
		*dir = d
	}
	cfg := soak.DefaultConfig(*heraldd, *dir)
	cfg.Log = stderr
	cfg.Chaos = nil
	for _, p := range []struct {
		policy string
		d      time.Duration
	}{{"drop", *drop}, {"disconnect", *disc}} {
		if p.d > 0 {
			c := soak.DefaultChaos(p.policy, p.d)
			c.MaxConns, c.Rate = *conns, *rate
			cfg.Chaos = append(cfg.Chaos, c)
		}
	}
	cfg.Memory.Subs, cfg.Memory.Total, cfg.Memory.Duration = *memSubs, *memTotal, *memFor
	cfg.Headroom, cfg.MemoryLimitRun = *headroom, *limitRun
	fmt.Fprintf(stderr, "herald-soak: logs in %s\n", *dir)
	res, err := soak.Run(ctx, cfg)
	if err != nil {
		return 1, err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return 2, err
		}
		defer f.Close()
		w = f
	}
	if err := soak.WriteMarkdown(w, res, command); err != nil {
		return 2, err
	}
	if !res.Pass() {
		fmt.Fprintln(stderr, "herald-soak: FAIL (see the results)")
		return 1, nil
	}
	fmt.Fprintln(stderr, "herald-soak: PASS")
	return 0, nil
}
