package bench

import "github.com/heraldmq/herald/tools/internal/bench/stats"

// Figure is one measured quantity of one system in one workload, over the
// rounds: what --json prints, one object per line.
type Figure struct {
	Workload string         `json:"workload"`
	System   string         `json:"system"`
	Params   map[string]any `json:"params"`
	Metric   string         `json:"metric"`
	Unit     string         `json:"unit"`
	Median   float64        `json:"median"`
	Min      float64        `json:"min"`
	Max      float64        `json:"max"`
	Rounds   int            `json:"rounds"`
	// Values are the per-round figures, in round order.
	Values []float64 `json:"values,omitempty"`
	// Better is "higher" or "lower": which way the figure improves.
	Better string `json:"better"`
	// Skipped, when not empty, says why the system has no figure for this
	// workload (not applicable, or the error that stopped it); Metric is then
	// "*".
	Skipped string `json:"skipped,omitempty"`
}

// sample is one figure of one round.
type sample struct {
	metric, unit string
	value        float64
	lowerBetter  bool
}

// Units used by the workloads.
const (
	unitRate    = "msg/s"
	unitMicros  = "µs"
	unitPercent = "%"
	unitRatio   = "×"
	unitKiB     = "KiB"
	unitMiB     = "MiB"
	unitMsgs    = "msgs"
)

// higher and lower build samples.
func higher(metric, unit string, v float64) sample { return sample{metric, unit, v, false} }
func lower(metric, unit string, v float64) sample  { return sample{metric, unit, v, true} }

// series gathers one system's samples of one workload over the rounds,
// keeping the metrics in the order they first appeared.
type series struct {
	order  []string
	byName map[string]*Figure
}

func (s *series) add(base Figure, smp sample) {
	if s.byName == nil {
		s.byName = map[string]*Figure{}
	}
	f, ok := s.byName[smp.metric]
	if !ok {
		f = new(Figure)
		*f = base
		f.Metric, f.Unit, f.Better = smp.metric, smp.unit, "higher"
		if smp.lowerBetter {
			f.Better = "lower"
		}
		s.byName[smp.metric] = f
		s.order = append(s.order, smp.metric)
	}
	f.Values = append(f.Values, smp.value)
}

// figures returns the summarised figures.
func (s *series) figures() []Figure {
	out := make([]Figure, 0, len(s.order))
	for _, m := range s.order {
		f := *s.byName[m]
		sum := stats.Summarize(f.Values)
		f.Median, f.Min, f.Max, f.Rounds = sum.Median, sum.Min, sum.Max, len(f.Values)
		out = append(out, f)
	}
	return out
}
