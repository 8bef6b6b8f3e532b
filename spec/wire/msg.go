package wire

import "encoding/binary"

// Msg delivers a message to a subscription (PROTOCOL.md 6, 7). After Decode,
// the byte-slice fields alias the frame body. ReplyTo and Headers are nil when
// absent.
type Msg struct {
	Sid     uint32
	Seq     uint64
	Channel []byte
	ReplyTo []byte
	Headers []byte
	Payload []byte
}

// Append appends m as a whole frame, with sid and seq in the fixed widths the
// spec requires (2.7).
func (m *Msg) Append(b []byte) []byte {
	start := len(b)
	b = AppendMsgTemplate(b, m.Channel, m.ReplyTo, m.Headers, m.Payload)
	PatchMsg(b[start:], m.Sid, m.Seq)
	return b
}

// AppendMsgTemplate appends a whole MSG frame with sid and seq zero. A server
// builds one template per published message and, per subscriber, copies it
// and calls PatchMsg. headers must be nil or an encoded map.
func AppendMsgTemplate(b, channel, replyTo, headers, payload []byte) []byte {
	b, start := beginFrame(b)
	b = append(b, 0x97, byte(OpMsg), 0xce, 0, 0, 0, 0, 0xcf, 0, 0, 0, 0, 0, 0, 0, 0)
	b = appendStr(b, channel)
	b = appendOptStr(b, replyTo)
	b = appendRawHeaders(b, headers)
	b = appendBinHeader(b, len(payload))
	b = append(b, payload...)
	return finishFrame(b, start)
}

// MsgFrameLen returns the length of the whole frame AppendMsgTemplate would
// append, without building it.
func MsgFrameLen(channel, replyTo, headers, payload []byte) int {
	n := MsgPrefixLen + strHeaderLen(len(channel)) + len(channel)
	if replyTo == nil {
		n++
	} else {
		n += strHeaderLen(len(replyTo)) + len(replyTo)
	}
	if headers == nil {
		n++
	} else {
		n += len(headers)
	}
	return n + binHeaderLen(len(payload)) + len(payload)
}

// PatchMsg writes sid and seq into a MSG frame built by AppendMsgTemplate.
func PatchMsg(frame []byte, sid uint32, seq uint64) {
	binary.BigEndian.PutUint32(frame[MsgSidOffset:], sid)
	binary.BigEndian.PutUint64(frame[MsgSeqOffset:], seq)
}

// MsgSid reads the sid of an encoded MSG frame (length prefix included).
func MsgSid(frame []byte) uint32 { return binary.BigEndian.Uint32(frame[MsgSidOffset:]) }

// Decode fills m from a MSG body without allocating. It accepts any integer
// encoding for sid and seq.
func (m *Msg) Decode(body []byte) error {
	d := dec{b: body}
	extra := d.begin(OpMsg, 6)
	sid := d.uint()
	m.Seq = d.uint()
	m.Channel = d.str()
	m.ReplyTo = d.optStr()
	m.Headers = d.headers()
	m.Payload = d.bin()
	if err := d.end(extra); err != nil {
		return err
	}
	if sid > MaxSid {
		return badFrame("sid must fit in 32 bits")
	}
	m.Sid = uint32(sid)
	return nil
}

func strHeaderLen(n int) int {
	switch {
	case n <= 31:
		return 1
	case n <= 0xff:
		return 2
	case n <= 0xffff:
		return 3
	}
	return 5
}

func binHeaderLen(n int) int {
	switch {
	case n <= 0xff:
		return 2
	case n <= 0xffff:
		return 3
	}
	return 5
}
