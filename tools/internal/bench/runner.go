package bench

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
)

// Progress describes the run about to start, for a progress bar.
type Progress struct {
	Done, Total   int // runs finished, runs in all
	Workload      string
	System        string
	Round, Rounds int // 1-based
}

// workloadFunc runs one round of a workload against one target.
type workloadFunc func(ctx context.Context, cfg Config, t Target) ([]sample, error)

var workloadFuncs = map[string]workloadFunc{
	"fanout":  fanout,
	"queue":   queue,
	"latency": latency,
	"slowsub": slowsub,
	"conns":   conns,
}

// rounds returns how many rounds a workload runs.
func (c Config) rounds(workload string) int {
	if workload == "conns" {
		return 1
	}
	return c.Rounds
}

// params returns the parameters a workload's figures record.
func (c Config) params(workload string) map[string]any {
	switch workload {
	case "fanout", "slowsub":
		return map[string]any{"subscribers": c.subscribers(workload), "size": c.Size, "count": c.Count, "duration": c.Duration.String(), "window": c.Window}
	case "queue":
		return map[string]any{"workers": c.Workers, "size": c.Size, "count": c.Count, "duration": c.Duration.String(), "window": c.Window}
	case "latency":
		return map[string]any{"subscribers": c.subscribers(workload), "size": c.Size, "rate": c.Rate, "duration": c.Duration.String()}
	case "conns":
		return map[string]any{"conns": c.Conns}
	}
	return nil
}

// Run runs each workload for cfg.Rounds rounds; in every round it runs
// against every target, starting with a different target each round so that
// no system always goes first. A target that fails a round, or to which a
// workload does not apply, gets a Skipped figure for that workload and is not
// run again in it. progress, when not nil, is called before each run. Run
// returns the figures gathered so far with the context's error when it is
// cancelled.
func Run(ctx context.Context, cfg Config, workloads []string, targets []Target, progress func(Progress)) ([]Figure, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, errors.New("no target to measure")
	}
	total := 0
	for _, w := range workloads {
		if err := checkWorkload(w); err != nil {
			return nil, err
		}
		total += cfg.rounds(w) * len(targets)
	}
	if err := preflight(ctx, cfg, targets); err != nil {
		return nil, err
	}
	var out []Figure
	done := 0
	for _, w := range workloads {
		base := Figure{Workload: w, Params: cfg.params(w)}
		got := make([]series, len(targets))
		skipped := make([]string, len(targets))
		rounds := cfg.rounds(w)
		for r := range rounds {
			for j := range targets {
				k := (j + r) % len(targets)
				t := targets[k]
				if progress != nil {
					progress(Progress{Done: done, Total: total, Workload: w, System: t.System.Name, Round: r + 1, Rounds: rounds})
				}
				done++
				if skipped[k] != "" {
					continue
				}
				samples, err := workloadFuncs[w](ctx, cfg, t)
				if ctx.Err() != nil {
					return append(out, collect(base, targets, got, skipped)...), ctx.Err()
				}
				if err != nil {
					skipped[k] = skipReason(err)
					continue
				}
				b := base
				b.System = t.System.Name
				for _, s := range samples {
					got[k].add(b, s)
				}
			}
		}
		out = append(out, collect(base, targets, got, skipped)...)
	}
	if progress != nil {
		progress(Progress{Done: total, Total: total})
	}
	return out, nil
}

// skipReason words an error for a Skipped figure.
func skipReason(err error) string {
	if errors.Is(err, driver.ErrNotApplicable) {
		return err.Error()
	}
	return fmt.Sprintf("failed: %v", err)
}

// collect returns the figures of one workload, target by target.
func collect(base Figure, targets []Target, got []series, skipped []string) []Figure {
	var out []Figure
	for k, t := range targets {
		if skipped[k] != "" {
			f := base
			f.System, f.Metric, f.Skipped = t.System.Name, "*", skipped[k]
			out = append(out, f)
			continue
		}
		out = append(out, got[k].figures()...)
	}
	return out
}

// preflight connects once to every target, so that an unreachable broker
// stops the run at once with an error that names it.
func preflight(ctx context.Context, cfg Config, targets []Target) error {
	for _, t := range targets {
		s := newSession(cfg, t.System)
		_, err := s.dial(ctx)
		s.close()
		if err != nil {
			return fmt.Errorf("cannot reach %w", err)
		}
	}
	return nil
}
