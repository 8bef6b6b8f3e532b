// Package stats holds the benchmark's arithmetic: a log-linear histogram of
// durations, accurate to about 1.6 %, that merges and answers percentiles
// without keeping samples, and the median, minimum and maximum of a round's
// figures.
//
//	var h stats.Histogram
//	h.Record(1200) // nanoseconds
//	p99 := h.Quantile(0.99)
package stats

import (
	"math"
	"math/bits"
	"slices"
)

// sub is the number of linear buckets per power of two.
const (
	subBits = 6
	sub     = 1 << subBits
)

// Histogram counts non-negative values (nanoseconds, typically) in buckets of
// about 1/64 of their power of two. The zero value is empty and ready.
type Histogram struct {
	counts [64 * sub]uint64
	n      uint64
	max    int64
}

// bucket returns the bucket of v: exact below 64, then 64 buckets per
// power of two.
func bucket(v int64) int {
	if v < sub {
		return int(max(v, 0))
	}
	e := bits.Len64(uint64(v)) - 1 // v in [2^e, 2^(e+1))
	m := int(uint64(v)>>(e-subBits)) & (sub - 1)
	return (e-subBits+1)*sub + m
}

// lowest returns the smallest value of bucket i.
func lowest(i int) int64 {
	if i < sub {
		return int64(i)
	}
	e := i/sub + subBits - 1
	m := i % sub
	return int64(sub+m) << (e - subBits)
}

// Record counts one value.
func (h *Histogram) Record(v int64) {
	h.counts[bucket(v)]++
	h.n++
	if v > h.max {
		h.max = v
	}
}

// Count returns how many values were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the largest value recorded.
func (h *Histogram) Max() int64 { return h.max }

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Quantile returns the value below which a fraction q of the values lie (the
// middle of its bucket, never more than the maximum), or 0 when empty.
func (h *Histogram) Quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo := lowest(i)
			hi := lowest(i + 1)
			if i+1 >= len(h.counts) {
				hi = lo
			}
			return min(lo+(hi-lo)/2, h.max)
		}
	}
	return h.max
}

// Summary is the median, minimum and maximum of a figure over rounds.
type Summary struct {
	Median, Min, Max float64
}

// Summarize returns the summary of values; the median of an even count is
// the mean of the middle two. It returns the zero Summary for no values.
func Summarize(values []float64) Summary {
	if len(values) == 0 {
		return Summary{}
	}
	v := slices.Clone(values)
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Summary{Median: m, Min: v[0], Max: v[len(v)-1]}
}
