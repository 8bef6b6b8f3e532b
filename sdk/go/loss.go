package herald

import (
	"fmt"
	"strconv"
)

// LossSource says how a loss of messages became known.
type LossSource int

// The sources of loss a subscription reports.
const (
	// LossNotice: the broker dropped messages and sent a NOTICE (PROTOCOL.md
	// 8.4): the subscriber was slow, or every member of its rotation set was
	// busy (reason "queue_full").
	LossNotice LossSource = iota + 1
	// LossGap: sequence numbers skipped without a NOTICE (7.3).
	LossGap
	// LossClient: the client dropped messages because the subscription's
	// pending limits were reached (see WithPendingLimits).
	LossClient
	// LossReconnect: the connection was re-established; whatever was
	// published while it was down is lost, in a number nobody knows, since
	// sequence numbers restart with the new session.
	LossReconnect
)

// String returns the source's name, e.g. "notice".
func (s LossSource) String() string {
	switch s {
	case LossNotice:
		return "notice"
	case LossGap:
		return "gap"
	case LossClient:
		return "client"
	case LossReconnect:
		return "reconnect"
	}
	return "unknown"
}

// LossError reports messages a subscription will never see. It is passed to
// the error handler (see WithErrorHandler). errors.Is matches it with
// ErrMessagesLost, and with ErrBrokerDropped, ErrSeqGap, ErrSlowConsumer or
// ErrReconnectGap according to its Source.
type LossError struct {
	Sub    *Subscription
	Source LossSource
	// Count is how many messages were lost; 0 for LossReconnect, whose
	// count is unknown (never guessed).
	Count uint64
	// First and Last are the sequence numbers lost, for LossNotice and
	// LossGap. A merged report spans from the first report's First to the
	// last report's Last.
	First, Last uint64
	// Reason is the NOTICE's reason ("slow_consumer" or "queue_full").
	Reason string
	// Reports is how many losses this report merges (at least 1).
	Reports int
}

// Error describes the loss, e.g. "herald: /orders/>: 12 messages dropped by
// the broker (seq 5-16, slow_consumer)".
func (e *LossError) Error() string {
	p := ""
	if e.Sub != nil {
		p = e.Sub.pattern + ": "
	}
	var s string
	switch e.Source {
	case LossNotice:
		s = fmt.Sprintf("%s dropped by the broker (seq %d-%d, %s)", messages(e.Count), e.First, e.Last, e.Reason)
	case LossGap:
		s = fmt.Sprintf("%s missing (sequence gap, seq %d-%d)", messages(e.Count), e.First, e.Last)
	case LossClient:
		s = fmt.Sprintf("%s dropped by the client (pending limits reached)", messages(e.Count))
	case LossReconnect:
		s = "messages lost while reconnecting, count unknown"
	}
	if e.Reports > 1 {
		s += " [" + strconv.Itoa(e.Reports) + " reports merged]"
	}
	return "herald: " + p + s
}

func messages(n uint64) string {
	if n == 1 {
		return "1 message"
	}
	return strconv.FormatUint(n, 10) + " messages"
}

// Is reports whether target is ErrMessagesLost.
func (e *LossError) Is(target error) bool { return target == ErrMessagesLost }

// Unwrap returns the sentinel of the loss's source.
func (e *LossError) Unwrap() error {
	switch e.Source {
	case LossNotice:
		return ErrBrokerDropped
	case LossGap:
		return ErrSeqGap
	case LossClient:
		return ErrSlowConsumer
	case LossReconnect:
		return ErrReconnectGap
	}
	return nil
}

// merge adds o, a later loss of the same subscription and source, into e.
func (e *LossError) merge(o *LossError) {
	e.Count += o.Count
	if o.Last != 0 {
		e.Last = o.Last
	}
	if o.Reason != "" && o.Reason != e.Reason {
		if e.Reason == "" {
			e.Reason = o.Reason
		} else {
			e.Reason += "," + o.Reason
		}
	}
	e.Reports += o.Reports
}

// Drops counts what a subscription lost, by source. See
// Subscription.Dropped.
type Drops struct {
	Notified   uint64 // messages the broker reported dropped in NOTICEs
	Gaps       uint64 // messages missing from sequence gaps without a NOTICE
	Client     uint64 // messages the client dropped at its pending limits
	Reconnects uint64 // reconnects, each a loss of unknown size
}

// Total returns the messages known to be lost: Notified + Gaps + Client.
// Losses while reconnecting are not counted, since their number is unknown.
func (d Drops) Total() uint64 { return d.Notified + d.Gaps + d.Client }
