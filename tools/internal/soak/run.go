package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Config is a whole soak run: chaos under each overflow policy, then the
// memory bound.
type Config struct {
	// Heraldd is the broker binary, e.g. bin/heraldd.
	Heraldd string
	// Dir receives the brokers' logs.
	Dir string
	// Chaos are the chaos phases, run in order.
	Chaos []ChaosConfig
	// Memory is the memory-bound phase; Subs 0 skips it.
	Memory MemoryConfig
	// Headroom is what the memory check allows the Go runtime (garbage
	// not yet collected, idle pooled blocks, stacks) on top of the total
	// and of the broker's footprint with every connection open and nothing
	// queued.
	Headroom int64
	// MemoryLimitRun runs the memory phase a second time with heraldd's
	// GOMEMLIMIT set to Memory.Total + Headroom: what a user can do today
	// to keep the runtime within the headroom.
	MemoryLimitRun bool
	// Log receives progress lines.
	Log io.Writer
}

// DefaultConfig is what `make soak` runs: about five minutes.
func DefaultConfig(heraldd, dir string) Config {
	return Config{
		Heraldd: heraldd,
		Dir:     dir,
		Chaos: []ChaosConfig{
			DefaultChaos("drop", 100*time.Second),
			DefaultChaos("disconnect", 60*time.Second),
		},
		Memory:         DefaultMemory(),
		Headroom:       64 << 20,
		MemoryLimitRun: true,
	}
}

// Results is everything a run measured.
type Results struct {
	Started  time.Time
	Elapsed  time.Duration
	NoFile   uint64
	Chaos    []*ChaosResult
	Memory   *MemoryResult
	MemoryGC *MemoryResult // the same phase with GOMEMLIMIT, when run
	Cfg      Config
}

// Pass reports whether every check of every phase passed.
func (r *Results) Pass() bool {
	for _, c := range r.Checks() {
		if !c.Pass {
			return false
		}
	}
	return true
}

// Checks returns every check, named by phase.
func (r *Results) Checks() []Check {
	var out []Check
	for _, c := range r.Chaos {
		for _, k := range c.Checks {
			k.Name = "chaos, " + c.Config.Policy + ": " + k.Name
			out = append(out, k)
		}
	}
	for _, m := range []*MemoryResult{r.Memory, r.MemoryGC} {
		if m == nil {
			continue
		}
		for _, k := range m.Checks {
			k.Name = m.Title() + ": " + k.Name
			out = append(out, k)
		}
	}
	return out
}

// Run runs every phase in order.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	if len(cfg.Chaos) == 0 && cfg.Memory.Subs == 0 {
		return nil, errors.New("no phase to run")
	}
	res := &Results{Started: time.Now(), Cfg: cfg}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
		}
	}
	need := uint64(4096)
	for _, c := range cfg.Chaos {
		need = max(need, uint64(2*c.MaxConns+1024))
	}
	need = max(need, uint64(2*cfg.Memory.Subs+1024))
	var err error
	if res.NoFile, err = raiseNoFile(need); err != nil {
		return nil, err
	}
	logf("RLIMIT_NOFILE %d", res.NoFile)
	for _, cc := range cfg.Chaos {
		logf("chaos phase, --overflow %s, %v of churn, up to %d connections", cc.Policy, cc.Duration, cc.MaxConns)
		r, err := RunChaos(ctx, cfg.Heraldd, cfg.Dir, cc)
		if err != nil {
			return nil, fmt.Errorf("chaos (%s): %w", cc.Policy, err)
		}
		for _, k := range r.Checks {
			logf("  %s: %v %s", k.Name, passText(k.Pass), k.Detail)
		}
		res.Chaos = append(res.Chaos, r)
	}
	if cfg.Memory.Subs > 0 {
		logf("memory phase: %d subscribers that never read, --max-pending-total %s", cfg.Memory.Subs, mib(int64(cfg.Memory.Total)))
		r, err := RunMemory(ctx, cfg.Heraldd, cfg.Dir, cfg.Memory, cfg.Headroom)
		if err != nil {
			return nil, fmt.Errorf("memory: %w", err)
		}
		for _, k := range r.Checks {
			logf("  %s: %v %s", k.Name, passText(k.Pass), k.Detail)
		}
		res.Memory = r
		if cfg.MemoryLimitRun {
			mc := cfg.Memory
			mc.Env = []string{fmt.Sprintf("GOMEMLIMIT=%dMiB", (int64(mc.Total)+cfg.Headroom)>>20)}
			logf("memory phase again with %s", mc.Env[0])
			r, err := RunMemory(ctx, cfg.Heraldd, cfg.Dir, mc, cfg.Headroom)
			if err != nil {
				return nil, fmt.Errorf("memory (%s): %w", mc.Env[0], err)
			}
			for _, k := range r.Checks {
				logf("  %s: %v %s", k.Name, passText(k.Pass), k.Detail)
			}
			res.MemoryGC = r
		}
	}
	res.Elapsed = time.Since(res.Started)
	return res, nil
}

func passText(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
