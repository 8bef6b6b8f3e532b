package wire

// Sub registers a pattern under a sid (PROTOCOL.md 6.2). Queue is nil for no
// queue group; Prefetch is 0 for no limit.
type Sub struct {
	Sid      uint32
	Pattern  []byte
	Queue    []byte
	Prefetch uint32
}

// Append appends s as a whole frame.
func (s *Sub) Append(b []byte) []byte {
	b, start := beginFrame(b)
	b = append(b, 0x95, byte(OpSub))
	b = appendUint(b, uint64(s.Sid))
	b = appendStr(b, s.Pattern)
	b = appendOptStr(b, s.Queue)
	b = appendUint(b, uint64(s.Prefetch))
	return finishFrame(b, start)
}

// Decode fills s from a SUB body. A sid or prefetch too large for 32 bits
// gives a non-fatal invalid_subscription *Error (the frame itself is sound).
func (s *Sub) Decode(body []byte) error {
	d := dec{b: body}
	extra := d.begin(OpSub, 4)
	sid := d.uint()
	s.Pattern = d.str()
	s.Queue = d.optStr()
	prefetch := d.uint()
	if err := d.end(extra); err != nil {
		return err
	}
	if sid > MaxSid || prefetch > MaxSid {
		s.Sid, s.Prefetch = 0, 0
		return &Error{Code: CodeInvalidSubscription, Message: "sid and prefetch must fit in 32 bits", RefOp: OpSub, RefChannel: string(s.Pattern)}
	}
	s.Sid, s.Prefetch = uint32(sid), uint32(prefetch)
	return nil
}

// Unsub ends a subscription (PROTOCOL.md 6.3): at once when Max is 0,
// otherwise after Max more messages.
type Unsub struct {
	Sid uint32
	Max uint64
}

// Append appends u as a whole frame.
func (u *Unsub) Append(b []byte) []byte {
	b, start := beginFrame(b)
	b = append(b, 0x93, byte(OpUnsub))
	b = appendUint(b, uint64(u.Sid))
	b = appendUint(b, u.Max)
	return finishFrame(b, start)
}

// Decode fills u from an UNSUB body. A sid too large for 32 bits gives a
// non-fatal unknown_sid *Error.
func (u *Unsub) Decode(body []byte) error {
	d := dec{b: body}
	extra := d.begin(OpUnsub, 2)
	sid := d.uint()
	u.Max = d.uint()
	if err := d.end(extra); err != nil {
		return err
	}
	if sid > MaxSid {
		u.Sid = 0
		return &Error{Code: CodeUnknownSid, Message: "no subscription has sid " + uitoa(sid), RefOp: OpUnsub}
	}
	u.Sid = uint32(sid)
	return nil
}

// Ack returns Count prefetch credits to subscription Sid (PROTOCOL.md 6.4).
type Ack struct {
	Sid   uint32
	Count uint32
}

// Append appends a as a whole frame.
func (a *Ack) Append(b []byte) []byte {
	b, start := beginFrame(b)
	b = append(b, 0x93, byte(OpAck))
	b = appendUint(b, uint64(a.Sid))
	b = appendUint(b, uint64(a.Count))
	return finishFrame(b, start)
}

// Decode fills a from an ACK body. Counts beyond 32 bits are clamped (credit
// never exceeds prefetch anyway); a sid too large gives unknown_sid.
func (a *Ack) Decode(body []byte) error {
	d := dec{b: body}
	extra := d.begin(OpAck, 2)
	sid := d.uint()
	count := d.uint()
	if err := d.end(extra); err != nil {
		return err
	}
	a.Count = uint32(min(count, MaxSid))
	if sid > MaxSid {
		a.Sid = 0
		return &Error{Code: CodeUnknownSid, Message: "no subscription has sid " + uitoa(sid), RefOp: OpAck}
	}
	a.Sid = uint32(sid)
	return nil
}
