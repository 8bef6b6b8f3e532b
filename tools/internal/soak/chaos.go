package soak

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// ChaosConfig sets one chaos phase: a fresh heraldd, clients churning
// against it for Duration, then the checks.
type ChaosConfig struct {
	// Policy is the broker's --overflow: "drop" or "disconnect".
	Policy string
	// Duration is how long new scenarios start. Scenarios then finish,
	// each bounded by its own deadlines (at most a minute).
	Duration time.Duration
	// MaxConns bounds the client connections open at once.
	MaxConns int
	// Rate is how many scenarios start per second, at most.
	Rate int
	// FireRate and FireSubs set the firehose: messages a second to
	// /soak/fire and long-lived checked readers of it.
	FireRate, FireSubs int
	// MaxMessages and MaxPayload bound what one cell publishes.
	MaxMessages, MaxPayload int
	// BrokerMaxPayload, PendingBytes, PendingTotal, PingInterval and
	// MaxPingsOut are the broker's flags --max-payload, --max-pending-bytes,
	// --max-pending-total, --ping-interval and --max-pings-out.
	BrokerMaxPayload           int
	PendingBytes, PendingTotal int
	PingInterval               time.Duration
	MaxPingsOut                int
	// Slack is the scheduling allowance on timing checks.
	Slack time.Duration
}

// DefaultChaos is the phase `make soak` runs, for policy.
func DefaultChaos(policy string, d time.Duration) ChaosConfig {
	return ChaosConfig{
		Policy: policy, Duration: d, MaxConns: 2000, Rate: 400,
		FireRate: 2000, FireSubs: 4, MaxMessages: 600, MaxPayload: 1024,
		BrokerMaxPayload: 64 << 10, PendingBytes: 256 << 10, PendingTotal: 64 << 20,
		PingInterval: 3 * time.Second, MaxPingsOut: 2, Slack: 3 * time.Second,
	}
}

// scenario kinds, their weights, and how many connections each holds.
var kinds = []struct {
	name   string
	weight int
	conns  int
	run    func(*env, context.Context) error
}{
	{"cell (2 subscribers, 1 publisher)", 20, 3, (*env).cell},
	{"abrupt close (reset)", 15, 1, (*env).abrupt},
	{"half-open: no HELLO", 15, 1, (*env).mute},
	{"half-open: HELLO then silent", 15, 1, (*env).silent},
	{"garbage mid-stream", 10, 1, (*env).garbage},
	{"stalled reader", 25, 1, (*env).stalled},
}

func pickKind() int {
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	r := rand.IntN(total)
	for i, k := range kinds {
		if r < k.weight {
			return i
		}
		r -= k.weight
	}
	return 0
}

// ChaosResult is what a chaos phase measured and checked.
type ChaosResult struct {
	Config        ChaosConfig
	Args          []string
	Started       int // scenarios started
	Throttled     int // starts skipped because MaxConns connections were open
	PeakClient    int // most client connections open at once (this side)
	PeakBroker    float64
	PeakRSS       int64
	PeakHeld      float64
	HeldPending   float64 // herald_pending_bytes (MSG bytes) when held bytes peaked
	HeldConns     float64 // connections when held bytes peaked
	PeakGoroutine float64
	Baseline      baseline
	After         baseline
	Accepted      float64 // herald_connections_accepted_total at the end
	Metrics       map[string]float64
	Summary       []string
	Samples       map[string][]string
	Outcomes      map[string]int
	Account       account
	Fire          account // the firehose's long-lived readers, which keep up
	DialErrs      int
	DialErr       string
	StopTook      time.Duration
	Checks        []Check
	Elapsed       time.Duration
}

// baseline is the broker's idle state.
type baseline struct {
	Goroutines float64
	FDs        int
	RSS        int64
}

// Check is one pass/fail line of the results.
type Check struct {
	Name   string
	Pass   bool
	Detail string
}

func (r *ChaosResult) check(name string, pass bool, detail string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, Pass: pass, Detail: fmt.Sprintf(detail, args...)})
}

// RunChaos runs one chaos phase against a fresh heraldd started from bin,
// writing its log into dir.
func RunChaos(ctx context.Context, bin, dir string, cfg ChaosConfig) (*ChaosResult, error) {
	start := time.Now()
	res := &ChaosResult{Config: cfg}
	b, err := startBroker(bin, filepath.Join(dir, "heraldd-"+cfg.Policy+".log"),
		"--overflow", cfg.Policy,
		"--max-payload", strconv.Itoa(cfg.BrokerMaxPayload),
		"--max-pending-bytes", strconv.Itoa(cfg.PendingBytes),
		"--max-pending-total", strconv.Itoa(cfg.PendingTotal),
		"--ping-interval", cfg.PingInterval.String(),
		"--max-pings-out", strconv.Itoa(cfg.MaxPingsOut),
		"--drain-timeout", "5s")
	if err != nil {
		return nil, err
	}
	defer func() {
		if b.alive() {
			b.kill()
		}
	}()
	res.Args = b.args
	e := &env{addr: b.addr, disconnect: cfg.Policy == "disconnect", hello: 10 * time.Second,
		ping: cfg.PingInterval, pings: cfg.MaxPingsOut, slack: cfg.Slack,
		maxMessages: cfg.MaxMessages, maxPayload: cfg.MaxPayload, t: newTally(),
		stallMin: time.Second, stallMax: 15 * time.Second}

	// Warm up (one client of each everyday kind), then take the baseline.
	if err := e.cell(ctx); err != nil {
		return nil, fmt.Errorf("warm-up cell: %w", err)
	}
	e.t = newTally()
	if res.Baseline, err = settle(ctx, b, nil); err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}

	phaseEnd := time.Now().Add(cfg.Duration)
	fire, err := e.startFirehose(ctx, cfg.FireSubs, cfg.FireRate, 256, phaseEnd.Add(90*time.Second))
	if err != nil {
		return nil, fmt.Errorf("firehose: %w", err)
	}

	var peaks sampler
	mctx, stopMon := context.WithCancel(ctx)
	monDone := make(chan struct{})
	go func() {
		defer close(monDone)
		watch(mctx, b, &peaks, time.Second)
	}()

	var open, peakOpen int
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(cfg.Rate))
	for time.Now().Before(phaseEnd) && ctx.Err() == nil {
		<-tick.C
		k := kinds[pickKind()]
		mu.Lock()
		if open+k.conns > cfg.MaxConns {
			mu.Unlock()
			res.Throttled++
			continue
		}
		open += k.conns
		peakOpen = max(peakOpen, open)
		mu.Unlock()
		res.Started++
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.t.run(k.name, k.run(e, ctx))
			mu.Lock()
			open -= k.conns
			mu.Unlock()
		}()
	}
	tick.Stop()
	wg.Wait()
	facct, ferr := fire.finish()
	e.t.account(facct)
	res.Fire = facct
	e.t.run("firehose (long-lived checked readers)", ferr)
	stopMon()
	<-monDone
	res.PeakClient = peakOpen
	res.PeakBroker = peaks.get("herald_connections")
	res.PeakHeld = peaks.get("herald_held_bytes")
	res.HeldPending = peaks.get("pending at held peak")
	res.HeldConns = peaks.get("connections at held peak")
	res.PeakGoroutine = peaks.get("herald_go_goroutines")
	res.PeakRSS = int64(peaks.get("rss"))

	after, serr := settle(ctx, b, &res.Baseline)
	res.After = after
	res.Metrics, _ = b.metrics(ctx)
	res.Accepted = res.Metrics["herald_connections_accepted_total"]

	if serr != nil {
		// Keep the evidence: every goroutine's stack, in the log.
		b.dump()
		res.check("heraldd exits 0 on SIGTERM", false, "not tried: the broker did not settle, so it was sent SIGQUIT for a goroutine dump (in %s)", b.logPath)
	} else {
		res.StopTook, err = b.stop(30 * time.Second)
		res.check("heraldd exits 0 on SIGTERM", err == nil, "took %v; %v", res.StopTook.Round(time.Millisecond), errText(err))
	}
	line, perr := b.panics()
	if serr != nil {
		line = "" // the dump is ours
	}
	res.check("no panic, fatal error or race report in heraldd's stderr", line == "" && perr == nil, "%s%v", line, errText(perr))
	res.check("goroutines back to baseline", serr == nil && after.Goroutines <= res.Baseline.Goroutines,
		"herald_go_goroutines %v after, %v at baseline, %v at peak", after.Goroutines, res.Baseline.Goroutines, res.PeakGoroutine)
	res.check("open file descriptors back to baseline", serr == nil && after.FDs <= res.Baseline.FDs,
		"%d after, %d at baseline (/proc/PID/fd)", after.FDs, res.Baseline.FDs)
	t := e.t
	t.mu.Lock()
	res.Summary = nil
	res.Samples = t.samples
	res.Outcomes = t.outcomes
	res.Account = t.acct
	res.DialErrs, res.DialErr = t.dialErrs, t.dialErr
	t.mu.Unlock()
	res.Summary = t.summary()
	a := res.Account
	res.check("every well-behaved subscriber got every message or was told what it lost",
		a.ok() && a.Subscribers > 0,
		"%d subscribers, %d subscriptions: %d messages expected, %d delivered, %d NOTICEd lost in %d NOTICEs, %d told lost by ERR slow_consumer (%d subscribers), %d unaccounted, %d broken streams",
		a.Subscribers, a.Streams, a.Expected, a.Delivered, a.Noticed, a.Notices, a.ToldByErr, a.ErrDisconnect, a.Unaccounted, a.Failures)
	f := res.Fire
	res.check("the firehose readers, which keep up, are not starved by the stalled ones (at least half delivered)",
		f.Expected > 0 && 2*f.Delivered >= f.Expected,
		"%d of %d messages delivered (%.1f%%), %d NOTICEd lost, %d told lost by ERR",
		f.Delivered, f.Expected, 100*float64(f.Delivered)/float64(max(f.Expected, 1)), f.Noticed, f.ToldByErr)
	res.check("herald_held_bytes stays within --max-pending-total (+1/32: block granularity)",
		res.PeakHeld <= float64(cfg.PendingTotal+cfg.PendingTotal/32),
		"peak %s of %s (%+.1f%%), sampled each second", mib(int64(res.PeakHeld)), mib(int64(cfg.PendingTotal)),
		100*(res.PeakHeld-float64(cfg.PendingTotal))/float64(cfg.PendingTotal))
	res.check("every scenario behaved as the spec says", t.failures() == 0, "%d failed runs", t.failures())
	res.check("every connection was made", res.DialErrs == 0, "%d failed dials %s", res.DialErrs, res.DialErr)
	res.Elapsed = time.Since(start)
	return res, nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// watch samples the broker's connections, goroutines, held bytes and RSS
// until ctx ends.
func watch(ctx context.Context, b *heraldd, peaks *sampler, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if m, err := b.metrics(ctx); err == nil {
			if m["herald_held_bytes"] > peaks.get("herald_held_bytes") {
				// What the held memory was made of at its peak.
				peaks.set("pending at held peak", m["herald_pending_bytes"])
				peaks.set("connections at held peak", m["herald_connections"])
			}
			for _, k := range []string{"herald_connections", "herald_go_goroutines", "herald_held_bytes", "herald_pending_bytes"} {
				peaks.observe(k, m[k])
			}
		}
		if r, err := b.rss(); err == nil {
			peaks.observe("rss", float64(r))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// settle waits until the broker has no connection and, when base is given,
// until its goroutines and descriptors are back to base (at most 30s), and
// returns what it saw.
func settle(ctx context.Context, b *heraldd, base *baseline) (baseline, error) {
	var last baseline
	var lastErr error
	_, ok := waitUntil(30*time.Second, 200*time.Millisecond, func() (struct{}, bool) {
		m, err := b.metrics(ctx)
		if err != nil {
			lastErr = err
			return struct{}{}, false
		}
		fds, err := b.openFDs()
		if err != nil {
			lastErr = err
			return struct{}{}, false
		}
		rss, _ := b.rss()
		last = baseline{Goroutines: m["herald_go_goroutines"], FDs: fds, RSS: rss}
		lastErr = nil
		if m["herald_connections"] != 0 {
			return struct{}{}, false
		}
		return struct{}{}, base == nil || (last.Goroutines <= base.Goroutines && last.FDs <= base.FDs)
	})
	if lastErr != nil {
		return last, lastErr
	}
	if !ok {
		return last, fmt.Errorf("not settled within 30s: %+v", last)
	}
	if base == nil {
		// The baseline is the least of a few samples: a goroutine of the
		// previous scrape may still be on its way out.
		for range 5 {
			time.Sleep(200 * time.Millisecond)
			m, err := b.metrics(ctx)
			fds, ferr := b.openFDs()
			if err != nil || ferr != nil {
				continue
			}
			last.Goroutines = min(last.Goroutines, m["herald_go_goroutines"])
			last.FDs = min(last.FDs, fds)
		}
	}
	return last, nil
}
