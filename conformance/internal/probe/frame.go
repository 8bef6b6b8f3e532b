package probe

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// Frame is one frame the server sent, decoded and copied out of the read
// buffer. Only the field of its Op is set.
type Frame struct {
	Op wire.Op
	At time.Time
	// N numbers the frames of a connection, PONGs included, in the order
	// they arrived (see PongArrival).
	N       int
	Msg     Msg
	Err     wire.Error
	Notice  wire.Notice
	Welcome wire.Welcome
}

// Msg is a decoded MSG that owns its bytes.
type Msg struct {
	Sid     uint32
	Seq     uint64
	Channel string
	// ReplyTo is nil when the MSG carried nil.
	ReplyTo *string
	// Headers is nil when the MSG carried nil.
	Headers map[string]string
	Payload []byte
}

// String describes the frame for a failure message.
func (f Frame) String() string {
	switch f.Op {
	case wire.OpMsg:
		return f.Msg.String()
	case wire.OpErr:
		e := f.Err
		return fmt.Sprintf("ERR %s %q (ref_op %d, ref_sid %d, ref_channel %q)", e.Code, e.Message, e.RefOp, e.RefSid, e.RefChannel)
	case wire.OpNotice:
		n := f.Notice
		return fmt.Sprintf("NOTICE sid %d count %d seq %d..%d reason %s", n.Sid, n.Count, n.First, n.Last, n.Reason)
	case wire.OpWelcome:
		return "WELCOME"
	}
	return f.Op.String()
}

// String describes the message for a failure message, cutting long payloads.
func (m Msg) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "MSG sid %d seq %d channel %q", m.Sid, m.Seq, m.Channel)
	if m.ReplyTo != nil {
		fmt.Fprintf(&b, " reply-to %q", *m.ReplyTo)
	}
	if m.Headers != nil {
		keys := slices.Sorted(maps.Keys(m.Headers))
		b.WriteString(" headers {")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q: %q", k, m.Headers[k])
		}
		b.WriteString("}")
	}
	fmt.Fprintf(&b, " payload %s", Abbrev(m.Payload))
	return b.String()
}

// Abbrev quotes a payload, cut to its first 40 bytes.
func Abbrev(p []byte) string {
	if len(p) <= 40 {
		return fmt.Sprintf("%q", p)
	}
	return fmt.Sprintf("%q... (%d bytes)", p[:40], len(p))
}

// decode turns a frame body into a Frame. It also checks the fixed MSG
// layout of PROTOCOL.md 2.7, which a decoder alone would accept.
func decode(body []byte, at time.Time) (Frame, error) {
	op, err := wire.PeekOp(body)
	if err != nil {
		return Frame{}, fmt.Errorf("undecodable frame from the server: %w", err)
	}
	f := Frame{Op: op, At: at}
	switch op {
	case wire.OpMsg:
		if err := checkMsgLayout(body); err != nil {
			return f, err
		}
		var m wire.Msg
		if err := m.Decode(body); err != nil {
			return f, fmt.Errorf("undecodable MSG: %w", err)
		}
		f.Msg, err = ownMsg(&m)
	case wire.OpErr:
		err = f.Err.Decode(body)
	case wire.OpNotice:
		err = f.Notice.Decode(body)
	case wire.OpWelcome:
		err = f.Welcome.Decode(body)
	case wire.OpPing, wire.OpPong:
		err = wire.DecodeEmpty(op, body)
	default:
		err = fmt.Errorf("the server sent op %s, which only clients send or which does not exist", op)
	}
	if err != nil {
		return f, fmt.Errorf("bad %s from the server: %w", op, err)
	}
	return f, nil
}

// checkMsgLayout enforces 2.7: array of 7, op, sid as uint 32, seq as uint 64.
func checkMsgLayout(body []byte) error {
	const prefix = wire.MsgPrefixLen - wire.HeaderLen
	if len(body) < prefix || body[0] != 0x97 || body[1] != byte(wire.OpMsg) ||
		body[2] != 0xce || body[7] != 0xcf {
		n := min(len(body), prefix)
		return fmt.Errorf("MSG does not start with the fixed prefix of PROTOCOL.md 2.7 (array of 7, op 6, sid as uint 32, seq as uint 64): % x", body[:n])
	}
	return nil
}

func ownMsg(m *wire.Msg) (Msg, error) {
	out := Msg{Sid: m.Sid, Seq: m.Seq, Channel: string(m.Channel), Payload: slices.Clone(m.Payload)}
	if out.Payload == nil {
		out.Payload = []byte{}
	}
	if m.ReplyTo != nil {
		r := string(m.ReplyTo)
		out.ReplyTo = &r
	}
	if m.Headers != nil {
		h, err := wire.DecodeHeaders(m.Headers)
		if err != nil {
			return out, fmt.Errorf("undecodable MSG headers: %w", err)
		}
		out.Headers = h
	}
	return out, nil
}
