package wire

// AppendPing appends a PING frame.
func AppendPing(b []byte) []byte { return append(b, 0, 0, 0, 2, 0x91, byte(OpPing)) }

// AppendPong appends a PONG frame.
func AppendPong(b []byte) []byte { return append(b, 0, 0, 0, 2, 0x91, byte(OpPong)) }

// DecodeEmpty checks the body of an op without fields (PING, PONG).
func DecodeEmpty(op Op, body []byte) error {
	d := dec{b: body}
	extra := d.begin(op, 0)
	return d.end(extra)
}

// Append appends e as a whole ERR frame.
func (e *Error) Append(b []byte) []byte {
	b, start := beginFrame(b)
	b = append(b, 0x96, byte(OpErr))
	b = appendStr(b, string(e.Code))
	b = appendStr(b, e.Message)
	if e.RefOp == 0 {
		b = append(b, 0xc0)
	} else {
		b = appendUint(b, uint64(e.RefOp))
	}
	if e.RefSid == 0 {
		b = append(b, 0xc0)
	} else {
		b = appendUint(b, uint64(e.RefSid))
	}
	b = appendOptString(b, e.RefChannel)
	return finishFrame(b, start)
}

// Decode fills e from an ERR body.
func (e *Error) Decode(body []byte) error {
	d := dec{b: body}
	extra := d.begin(OpErr, 5)
	e.Code = Code(d.str())
	e.Message = string(d.str())
	e.RefOp, e.RefSid, e.RefChannel = 0, 0, ""
	if !d.isNil() {
		e.RefOp = Op(min(d.uint(), 255))
	}
	if !d.isNil() {
		e.RefSid = uint32(min(d.uint(), MaxSid))
	}
	e.RefChannel = string(d.optStr())
	return d.end(extra)
}

// Notice reports that messages First..Last (Count of them) of subscription Sid
// were dropped (PROTOCOL.md 8.4).
type Notice struct {
	Sid    uint32
	Count  uint64
	First  uint64
	Last   uint64
	Reason string // ReasonSlowConsumer or ReasonQueueFull
}

// NOTICE reasons.
const (
	ReasonSlowConsumer = "slow_consumer"
	ReasonQueueFull    = "queue_full"
)

// Append appends n as a whole frame.
func (n *Notice) Append(b []byte) []byte {
	b, start := beginFrame(b)
	b = append(b, 0x96, byte(OpNotice))
	b = appendUint(b, uint64(n.Sid))
	b = appendUint(b, n.Count)
	b = appendUint(b, n.First)
	b = appendUint(b, n.Last)
	b = appendStr(b, n.Reason)
	return finishFrame(b, start)
}

// Decode fills n from a NOTICE body.
func (n *Notice) Decode(body []byte) error {
	d := dec{b: body}
	extra := d.begin(OpNotice, 5)
	n.Sid = uint32(min(d.uint(), MaxSid))
	n.Count = d.uint()
	n.First = d.uint()
	n.Last = d.uint()
	n.Reason = string(d.str())
	return d.end(extra)
}
