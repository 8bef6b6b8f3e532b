package soak

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// heraldd is the broker running as a separate process, with its stderr kept in
// a file (to look for panics afterwards) and scanned for the addresses it
// listens on.
type heraldd struct {
	cmd     *exec.Cmd
	args    []string
	addr    string // Herald listener
	monitor string // --monitor-addr listener
	logPath string
	exited  chan struct{}
	waitErr error
	http    *http.Client
}

// keepPerMsg is how many lines of each log message the kept log holds.
const keepPerMsg = 2000

var (
	msgRx        = regexp.MustCompile(`^time=\S+ level=\S+ msg=("[^"]*"|\S+)`)
	listeningRx  = regexp.MustCompile(`msg=listening addr=(\S+)`)
	monitoringRx = regexp.MustCompile(`msg=monitoring addr=(\S+)`)
)

// startBroker starts bin at 127.0.0.1:0 with --monitor-addr 127.0.0.1:0 and
// extra flags, and returns once both listeners are up. Its stderr goes to
// logPath.
func startBroker(bin, logPath string, extra ...string) (*heraldd, error) {
	return startBrokerEnv(bin, logPath, nil, extra...)
}

// startBrokerEnv is startBroker with env added to the process environment.
func startBrokerEnv(bin, logPath string, env []string, extra ...string) (*heraldd, error) {
	args := append([]string{"--addr", "127.0.0.1:0", "--monitor-addr", "127.0.0.1:0", "--log-level", "info"}, extra...)
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	cmd.Stdout = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	b := &heraldd{cmd: cmd, args: args, logPath: logPath, exited: make(chan struct{}),
		http: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	addrs := make(chan [2]string, 1)
	go func() {
		defer logf.Close()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var got [2]string
		sent := false
		seen := map[string]int{}
		for sc.Scan() {
			line := sc.Text()
			// Keep the log to a size one can read: the first lines of each
			// message kind, and every line that is not a log record (a panic,
			// a goroutine dump).
			if m := msgRx.FindStringSubmatch(line); m != nil {
				seen[m[1]]++
				if seen[m[1]] == keepPerMsg+1 {
					fmt.Fprintf(logf, "herald-soak: further %s lines are not kept\n", m[1])
				}
				if seen[m[1]] > keepPerMsg {
					continue
				}
			}
			fmt.Fprintln(logf, line)
			if !sent {
				if m := listeningRx.FindStringSubmatch(line); m != nil {
					got[0] = m[1]
				}
				if m := monitoringRx.FindStringSubmatch(line); m != nil {
					got[1] = m[1]
				}
				if got[0] != "" && got[1] != "" {
					addrs <- got
					sent = true
				}
			}
		}
		io.Copy(logf, pr)
	}()
	go func() {
		b.waitErr = cmd.Wait()
		pw.Close()
		close(b.exited)
	}()
	select {
	case a := <-addrs:
		b.addr, b.monitor = a[0], a[1]
		return b, nil
	case <-b.exited:
		tail, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("heraldd exited before listening (%v): %s", b.waitErr, tail)
	case <-time.After(10 * time.Second):
		b.kill()
		return nil, fmt.Errorf("heraldd did not report its listeners within 10s; see %s", logPath)
	}
}

// pid returns the broker's process id.
func (b *heraldd) pid() int { return b.cmd.Process.Pid }

// kill ends the process at once and waits for it.
func (b *heraldd) kill() {
	b.cmd.Process.Kill()
	<-b.exited
}

// stop sends SIGTERM and waits up to limit for a clean exit; it returns how
// long the shutdown took.
func (b *heraldd) stop(limit time.Duration) (time.Duration, error) {
	start := time.Now()
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case <-b.exited:
		return time.Since(start), b.waitErr
	case <-time.After(limit):
		b.kill()
		return time.Since(start), fmt.Errorf("heraldd did not exit within %v of SIGTERM", limit)
	}
}

// dump makes the Go runtime print every goroutine's stack into the log
// (SIGQUIT), which ends the process: the diagnosis of a leak.
func (b *heraldd) dump() {
	b.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		b.kill()
	}
}

// alive reports whether the process is still running.
func (b *heraldd) alive() bool {
	select {
	case <-b.exited:
		return false
	default:
		return true
	}
}

// metrics scrapes /metrics and returns every sample without labels (and
// those with labels under their full name, labels included).
func (b *heraldd) metrics(ctx context.Context) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+b.monitor+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %s", resp.Status)
	}
	return parseMetrics(resp.Body)
}

// parseMetrics reads the Prometheus text format: "name{labels} value".
func parseMetrics(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			return nil, fmt.Errorf("metrics line %q", line)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %w", line, err)
		}
		out[line[:i]] = v
	}
	return out, sc.Err()
}

// metric scrapes one series.
func (b *heraldd) metric(ctx context.Context, name string) (float64, error) {
	m, err := b.metrics(ctx)
	if err != nil {
		return 0, err
	}
	v, ok := m[name]
	if !ok {
		return 0, fmt.Errorf("/metrics has no %s", name)
	}
	return v, nil
}

// openFDs counts the broker's open file descriptors in /proc.
func (b *heraldd) openFDs() (int, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", b.pid()))
	if err != nil {
		return 0, err
	}
	return len(ents), nil
}

// rss returns the broker's VmRSS in bytes.
func (b *heraldd) rss() (int64, error) { return vmRSS(b.pid()) }

// vmRSS reads VmRSS from /proc/PID/status.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 3 && fs[0] == "VmRSS:" && fs[2] == "kB" {
			kb, err := strconv.ParseInt(fs[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// panics scans the broker's log for a Go panic, a fatal runtime error or a
// race report, and returns the first such line.
func (b *heraldd) panics() (string, error) {
	f, err := os.Open(b.logPath)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, bad := range []string{"panic:", "fatal error:", "WARNING: DATA RACE", "goroutine 1 [running]"} {
			if strings.HasPrefix(line, bad) {
				return line, nil
			}
		}
	}
	return "", sc.Err()
}

// waitUntil polls cond every interval until it holds or limit passes, and
// returns the last value cond saw.
func waitUntil[T any](limit, interval time.Duration, cond func() (T, bool)) (T, bool) {
	deadline := time.Now().Add(limit)
	for {
		v, ok := cond()
		if ok || time.Now().After(deadline) {
			return v, ok
		}
		time.Sleep(interval)
	}
}

// sampler records the peak of a series read periodically.
type sampler struct {
	mu   sync.Mutex
	peak map[string]float64
}

func (s *sampler) observe(name string, v float64) {
	s.mu.Lock()
	if s.peak == nil {
		s.peak = map[string]float64{}
	}
	if old, ok := s.peak[name]; !ok || v > old {
		s.peak[name] = v
	}
	s.mu.Unlock()
}

func (s *sampler) set(name string, v float64) {
	s.mu.Lock()
	if s.peak == nil {
		s.peak = map[string]float64{}
	}
	s.peak[name] = v
	s.mu.Unlock()
}

func (s *sampler) get(name string) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak[name]
}
