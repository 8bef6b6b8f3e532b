package broker

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/heraldmq/herald/spec/wire"
)

// FuzzClassicReader feeds arbitrary bytes to the classic-profile reader
// (PROTOCOL.md 14). It must never panic, and what it reports must be what
// the bytes say: the first step is the subscription, each pair it routes has
// a valid channel and data within max_payload and re-encodes to exactly the
// bytes it consumed, each pair it drops is invalid, and every error is one a
// connection knows how to close on.
func FuzzClassicReader(f *testing.F) {
	frames := func(bodies ...string) []byte {
		var b []byte
		for _, body := range bodies {
			b = append(b, classicFrame([]byte(body))...)
		}
		return b
	}
	f.Add(frames("/topic/foo", "/topic/foo", "data", "/queue/jobs", "", ""))
	f.Add(frames("", "/a", "x", "bad name", "y", "/a/*", "z"))
	f.Add(frames("/null", "/a"))                            // cut pair
	f.Add(append(frames("/x", "/a"), 0, 0, 0, 9, 'p'))      // truncated data
	f.Add(append(frames("/x"), 0xff, 0xff, 0xff, 0xff))     // oversize
	f.Add(frames("/x", "/a", string(make([]byte, 70)), "")) // data over max_payload
	const maxPayload = 64
	f.Fuzz(func(t *testing.T, in []byte) {
		rd := wire.NewReader(bytes.NewReader(in), maxPayload+16)
		rd.AllowEmpty(true)
		r := classicReader{rd: rd, maxPayload: maxPayload}
		off := 0
		for step := 0; ; step++ {
			ev, err := r.next()
			if err != nil {
				var we *wire.Error
				switch {
				case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				case errors.As(err, &we) && we.Code == wire.CodeFrameTooLarge:
				default:
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if (step == 0) != (ev.kind == classicSubscribe) {
				t.Fatalf("step %d is %v", step, ev.kind)
			}
			got := in[off : off+ev.wire]
			off += ev.wire
			switch ev.kind {
			case classicSubscribe:
				if ev.channel != nil && (!wire.ValidChannel(ev.channel) || !bytes.Equal(got, classicFrame(ev.channel))) {
					t.Fatalf("subscription %q from %x", ev.channel, got)
				}
			case classicPublish:
				if !wire.ValidChannel(ev.channel) || len(ev.data) > maxPayload {
					t.Fatalf("routed an invalid pair %q, %d bytes", ev.channel, len(ev.data))
				}
				if want := append(classicFrame(ev.channel), classicFrame(ev.data)...); !bytes.Equal(got, want) {
					t.Fatalf("pair %q %q from %x", ev.channel, ev.data, got)
				}
			case classicInvalid:
				// ev.channel may be a prefix kept for logs: judge the bytes.
				n := int(binary.BigEndian.Uint32(got))
				ch, data := got[4:4+n], got[8+n:]
				if ev.why == "" || (wire.ValidChannel(ch) && len(data) <= maxPayload) {
					t.Fatalf("dropped a valid pair %q (%s)", ch, ev.why)
				}
			case classicEnd:
				if !bytes.Equal(got, []byte{0, 0, 0, 0}) {
					t.Fatalf("end from %x", got)
				}
				return
			}
		}
	})
}
