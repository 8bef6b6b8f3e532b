package stats

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketBoundsAreMonotonicAndTight(t *testing.T) {
	prev := -1
	for _, v := range []int64{0, 1, 63, 64, 65, 127, 128, 1000, 1 << 20, 1<<40 + 12345} {
		b := bucket(v)
		require.Greater(t, b, prev, "value %d", v)
		prev = b
		lo, hi := lowest(b), lowest(b+1)
		require.LessOrEqual(t, lo, v)
		require.Greater(t, hi, v)
		if v >= 64 {
			assert.LessOrEqual(t, float64(hi-lo)/float64(v), 1.0/64+1e-9, "value %d", v)
		}
	}
}

func TestQuantiles(t *testing.T) {
	var h Histogram
	for v := int64(1); v <= 100000; v++ {
		h.Record(v * 10)
	}
	assert.InEpsilon(t, 500000, h.Quantile(0.5), 0.02)
	assert.InEpsilon(t, 990000, h.Quantile(0.99), 0.02)
	assert.InEpsilon(t, 999000, h.Quantile(0.999), 0.02)
	assert.Equal(t, int64(1000000), h.Quantile(1))
	assert.Equal(t, uint64(100000), h.Count())

	var empty Histogram
	assert.Zero(t, empty.Quantile(0.5))
}

func TestMerge(t *testing.T) {
	var a, b Histogram
	a.Record(10)
	b.Record(1000)
	b.Record(2000)
	a.Merge(&b)
	assert.Equal(t, uint64(3), a.Count())
	assert.Equal(t, int64(2000), a.Max())
	assert.Equal(t, int64(10), a.Quantile(0.1))
}

func TestSummarize(t *testing.T) {
	assert.Equal(t, Summary{Median: 3, Min: 1, Max: 9}, Summarize([]float64{9, 1, 3}))
	assert.Equal(t, Summary{Median: 2.5, Min: 1, Max: 4}, Summarize([]float64{4, 1, 2, 3}))
	assert.Equal(t, Summary{}, Summarize(nil))
}
