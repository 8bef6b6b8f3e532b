package wire

// Overflow policies a server announces in WELCOME (PROTOCOL.md section 8).
const (
	OverflowDrop       = "drop"
	OverflowDisconnect = "disconnect"
)

// Capabilities a server may announce in WELCOME (PROTOCOL.md 4.7).
const (
	CapHeaders      = "headers"
	CapNoResponders = "no_responders"
	CapPrefetch     = "prefetch"
	CapAuth         = "auth"
)

// Welcome accepts a HELLO and announces the server's limits (PROTOCOL.md 4.4).
type Welcome struct {
	Version          uint64
	ServerID         string
	ServerName       string
	ServerVersion    string
	MaxPayload       uint64
	MaxFrame         uint64
	MaxHeaderBytes   uint64
	MaxSubscriptions uint64 // 0: unlimited
	PingIntervalMs   uint64
	MaxPingsOut      uint64
	MaxPendingBytes  uint64
	Overflow         string // OverflowDrop or OverflowDisconnect
	Capabilities     []string
}

// Has reports whether the server announced capability c.
func (w Welcome) Has(c string) bool {
	for _, x := range w.Capabilities {
		if x == c {
			return true
		}
	}
	return false
}

// Append appends w as a whole frame.
func (w *Welcome) Append(b []byte) []byte {
	b, start := beginFrame(b)
	b = appendArrayHeader(b, 14)
	b = appendUint(b, uint64(OpWelcome))
	b = appendUint(b, w.Version)
	b = appendStr(b, w.ServerID)
	b = appendStr(b, w.ServerName)
	b = appendStr(b, w.ServerVersion)
	b = appendUint(b, w.MaxPayload)
	b = appendUint(b, w.MaxFrame)
	b = appendUint(b, w.MaxHeaderBytes)
	b = appendUint(b, w.MaxSubscriptions)
	b = appendUint(b, w.PingIntervalMs)
	b = appendUint(b, w.MaxPingsOut)
	b = appendUint(b, w.MaxPendingBytes)
	b = appendStr(b, w.Overflow)
	b = appendArrayHeader(b, len(w.Capabilities))
	for _, c := range w.Capabilities {
		b = appendStr(b, c)
	}
	return finishFrame(b, start)
}

// Decode fills w from a WELCOME body.
func (w *Welcome) Decode(body []byte) error {
	d := dec{b: body}
	extra := d.begin(OpWelcome, 13)
	w.Version = d.uint()
	w.ServerID = string(d.str())
	w.ServerName = string(d.str())
	w.ServerVersion = string(d.str())
	w.MaxPayload = d.uint()
	w.MaxFrame = d.uint()
	w.MaxHeaderBytes = d.uint()
	w.MaxSubscriptions = d.uint()
	w.PingIntervalMs = d.uint()
	w.MaxPingsOut = d.uint()
	w.MaxPendingBytes = d.uint()
	w.Overflow = string(d.str())
	n := d.arrayLen()
	w.Capabilities = w.Capabilities[:0]
	for k := 0; k < n && d.err == nil; k++ {
		s := d.str()
		if d.err == nil {
			w.Capabilities = append(w.Capabilities, string(s))
		}
	}
	return d.end(extra)
}
