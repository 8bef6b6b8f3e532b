package wire

// Pub publishes a message (PROTOCOL.md 6.1). After Decode, the byte-slice
// fields alias the frame body. ReplyTo and Headers are nil when absent;
// Headers holds the encoded MessagePack map (see DecodeHeaders).
type Pub struct {
	Channel []byte
	ReplyTo []byte
	Headers []byte
	Payload []byte
}

// Append appends p as a whole frame. p.Headers must be nil or an encoded map
// (see AppendHeaders).
func (p *Pub) Append(b []byte) []byte {
	b, start := beginFrame(b)
	b = append(b, 0x95, byte(OpPub))
	b = appendStr(b, p.Channel)
	b = appendOptStr(b, p.ReplyTo)
	b = appendRawHeaders(b, p.Headers)
	b = appendBinHeader(b, len(p.Payload))
	b = append(b, p.Payload...)
	return finishFrame(b, start)
}

// Decode fills p from a PUB body without allocating. It checks the frame's
// shape only; channel grammar and size limits are the caller's to check.
func (p *Pub) Decode(body []byte) error {
	// Fast path: the canonical encoding of a PUB with at most 15 elements.
	d := dec{b: body}
	extra := d.begin(OpPub, 4)
	p.Channel = d.str()
	p.ReplyTo = d.optStr()
	p.Headers = d.headers()
	p.Payload = d.bin()
	return d.end(extra)
}

func appendRawHeaders(b, h []byte) []byte {
	if h == nil {
		return append(b, 0xc0)
	}
	return append(b, h...)
}
