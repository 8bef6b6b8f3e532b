package wire

// Hello opens a session (PROTOCOL.md 4.2). Decode applies the spec's defaults
// for options the frame leaves out: Echo and Headers true, NoResponders false.
type Hello struct {
	Version      uint64 // protocol version the client speaks; Version for this codec
	Name         string // client name, for logs
	User         string // empty when absent
	Token        string // empty when absent; never log it
	Echo         bool   // deliver this connection's own publishes to its own subscriptions
	Headers      bool   // the client accepts MSG headers
	NoResponders bool   // the client wants no-responders messages (7.10)
}

// Append appends h as a whole frame.
func (h *Hello) Append(b []byte) []byte {
	b, start := beginFrame(b)
	b = appendArrayHeader(b, 6)
	b = appendUint(b, uint64(OpHello))
	b = appendUint(b, h.Version)
	b = appendStr(b, h.Name)
	b = appendOptString(b, h.User)
	b = appendOptString(b, h.Token)
	b = appendMapHeader(b, 3)
	b = appendStr(b, "echo")
	b = appendBool(b, h.Echo)
	b = appendStr(b, "headers")
	b = appendBool(b, h.Headers)
	b = appendStr(b, "no_responders")
	b = appendBool(b, h.NoResponders)
	return finishFrame(b, start)
}

// Decode fills h from a HELLO body. Unknown option keys are ignored; a known
// key with a value of the wrong type is bad_frame.
func (h *Hello) Decode(body []byte) error {
	d := dec{b: body}
	extra := d.begin(OpHello, 5)
	h.Version = d.uint()
	h.Name = string(d.str())
	h.User = string(d.optStr())
	h.Token = string(d.optStr())
	h.Echo, h.Headers, h.NoResponders = true, true, false
	n := d.mapLen()
	for k := 0; k < n && d.err == nil; k++ {
		key := d.str()
		switch string(key) {
		case "echo":
			h.Echo = d.boolean()
		case "headers":
			h.Headers = d.boolean()
		case "no_responders":
			h.NoResponders = d.boolean()
		default:
			d.skip(1)
		}
	}
	return d.end(extra)
}

func appendOptString(b []byte, s string) []byte {
	if s == "" {
		return append(b, 0xc0)
	}
	return appendStr(b, s)
}
