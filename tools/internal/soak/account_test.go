package soak

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

func notice(first, last uint64) *wire.Notice {
	return &wire.Notice{Sid: 1, Count: last - first + 1, First: first, Last: last, Reason: wire.ReasonSlowConsumer}
}

// TestStreamAcceptsWhatTheSpecPromises pins 7.3 and 8.3: seq 1..k, a NOTICE
// covering k+1..m, then m+1 on.
func TestStreamAcceptsWhatTheSpecPromises(t *testing.T) {
	var s stream
	require.NoError(t, s.msg(1))
	require.NoError(t, s.msg(2))
	require.NoError(t, s.notice(notice(3, 7)))
	require.NoError(t, s.notice(notice(8, 8)))
	require.NoError(t, s.msg(9))
	assert.Equal(t, stream{last: 9, delivered: 3, lost: 6, notices: 2, reasons: map[string]uint64{wire.ReasonSlowConsumer: 6}}, s)
}

func TestStreamCatchesEveryBrokenPromise(t *testing.T) {
	cases := map[string]func(*stream) error{
		"hole":               func(s *stream) error { return s.msg(4) },
		"repeat":             func(s *stream) error { return s.msg(2) },
		"NOTICE with a gap":  func(s *stream) error { return s.notice(notice(4, 5)) },
		"NOTICE overlapping": func(s *stream) error { return s.notice(notice(2, 5)) },
		"NOTICE miscounted": func(s *stream) error {
			n := notice(3, 5)
			n.Count = 2
			return s.notice(n)
		},
		"NOTICE backwards": func(s *stream) error {
			return s.notice(&wire.Notice{Sid: 1, First: 3, Last: 2, Reason: wire.ReasonQueueFull})
		},
		"NOTICE reason": func(s *stream) error { n := notice(3, 3); n.Reason = "tired"; return s.notice(n) },
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			s := stream{}
			require.NoError(t, s.msg(1))
			require.NoError(t, s.msg(2))
			assert.Error(t, bad(&s))
		})
	}
}

func TestTallyCountsLossesByHowTheyWereTold(t *testing.T) {
	k := newChecked(nil, 1, 2)
	k.streams[1].last, k.streams[1].delivered = 10, 10
	k.streams[2].last, k.streams[2].delivered, k.streams[2].lost = 7, 4, 3
	a := k.tally(map[uint32]uint64{1: 10, 2: 9})
	assert.Equal(t, uint64(19), a.Expected)
	assert.Equal(t, uint64(2), a.Unaccounted, "sid 2 is two short with no ERR")
	assert.False(t, a.ok())

	k.fatal = wire.CodeSlowConsumer
	a = k.tally(map[uint32]uint64{1: 10, 2: 9})
	assert.Equal(t, uint64(2), a.ToldByErr, "after ERR slow_consumer the rest was told lost")
	assert.True(t, a.ok())

	k.fatal = ""
	a = k.tally(map[uint32]uint64{1: 9, 2: 7})
	assert.Equal(t, uint64(1), a.Failures, "more seqs than messages published")
}

func TestTallyRotation(t *testing.T) {
	a, b := newChecked(nil, 3), newChecked(nil, 3)
	a.streams[3].last, a.indices = 3, []uint64{0, 4}
	b.streams[3].last, b.indices = 2, []uint64{2, 6}
	assert.True(t, func() bool { x := tallyRotation(3, 5, a, b); return x.ok() }(), "3 + 2 seqs cover the 5 messages")
	x := tallyRotation(3, 6, a, b)
	assert.Equal(t, uint64(1), x.Unaccounted)
	b.indices = []uint64{2, 4}
	x = tallyRotation(3, 5, a, b)
	assert.Equal(t, uint64(1), x.Failures, "index 4 went to both members")
}

func TestParseMetrics(t *testing.T) {
	m, err := parseMetrics(strings.NewReader(`# HELP herald_connections Open client connections.
# TYPE herald_connections gauge
herald_connections 3
herald_dropped_messages_total{reason="slow_consumer"} 1.5e+06
herald_go_goroutines 12
`))
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{
		"herald_connections": 3,
		`herald_dropped_messages_total{reason="slow_consumer"}`: 1.5e6,
		"herald_go_goroutines": 12,
	}, m)
	_, err = parseMetrics(strings.NewReader("herald_connections three\n"))
	assert.Error(t, err)
}
