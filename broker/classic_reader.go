package broker

import (
	"errors"
	"fmt"
	"io"

	"github.com/heraldmq/herald/spec/wire"
)

// classicReader turns the frames of a classic client (PROTOCOL.md 14) into
// what they mean: first the channel it subscribes to, then (destination,
// data) pairs. It only parses; the connection acts on what it returns.
type classicReader struct {
	rd         *wire.Reader // AllowEmpty set, max frame max_payload + 65,536 (14.1)
	maxPayload int
	started    bool   // the first frame has been read
	channel    []byte // the current destination (or a prefix of an invalid one), copied
}

// classicKind is what one step of a classic session was.
type classicKind uint8

const (
	// classicSubscribe is the first frame: channel is the subscription, or
	// nil for a send-only client (14.2).
	classicSubscribe classicKind = iota
	// classicPublish is a pair to route (14.3).
	classicPublish
	// classicInvalid is a pair to drop and count (14.7); why says why.
	classicInvalid
	// classicEnd is an empty destination frame: the session ends (14.8).
	classicEnd
)

// classicEvent is one step of a classic session. channel is valid until the
// next call to next; data aliases the frame reader's buffer and is valid only
// until the reader reads again.
type classicEvent struct {
	kind    classicKind
	channel []byte
	data    []byte
	why     string
	wire    int // bytes the step took on the wire
}

// errClassicCutPair reports a connection that ended after a destination
// frame and before its data frame (14.8).
var errClassicCutPair = fmt.Errorf("connection ended between a destination frame and its data frame: %w", io.ErrUnexpectedEOF)

// invalidNameLog bounds how much of an invalid destination is kept for logs.
const invalidNameLog = 64

// next reads the frames of the next step. Errors are the frame reader's
// (a frame_too_large *wire.Error, io.EOF at a frame boundary,
// io.ErrUnexpectedEOF inside a frame, the stream's own error) or
// errClassicCutPair.
func (r *classicReader) next() (classicEvent, error) {
	if !r.started {
		body, err := r.rd.Next()
		if err != nil {
			return classicEvent{}, err
		}
		r.started = true
		ev := classicEvent{kind: classicSubscribe, wire: wire.HeaderLen + len(body)}
		if wire.ValidChannel(body) {
			r.channel = append(r.channel[:0], body...)
			ev.channel = r.channel
		}
		return ev, nil
	}
	ch, err := r.rd.Next()
	if err != nil {
		return classicEvent{}, err
	}
	if len(ch) == 0 {
		return classicEvent{kind: classicEnd, wire: wire.HeaderLen}, nil
	}
	// The destination is copied: reading the data frame may move the
	// reader's buffer.
	valid := wire.ValidChannel(ch)
	if valid {
		r.channel = append(r.channel[:0], ch...)
	} else {
		r.channel = append(r.channel[:0], ch[:min(len(ch), invalidNameLog)]...)
	}
	chLen := len(ch)
	data, err := r.rd.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return classicEvent{}, errClassicCutPair
		}
		return classicEvent{}, err
	}
	ev := classicEvent{kind: classicPublish, channel: r.channel, data: data, wire: 2*wire.HeaderLen + chLen + len(data)}
	switch {
	case !valid:
		ev.kind, ev.why = classicInvalid, "invalid channel"
	case len(data) > r.maxPayload:
		ev.kind, ev.why = classicInvalid, "data over max_payload"
	}
	return ev, nil
}
