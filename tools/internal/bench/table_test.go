package bench

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func figure(workload, system, metric, unit string, median float64) Figure {
	return Figure{Workload: workload, System: system, Params: map[string]any{"size": 128}, Metric: metric, Unit: unit,
		Median: median, Min: median, Max: median, Rounds: 3}
}

func TestTableRatiosAndNotes(t *testing.T) {
	figs := []Figure{
		figure("fanout", "herald", "delivered", unitRate, 9e6),
		figure("fanout", "herald", "lost", unitPercent, 0),
		figure("fanout", "nats", "delivered", unitRate, 3e6),
		figure("fanout", "nats", "lost", unitPercent, 0),
		figure("latency", "herald", "p99", unitMicros, 120),
		figure("latency", "nats", "p99", unitMicros, 240),
		{Workload: "queue", System: "redis", Metric: "*", Skipped: "not applicable: Redis has no queue groups"},
	}
	tab := BuildTable(figs)
	assert.Equal(t, []string{"workload", "params", "metric", "unit", "herald", "nats", "redis", "herald/nats", "herald/redis"}, tab.Header)
	require.Len(t, tab.Rows, 2, "lost rows that are all zero are left out")
	assert.Equal(t, []string{"fanout", "size=128", "delivered", "msg/s", "9.00M", "3.00M", "n/a", "3.00", ""}, tab.Rows[0])
	assert.Equal(t, []string{"latency", "size=128", "p99", "µs", "120", "240", "n/a", "0.50", ""}, tab.Rows[1])
	assert.Equal(t, []string{"queue on redis: not applicable: Redis has no queue groups"}, tab.Notes)

	var text, md bytes.Buffer
	require.NoError(t, tab.WriteText(&text))
	assert.True(t, strings.HasPrefix(text.String(), "WORKLOAD  PARAMS    METRIC     UNIT   HERALD  NATS   REDIS  herald/nats"))
	require.NoError(t, tab.WriteMarkdown(&md))
	assert.Contains(t, md.String(), "| fanout | size=128 | delivered | msg/s | 9.00M | 3.00M | n/a | 3.00 |  |\n")
}

func TestTableKeepsLostRowsWithLoss(t *testing.T) {
	f := figure("fanout", "herald", "lost", unitPercent, 0)
	f.Max = 0.5
	assert.Len(t, BuildTable([]Figure{f}).Rows, 1)
}

func TestJSONRoundTrip(t *testing.T) {
	figs := []Figure{figure("fanout", "herald", "delivered", unitRate, 1e6)}
	figs[0].Values = []float64{1e6, 1e6, 1e6}
	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, figs))
	assert.Equal(t, 1, strings.Count(buf.String(), "\n"), "one object per line")
	for _, key := range []string{`"workload":`, `"system":`, `"params":`, `"metric":`, `"unit":`, `"median":`, `"min":`, `"max":`, `"rounds":3`} {
		assert.Contains(t, buf.String(), key)
	}
	back, err := ReadJSON(&buf)
	require.NoError(t, err)
	assert.Equal(t, "size=128", FormatParams(back[0].Params))
	assert.Equal(t, figs[0].Values, back[0].Values)
}

func TestFormatting(t *testing.T) {
	assert.Equal(t, "3.52M", FormatRate(3.52e6))
	assert.Equal(t, "870k", FormatRate(870e3))
	assert.Equal(t, "950", FormatRate(950))
	assert.Equal(t, "window=4194304", FormatParams(map[string]any{"window": float64(4194304)}))
}

func TestSeriesSummarisesRounds(t *testing.T) {
	var s series
	base := Figure{Workload: "fanout", System: "herald"}
	for _, v := range []float64{3, 1, 2} {
		s.add(base, higher("delivered", unitRate, v))
		s.add(base, lower("lost", unitPercent, 0))
	}
	figs := s.figures()
	require.Len(t, figs, 2)
	assert.Equal(t, "delivered", figs[0].Metric)
	assert.Equal(t, 2.0, figs[0].Median)
	assert.Equal(t, 1.0, figs[0].Min)
	assert.Equal(t, 3.0, figs[0].Max)
	assert.Equal(t, 3, figs[0].Rounds)
	assert.Equal(t, "higher", figs[0].Better)
	assert.Equal(t, "lower", figs[1].Better)
}

func TestConfigValidate(t *testing.T) {
	assert.NoError(t, DefaultConfig().Validate())
	c := DefaultConfig()
	c.Size = 8
	assert.ErrorContains(t, c.Validate(), "--size")
	assert.Equal(t, 1, DefaultConfig().subscribers("latency"))
	assert.Equal(t, 10, DefaultConfig().subscribers("fanout"))
	assert.Equal(t, 1, DefaultConfig().rounds("conns"))
}
