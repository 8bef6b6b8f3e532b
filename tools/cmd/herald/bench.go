package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/heraldmq/herald/tools/internal/bench"
	"github.com/heraldmq/herald/tools/internal/bench/driver"
	"github.com/heraldmq/herald/tools/internal/bench/forwarder"
	"github.com/heraldmq/herald/tools/internal/bench/sdkdriver"
)

const benchExample = `herald bench fanout queue --compare nats://127.0.0.1:4222,redis://127.0.0.1:6379,mqtt://127.0.0.1:1883 --baseline`

// benchFlags are bench's own flags.
type benchFlags struct {
	cfg      bench.Config
	compare  string
	baseline bool
	sdk      bool
	json     bool
	pid      int
	progress bool
}

// runBench is `herald bench [WORKLOAD...] [flags]`.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", "[fanout|queue|latency|slowsub|conns|all ...] [flags]", benchExample, stderr)
	var cf connFlags
	cf.register(fs)
	bf := benchFlags{cfg: bench.DefaultConfig()}
	c := &bf.cfg
	fs.IntVar(&c.Subscribers, "subscribers", 0, "subscribers of fanout, slowsub (fast ones) and latency (default 10; 1 for latency)")
	fs.IntVar(&c.Workers, "workers", c.Workers, "queue workers")
	fs.IntVar(&c.Size, "size", c.Size, "payload size in bytes (at least 16)")
	fs.IntVar(&c.Count, "count", c.Count, "most messages published per run")
	fs.IntVar(&c.Rate, "rate", c.Rate, "latency's publishing rate, messages per second")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "longest publishing time of a run; length of latency runs and slowsub's paced phases")
	fs.IntVar(&c.Rounds, "rounds", c.Rounds, "rounds; figures are medians over them (conns runs one)")
	fs.IntVar(&c.Conns, "conns", c.Conns, "idle connections the conns workload opens")
	fs.IntVar(&c.Window, "window", c.Window, "bytes the publisher may run ahead of the slowest subscriber (0: unbounded)")
	fs.StringVar(&bf.compare, "compare", "", "peers to run beside Herald, comma-separated: nats://HOST:PORT,redis://HOST:PORT,mqtt://HOST:PORT")
	fs.BoolVar(&bf.baseline, "baseline", false, "also run the in-process baseline forwarder, this machine's ceiling")
	fs.BoolVar(&bf.sdk, "sdk", false, "drive each system with its Go client library instead of the minimal protocol clients")
	fs.BoolVar(&bf.json, "json", false, "print one JSON object per figure instead of the table")
	fs.IntVar(&bf.pid, "pid", 0, "the Herald broker's pid, for memory figures (default: the process listening on --url's port)")
	fs.BoolVar(&bf.progress, "progress", true, "show a progress bar when stderr is a terminal")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	workloads, err := expandWorkloads(pos)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	targets, cleanup, err := bf.targets(&cf)
	if err != nil {
		return err
	}
	defer cleanup()

	var bar *progressBar
	if bf.progress && isTerminal(stderr) {
		bar = &progressBar{w: stderr}
	}
	figs, err := bench.Run(ctx, *c, workloads, targets, bar.update)
	bar.clear()
	if err != nil && len(figs) == 0 {
		return err
	}
	if bf.json {
		if werr := bench.WriteJSON(stdout, figs); werr != nil {
			return werr
		}
	} else {
		if werr := bench.BuildTable(figs).WriteText(stdout); werr != nil {
			return werr
		}
		fmt.Fprintf(stdout, "\nMedians of %d rounds (conns: 1). herald/X is the ratio of medians: above 1 is better for msg/s and ×, below 1 for µs, KiB and MiB.\n", c.Rounds)
	}
	return err
}

// expandWorkloads turns the positional arguments into workload names
// (default fanout; "all" is every workload).
func expandWorkloads(pos []string) ([]string, error) {
	if len(pos) == 0 {
		return []string{"fanout"}, nil
	}
	var out []string
	for _, p := range pos {
		if p == "all" {
			out = append(out, bench.Workloads...)
			continue
		}
		found := false
		for _, w := range bench.Workloads {
			found = found || w == p
		}
		if !found {
			return nil, fmt.Errorf("unknown workload %q (want fanout, queue, latency, slowsub, conns or all)", p)
		}
		out = append(out, p)
	}
	return out, nil
}

// targets builds the systems to measure: Herald at --url (none when --url
// is empty), the --compare peers, then the baseline forwarder, which cleanup
// stops.
func (bf *benchFlags) targets(cf *connFlags) ([]bench.Target, func(), error) {
	var out []bench.Target
	cleanup := func() {}
	opt := driver.HeraldOptions{Token: cf.token}
	tlsCfg, err := cf.tlsConfig()
	if err != nil {
		return nil, cleanup, err
	}
	opt.TLS = tlsCfg
	if cf.url != "" {
		u := cf.url
		if tlsCfg != nil && strings.HasPrefix(u, "herald://") {
			u = "heralds://" + strings.TrimPrefix(u, "herald://")
		}
		sys, err := driver.Parse(u, opt)
		if err != nil {
			return nil, cleanup, fmt.Errorf("--url: %w", err)
		}
		if sys.Name != "herald" {
			return nil, cleanup, fmt.Errorf("--url %q is not a Herald URL; peers go in --compare", cf.url)
		}
		if bf.sdk {
			sys = sdkdriver.Herald(sys.Addr, sdkdriver.HeraldOptions{Token: opt.Token, TLS: opt.TLS})
		}
		out = append(out, bench.Target{System: sys, PID: bf.pid})
	}
	if bf.compare != "" {
		for _, raw := range strings.Split(bf.compare, ",") {
			sys, err := driver.Parse(strings.TrimSpace(raw), driver.HeraldOptions{})
			if err != nil {
				return nil, cleanup, fmt.Errorf("--compare: %w", err)
			}
			if sys.Name == "herald" || sys.Name == "baseline" {
				return nil, cleanup, fmt.Errorf("--compare takes peers (nats://, redis://, mqtt://), not %q", raw)
			}
			if bf.sdk {
				if sys, err = sdkdriver.For(sys); err != nil {
					return nil, cleanup, err
				}
			}
			out = append(out, bench.Target{System: sys})
		}
	}
	if bf.baseline {
		f, err := forwarder.Start("127.0.0.1:0")
		if err != nil {
			return nil, cleanup, fmt.Errorf("--baseline: %w", err)
		}
		cleanup = func() { _ = f.Close() }
		out = append(out, bench.Target{System: driver.Baseline(f.Addr()), PID: -1})
	}
	if len(out) == 0 {
		return nil, cleanup, errors.New("nothing to measure: --url is empty and there is no --compare or --baseline")
	}
	return out, cleanup, nil
}
