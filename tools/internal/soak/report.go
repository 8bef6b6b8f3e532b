package soak

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// WriteMarkdown writes the results file: how it was made, the machine, the
// figures, and every check with PASS or FAIL.
func WriteMarkdown(w io.Writer, r *Results, command string) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format+"\n", args...) }
	verdict := "PASS"
	if !r.Pass() {
		verdict = "FAIL"
	}
	p("# Herald soak and chaos results")
	p("")
	p("Written by `make soak` (tools/cmd/herald-soak); do not edit by hand. Verdict: **%s**.", verdict)
	p("")
	p("```sh")
	p("make soak          # = make build, then:")
	p("%s", command)
	p("```")
	p("")
	p("Run %s, %v in all. Every heraldd is a separate process started from `%s`; figures about it come from", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Elapsed.Round(time.Second), r.Cfg.Heraldd)
	p("its `/metrics` (`--monitor-addr`) and from `/proc/PID` (VmRSS, open descriptors); nothing was added to the broker.")
	p("")
	p("## Machine")
	p("")
	for _, f := range machineFacts(r.NoFile) {
		p("- %s", f)
	}
	p("")
	p("## Checks")
	p("")
	p("| check | result | detail |")
	p("|---|---|---|")
	for _, c := range r.Checks() {
		p("| %s | %s | %s |", cell(c.Name), passText(c.Pass), cell(c.Detail))
	}
	for _, c := range r.Chaos {
		writeChaos(p, c)
	}
	for _, m := range []*MemoryResult{r.Memory, r.MemoryGC} {
		if m != nil {
			writeMemory(p, m)
		}
	}
	return bw.Flush()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func writeChaos(p func(string, ...any), c *ChaosResult) {
	cfg := c.Config
	p("")
	p("## Chaos, `--overflow %s`", cfg.Policy)
	p("")
	p("`heraldd %s`", strings.Join(c.Args, " "))
	p("")
	p("Scenarios started for %v at up to %d a second, with at most %d client connections open at once;", cfg.Duration, cfg.Rate, cfg.MaxConns)
	p("a firehose of %d messages a second to `/soak/fire` ran throughout, read by %d long-lived checked subscribers.", cfg.FireRate, cfg.FireSubs)
	p("The phase took %v, shutdown included.", c.Elapsed.Round(time.Second))
	p("")
	p("| figure | value |")
	p("|---|---|")
	p("| scenarios started | %d (%d starts skipped at the connection cap) |", c.Started, c.Throttled)
	p("| connections accepted by the broker | %.0f |", c.Accepted)
	p("| most client connections open at once (this side) | %d |", c.PeakClient)
	p("| most connections the broker reported (sampled each second) | %.0f |", c.PeakBroker)
	p("| broker goroutines: baseline / peak / after | %.0f / %.0f / %.0f |", c.Baseline.Goroutines, c.PeakGoroutine, c.After.Goroutines)
	p("| broker open descriptors: baseline / after | %d / %d |", c.Baseline.FDs, c.After.FDs)
	p("| broker VmRSS: baseline / peak / after | %s / %s / %s |", mib(c.Baseline.RSS), mib(c.PeakRSS), mib(c.After.RSS))
	p("| peak herald_held_bytes (bound %s) | %s, while MSG frames pending (herald_pending_bytes) were %s, over %.0f connections |",
		mib(int64(cfg.PendingTotal)), mib(int64(c.PeakHeld)), mib(int64(c.HeldPending)), c.HeldConns)
	m := c.Metrics
	p("| messages in / MSG frames out | %.0f / %.0f |", m["herald_messages_in_total"], m["herald_messages_out_total"])
	for _, reason := range []string{"slow_consumer", "queue_full", "pending_total", "lost_on_leave"} {
		p("| messages dropped, %s | %.0f |", reason, m[`herald_dropped_messages_total{reason="`+reason+`"}`])
	}
	p("| slow consumers / times shed for the total | %.0f / %.0f |", m["herald_slow_consumers_total"], m["herald_shed_total"])
	p("| SIGTERM to exit | %v |", c.StopTook.Round(time.Millisecond))
	a := c.Account
	p("")
	p("Well-behaved subscribers (cells and firehose readers): %d connections, %d subscriptions; %d messages", a.Subscribers, a.Streams, a.Expected)
	p("routed to them: %d delivered, %d reported lost in %d NOTICEs, %d lost by %d subscribers closed with ERR", a.Delivered, a.Noticed, a.Notices, a.ToldByErr, a.ErrDisconnect)
	p("slow_consumer (they saw every seq up to the ERR), **%d unaccounted**, %d broken streams. Of these, the firehose's", a.Unaccounted, a.Failures)
	f := c.Fire
	p("%d long-lived readers, which keep up, were routed %d messages: %d delivered, %d NOTICEd lost, %d told lost by ERR.", f.Subscribers, f.Expected, f.Delivered, f.Noticed, f.ToldByErr)
	p("")
	p("| scenario | runs | failed |")
	p("|---|---|---|")
	for _, line := range c.Summary {
		// "kind: N runs, M failed"
		i := strings.LastIndex(line, ": ")
		var runs, failed int
		fmt.Sscanf(line[i+2:], "%d runs, %d failed", &runs, &failed)
		p("| %s | %d | %d |", line[:i], runs, failed)
	}
	if len(c.Samples) > 0 {
		p("")
		p("First failures:")
		p("")
		for _, k := range sortedKeys(c.Samples) {
			for _, s := range c.Samples[k] {
				p("- %s: `%s`", k, s)
			}
		}
	}
	p("")
	p("<details><summary>What the broker answered (outcomes by scenario)</summary>")
	p("")
	p("| outcome | count |")
	p("|---|---|")
	for _, k := range sortedKeys(c.Outcomes) {
		p("| %s | %d |", cell(k), c.Outcomes[k])
	}
	p("")
	p("</details>")
}

func writeMemory(p func(string, ...any), m *MemoryResult) {
	cfg := m.Config
	p("")
	p("## Memory bound: %d subscribers that never read", cfg.Subs)
	p("")
	env := ""
	if len(cfg.Env) > 0 {
		env = strings.Join(cfg.Env, " ") + " "
	}
	p("`%sheraldd %s`", env, strings.Join(m.Args, " "))
	p("")
	p("Each subscriber set SO_RCVBUF to %d bytes before connecting, subscribed to `/mem/fire`, waited for its PONG and", cfg.RcvBuf)
	p("never read again; %d more subscribers read everything, their every seq checked. One publisher then sent", cfg.Readers)
	p("%d %d-byte messages a second for %v (%d messages; %s of MSG frames offered to the stalled subscribers),", cfg.Rate, cfg.Payload, cfg.Duration, m.Published, mib(int64(m.Published)*int64(cfg.Payload+40)*int64(cfg.Subs)))
	p("and VmRSS was sampled every 20 ms until 3 s after it stopped.")
	p("")
	p("| figure | value |")
	p("|---|---|")
	p("| --max-pending-total | %s |", mib(int64(cfg.Total)))
	p("| VmRSS at start | %s |", mib(m.RSSStart))
	p("| VmRSS with %d subscribers connected, nothing queued | %s |", cfg.Subs, mib(m.RSSConnected))
	p("| **peak VmRSS** | **%s** (total + %s) |", mib(m.RSSPeak), mib(m.Overhead()))
	p("| VmRSS 3 s after publishing stopped | %s |", mib(m.RSSEnd))
	p("| peak herald_held_bytes | %s |", mib(int64(m.HeldPeak)))
	p("| peak Go heap in use / heap from the OS / all runtime memory | %s / %s / %s |", mib(int64(m.HeapPeak)), mib(int64(m.HeapSysPeak)), mib(int64(m.GoSysPeak)))
	p("| peak next GC target | %s |", mib(int64(m.NextGCPeak)))
	p("| times shed / messages dropped for the total / for full buffers | %.0f / %.0f / %.0f |", m.Shed, m.DropsShed, m.DropsSlow)
	p("| kernel TCP memory (machine-wide, /proc/net/sockstat): start / peak / end | %s / %s / %s |", mib(m.KernelTCP[0]), mib(m.KernelTCP[1]), mib(m.KernelTCP[2]))
	ra := m.Readers
	p("| readers that keep up: expected / delivered / NOTICEd lost | %d / %d / %d |", ra.Expected, ra.Delivered, ra.Noticed)
	p("| phase time | %v |", m.Elapsed.Round(time.Second))
	conns := int64(cfg.Subs + cfg.Readers)
	p("")
	p("The fixed overhead is what does not grow with the total: the process itself (%s at start) and each", mib(m.RSSStart))
	p("connection's reader, socket and state (%.1f KiB each here: %s for %d connections), bounded by `--max-connections`;",
		float64(m.RSSConnected-m.RSSStart)/float64(conns)/1024, mib(m.RSSConnected-m.RSSStart), conns)
	p("plus a runtime headroom for garbage not yet collected and idle pooled blocks. The held bytes themselves stay")
	p("within the total (peak %s). What else the Go heap held at the peak (%s in use against %s held) is garbage the",
		mib(int64(m.HeldPeak)), mib(int64(m.HeapPeak)), mib(int64(m.HeldPeak)))
	p("collector had not yet reclaimed: with the default GOGC=100 it lets the heap reach twice the live heap (next GC")
	p("target %s), so that part grows with the total unless GOMEMLIMIT caps it.", mib(int64(m.NextGCPeak)))
}

// machineFacts describes where the run happened.
func machineFacts(nofile uint64) []string {
	var out []string
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				out = append(out, "CPU: "+strings.TrimSpace(strings.SplitN(line, ":", 2)[1]))
				break
			}
		}
	}
	out = append(out, fmt.Sprintf("logical CPUs: %d; GOOS/GOARCH %s/%s; soak built with %s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version()))
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		line := strings.SplitN(string(b), "\n", 2)[0]
		out = append(out, "memory: "+strings.Join(strings.Fields(line)[1:], " "))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		out = append(out, "kernel: "+strings.TrimSpace(string(b)))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		out = append(out, "load average at the end (1, 5, 15 min): "+strings.Join(strings.Fields(string(b))[:3], ", ")+" (the machine is shared)")
	}
	if v, err := exec.Command("go", "version").Output(); err == nil {
		out = append(out, "toolchain: "+strings.TrimSpace(string(v)))
	}
	if v, err := exec.Command("git", "log", "-1", "--format=%h %s", "--", "broker", "spec").Output(); err == nil && len(v) > 0 {
		dirty := ""
		if st, err := exec.Command("git", "status", "--porcelain", "--", "broker", "spec").Output(); err == nil && len(st) > 0 {
			dirty = " (with uncommitted changes)"
		}
		out = append(out, "heraldd built from the tree at `"+strings.TrimSpace(string(v))+"`"+dirty)
	}
	out = append(out, fmt.Sprintf("RLIMIT_NOFILE: %d (raised by the soak when lower; heraldd inherits it)", nofile))
	return out
}
