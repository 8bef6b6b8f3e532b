package soak

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// MemoryConfig sets the memory-bound phase: Subs subscribers that never
// read, a publisher sending as fast as the broker takes it, and the broker's
// VmRSS watched against --max-pending-total.
type MemoryConfig struct {
	Subs         int           // subscribers that never read
	Total        int           // --max-pending-total
	PendingBytes int           // --max-pending-bytes (per connection)
	Payload      int           // bytes per message
	MaxPayload   int           // --max-payload (the broker wants --max-pending-bytes at least this + 64 KiB)
	Duration     time.Duration // how long the publisher publishes
	RcvBuf       int           // SO_RCVBUF of each subscriber
	Readers      int           // subscribers that keep up, checked seq by seq
	Rate         int           // messages a second the publisher sends
	// Env is added to heraldd's environment (e.g. GOMEMLIMIT=...); empty
	// runs it as users do.
	Env []string
}

// DefaultMemory is the phase `make soak` runs.
func DefaultMemory() MemoryConfig {
	return MemoryConfig{Subs: 1000, Total: 128 << 20, PendingBytes: 1 << 20, Payload: 1024, MaxPayload: 64 << 10,
		Duration: 20 * time.Second, RcvBuf: 4 << 10, Readers: 4, Rate: 5000}
}

// MemoryResult is what the memory phase measured.
type MemoryResult struct {
	Config       MemoryConfig
	Args         []string
	RSSStart     int64 // VmRSS before any client
	RSSConnected int64 // with every subscriber connected, nothing queued
	RSSPeak      int64
	RSSEnd       int64 // after the publisher stopped and the shedder settled
	HeldPeak     float64
	HeapPeak     float64 // herald_go_memstats_heap_inuse_bytes
	HeapSysPeak  float64
	GoSysPeak    float64 // herald_go_memstats_sys_bytes: all memory the runtime holds
	NextGCPeak   float64
	Published    uint64
	Shed         float64 // herald_shed_total
	DropsShed    float64
	DropsSlow    float64
	KernelTCP    [3]int64 // /proc/net/sockstat TCP mem in bytes: start, peak, end
	Readers      account  // the subscribers that keep up
	Checks       []Check
	Elapsed      time.Duration
}

func (r *MemoryResult) check(name string, pass bool, detail string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, Pass: pass, Detail: fmt.Sprintf(detail, args...)})
}

// Title names the phase, with its environment.
func (r *MemoryResult) Title() string {
	if len(r.Config.Env) == 0 {
		return "memory"
	}
	return "memory, " + strings.Join(r.Config.Env, " ")
}

// Overhead is the peak VmRSS above --max-pending-total.
func (r *MemoryResult) Overhead() int64 { return r.RSSPeak - int64(r.Config.Total) }

// RunMemory runs the memory-bound phase against a fresh heraldd.
func RunMemory(ctx context.Context, bin, dir string, cfg MemoryConfig, headroom int64) (*MemoryResult, error) {
	start := time.Now()
	res := &MemoryResult{Config: cfg}
	name := "heraldd-memory.log"
	if len(cfg.Env) > 0 {
		name = "heraldd-memory-env.log"
	}
	b, err := startBrokerEnv(bin, filepath.Join(dir, name), cfg.Env,
		"--max-pending-total", strconv.Itoa(cfg.Total),
		"--max-pending-bytes", strconv.Itoa(cfg.PendingBytes),
		"--max-payload", strconv.Itoa(cfg.MaxPayload),
		"--ping-interval", "10m", "--overflow", "drop")
	if err != nil {
		return nil, err
	}
	defer func() {
		if b.alive() {
			b.kill()
		}
	}()
	res.Args = b.args
	res.RSSStart, _ = b.rss()
	res.KernelTCP[0] = kernelTCP()

	e := &env{addr: b.addr, t: newTally()}
	var readers []*checked
	defer func() {
		for _, k := range readers {
			k.c.reset()
		}
	}()
	for range cfg.Readers {
		k, err := e.subscriber(ctx, time.Now().Add(10*time.Second), 0, "reader", []subSpec{{1, "/mem/fire", ""}})
		if err != nil {
			return nil, err
		}
		k.payload = func(_ uint32, seq, idx uint64) error {
			if idx != seq-1 {
				return fmt.Errorf("seq %d carries index %d", seq, idx)
			}
			return nil
		}
		k.start(time.Now().Add(cfg.Duration + 90*time.Second))
		readers = append(readers, k)
	}
	subs, err := connectStalled(ctx, b.addr, cfg.Subs, cfg.RcvBuf)
	defer func() {
		for _, c := range subs {
			c.reset()
		}
	}()
	if err != nil {
		return nil, err
	}
	if _, ok := waitUntil(30*time.Second, 100*time.Millisecond, func() (float64, bool) {
		v, err := b.metric(ctx, "herald_subscriptions")
		return v, err == nil && int(v) == cfg.Subs+cfg.Readers
	}); !ok {
		return nil, errors.New("the subscriptions did not all register")
	}
	res.RSSConnected, _ = b.rss()

	var peaks sampler
	sctx, stopSampling := context.WithCancel(ctx)
	var swg sync.WaitGroup
	swg.Add(2)
	go func() {
		defer swg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if r, err := b.rss(); err == nil {
				peaks.observe("rss", float64(r))
			}
			select {
			case <-sctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	go func() {
		defer swg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if m, err := b.metrics(sctx); err == nil {
				for _, k := range []string{"herald_held_bytes", "herald_go_memstats_heap_inuse_bytes",
					"herald_go_memstats_heap_sys_bytes", "herald_go_memstats_sys_bytes", "herald_go_memstats_next_gc_bytes"} {
					peaks.observe(k, m[k])
				}
			}
			peaks.observe("tcp", float64(kernelTCP()))
			select {
			case <-sctx.Done():
				return
			case <-t.C:
			}
		}
	}()

	res.Published, err = publishFor(ctx, b.addr, "/mem/fire", cfg.Payload, cfg.Rate, cfg.Duration)
	if err != nil {
		stopSampling()
		swg.Wait()
		return nil, fmt.Errorf("publisher: %w", err)
	}
	// Let the shedder settle, still sampling.
	time.Sleep(3 * time.Second)
	stopSampling()
	swg.Wait()
	for _, k := range readers {
		k.finish()
		res.Readers.add(k.tally(map[uint32]uint64{1: res.Published}))
	}

	m, err := b.metrics(ctx)
	if err != nil {
		return nil, err
	}
	res.RSSEnd, _ = b.rss()
	res.RSSPeak = int64(peaks.get("rss"))
	res.HeldPeak = peaks.get("herald_held_bytes")
	res.HeapPeak = peaks.get("herald_go_memstats_heap_inuse_bytes")
	res.HeapSysPeak = peaks.get("herald_go_memstats_heap_sys_bytes")
	res.GoSysPeak = peaks.get("herald_go_memstats_sys_bytes")
	res.NextGCPeak = peaks.get("herald_go_memstats_next_gc_bytes")
	res.KernelTCP[1] = int64(peaks.get("tcp"))
	res.Shed = m["herald_shed_total"]
	res.DropsShed = m[`herald_dropped_messages_total{reason="pending_total"}`]
	res.DropsSlow = m[`herald_dropped_messages_total{reason="slow_consumer"}`]

	for _, c := range subs {
		c.reset()
	}
	subs = nil
	res.KernelTCP[2] = kernelTCP()
	took, serr := b.stop(30 * time.Second)
	line, perr := b.panics()

	total := int64(cfg.Total)
	res.check("the bound was reached: messages were shed", res.Shed > 0 && res.DropsShed > 0,
		"herald_shed_total %v, %v messages dropped for --max-pending-total", res.Shed, res.DropsShed)
	// The total is checked against frame sizes while held bytes count
	// whole 64 KiB blocks, and control frames are bounded per connection
	// only: a small overshoot is by design, so 1/32 of the total is allowed.
	res.check("herald_held_bytes stays within --max-pending-total (+1/32: block granularity, control frames)",
		res.HeldPeak <= float64(total+total/32),
		"peak %s of %s (%+.1f%%)", mib(int64(res.HeldPeak)), mib(total), 100*(res.HeldPeak-float64(total))/float64(total))
	fixed := res.RSSConnected + headroom
	res.check("VmRSS stays within --max-pending-total + a fixed overhead", res.RSSPeak <= total+fixed,
		"peak %s = total %s + %s; fixed overhead allowed %s = %s (VmRSS with the %d subscribers connected, nothing queued) + %s runtime headroom",
		mib(res.RSSPeak), mib(total), mib(res.RSSPeak-total), mib(fixed), mib(res.RSSConnected), cfg.Subs+cfg.Readers, mib(headroom))
	ra := res.Readers
	res.check("subscribers that keep up got every message or were told what they lost", ra.ok() && ra.Subscribers == uint64(cfg.Readers),
		"%d readers: %d messages expected, %d delivered, %d NOTICEd lost, %d unaccounted, %d broken streams",
		ra.Subscribers, ra.Expected, ra.Delivered, ra.Noticed, ra.Unaccounted, ra.Failures)
	res.check("the stalled subscribers pay for the total, not the readers that keep up (at least half delivered)",
		ra.Expected > 0 && 2*ra.Delivered >= ra.Expected,
		"readers received %.1f%% of the messages published", 100*float64(ra.Delivered)/float64(max(ra.Expected, 1)))
	res.check("heraldd exits 0 on SIGTERM", serr == nil, "took %v; %v", took.Round(time.Millisecond), errText(serr))
	res.check("no panic, fatal error or race report in heraldd's stderr", line == "" && perr == nil, "%s%v", line, errText(perr))
	res.Elapsed = time.Since(start)
	return res, nil
}

// connectStalled connects n subscribers to /mem/fire, each with a small
// receive buffer; each waits for its PONG and then never reads again.
func connectStalled(ctx context.Context, addr string, n, rcvbuf int) ([]*client, error) {
	out := make([]*client, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := dial(ctx, addr, rcvbuf)
			if err != nil {
				errs[i] = err
				return
			}
			out[i] = c
			deadline := time.Now().Add(30 * time.Second)
			if err := c.hello(fmt.Sprintf("stalled-%d", i)); err != nil {
				errs[i] = err
				return
			}
			if err := c.sub(1, "/mem/fire", ""); err != nil {
				errs[i] = err
				return
			}
			errs[i] = c.sync(deadline)
		}()
	}
	wg.Wait()
	kept := out[:0]
	for _, c := range out {
		if c != nil {
			kept = append(kept, c)
		}
	}
	return kept, errors.Join(errs...)
}

// publishFor publishes payload-byte messages to channel at rate a second
// (in bursts every 10ms) for d, then waits for its PONG, and returns the
// count.
func publishFor(ctx context.Context, addr, channel string, size, rate int, d time.Duration) (uint64, error) {
	c, err := dial(ctx, addr, 0)
	if err != nil {
		return 0, err
	}
	defer c.close()
	if err := c.hello("mem-pub"); err != nil {
		return 0, err
	}
	var n uint64
	var buf, pl []byte
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	end := time.Now().Add(d)
	ch := []byte(channel)
	for time.Now().Before(end) {
		<-tick.C
		buf = buf[:0]
		for range max(rate/100, 1) {
			pl = payload(pl, n, size)
			buf = (&wire.Pub{Channel: ch, Payload: pl}).Append(buf)
			n++
		}
		c.nc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := c.nc.Write(buf); err != nil {
			return n, err
		}
	}
	return n, c.sync(time.Now().Add(60 * time.Second))
}

// kernelTCP returns the memory the kernel holds for TCP sockets, from
// /proc/net/sockstat ("TCP: ... mem N", in pages).
func kernelTCP() int64 {
	f, err := os.Open("/proc/net/sockstat")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) > 0 && fs[0] == "TCP:" {
			for i := 1; i+1 < len(fs); i++ {
				if fs[i] == "mem" {
					pages, _ := strconv.ParseInt(fs[i+1], 10, 64)
					return pages * int64(os.Getpagesize())
				}
			}
		}
	}
	return 0
}

// mib formats bytes in MiB.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
