package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
	"github.com/heraldmq/herald/tools/internal/bench/procmem"
)

// connsParallel is how many connections the conns workload opens at once.
const connsParallel = 16

// conns: open cfg.Conns connections that complete the protocol's handshake
// and then idle; the broker's VmRSS grows by the memory they hold. Figures:
// KiB per idle connection, and the broker's VmRSS with them. It runs one
// round: brokers keep memory freed by a previous round and would reuse it.
func conns(ctx context.Context, cfg Config, t Target) ([]sample, error) {
	if t.System.Name == "baseline" {
		return nil, fmt.Errorf("%w: the forwarder runs inside the benchmark's process", driver.ErrNotApplicable)
	}
	pid, err := t.pid()
	if err != nil {
		return nil, err
	}
	before, err := settledRSS(pid)
	if err != nil {
		return nil, err
	}
	s := newSession(cfg, t.System)
	defer s.close()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan struct{})
	)
	for range connsParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				if _, err := s.dial(ctx); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for range cfg.Conns {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return nil, fmt.Errorf("opening %d connections: %w", cfg.Conns, first)
	}
	after, err := settledRSS(pid)
	if err != nil {
		return nil, err
	}
	return []sample{
		lower("memory per idle conn", unitKiB, float64(after-before)/float64(cfg.Conns)/1024),
		lower(fmt.Sprintf("broker RSS at %d conns", cfg.Conns), unitMiB, float64(after)/(1<<20)),
	}, nil
}

// settledRSS samples the VmRSS of pid every 100 ms until two samples agree
// within 64 KiB, for at most 3 s, and returns the last.
func settledRSS(pid int) (int64, error) {
	prev, err := procmem.RSS(pid)
	if err != nil {
		return 0, err
	}
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		cur, err := procmem.RSS(pid)
		if err != nil {
			return 0, err
		}
		if d := cur - prev; d < 64<<10 && d > -64<<10 {
			return cur, nil
		}
		prev = cur
	}
	return prev, nil
}
