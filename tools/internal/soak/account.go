package soak

import (
	"fmt"

	"github.com/heraldmq/herald/spec/wire"
)

// stream checks one subscription's sequence numbers as PROTOCOL.md 7.3 and
// 8.4 promise them: seq 1, 2, 3, … with no hole that a NOTICE does not cover,
// each NOTICE starting right after the last seq accounted for and counting
// exactly the range it names.
type stream struct {
	last      uint64 // highest seq accounted for, delivered or noticed
	delivered uint64 // MSGs received
	lost      uint64 // messages NOTICEd as dropped
	notices   uint64 // NOTICE frames received
	reasons   map[string]uint64
}

// msg accounts for a MSG with seq.
func (s *stream) msg(seq uint64) error {
	if seq != s.last+1 {
		return fmt.Errorf("MSG seq %d after seq %d: a hole no NOTICE covers, or a repeat", seq, s.last)
	}
	s.last = seq
	s.delivered++
	return nil
}

// notice accounts for a NOTICE.
func (s *stream) notice(n *wire.Notice) error {
	switch {
	case n.First != s.last+1:
		return fmt.Errorf("NOTICE %d..%d after seq %d: it must start right after the last seq", n.First, n.Last, s.last)
	case n.Last < n.First || n.Count != n.Last-n.First+1:
		return fmt.Errorf("NOTICE %d..%d says count %d", n.First, n.Last, n.Count)
	case n.Reason != wire.ReasonSlowConsumer && n.Reason != wire.ReasonQueueFull:
		return fmt.Errorf("NOTICE reason %q", n.Reason)
	}
	s.last = n.Last
	s.lost += n.Count
	s.notices++
	if s.reasons == nil {
		s.reasons = map[string]uint64{}
	}
	s.reasons[n.Reason] += n.Count
	return nil
}

// account is what one well-behaved subscriber checked, summed over many.
type account struct {
	Subscribers   uint64 // well-behaved subscriber connections checked
	Streams       uint64 // subscriptions (sids) checked
	Expected      uint64 // messages published to them
	Delivered     uint64 // MSGs received
	Noticed       uint64 // messages reported lost by NOTICE
	Notices       uint64 // NOTICE frames
	ToldByErr     uint64 // messages lost by subscribers closed with ERR slow_consumer
	ErrDisconnect uint64 // subscribers closed with ERR slow_consumer
	Unaccounted   uint64 // messages neither delivered nor reported: must be 0
	Failures      uint64 // subscribers whose stream broke a rule: must be 0
}

func (a *account) add(b account) {
	a.Subscribers += b.Subscribers
	a.Streams += b.Streams
	a.Expected += b.Expected
	a.Delivered += b.Delivered
	a.Noticed += b.Noticed
	a.Notices += b.Notices
	a.ToldByErr += b.ToldByErr
	a.ErrDisconnect += b.ErrDisconnect
	a.Unaccounted += b.Unaccounted
	a.Failures += b.Failures
}

// ok reports whether every message was delivered or reported lost.
func (a *account) ok() bool { return a.Unaccounted == 0 && a.Failures == 0 }
