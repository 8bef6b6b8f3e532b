package wire_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/heraldmq/herald/spec"
	"github.com/heraldmq/herald/spec/wire"
)

// FuzzDecode feeds arbitrary bytes through the frame reader and every
// decoder a server uses. It must never panic, and it must never allocate much
// more than the input could justify: decoders allocate at most the frame's
// own size, and the reader at most its largest pooled buffer.
func FuzzDecode(f *testing.F) {
	for _, v := range spec.Ops().Vectors {
		f.Add(v.Bytes())
	}
	for _, v := range spec.Invalid().Vectors {
		f.Add(v.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := wire.NewReader(bytes.NewReader(data), wire.MaxHelloFrame)
		for {
			b, err := r.Next()
			if err != nil {
				break
			}
			_ = decodeAsServer(b)
			var m wire.Msg
			_ = m.Decode(b)
			var w wire.Welcome
			_ = w.Decode(b)
			var e wire.Error
			_ = e.Decode(b)
			var n wire.Notice
			_ = n.Decode(b)
			var p wire.Pub
			if p.Decode(b) == nil {
				_, _ = wire.DecodeHeaders(p.Headers)
				// A decodable PUB re-encodes to a frame that decodes the same.
				again := body(t, p.Append(nil))
				var q wire.Pub
				if err := q.Decode(again); err != nil {
					t.Fatalf("re-encoded PUB does not decode: %v", err)
				}
				if !bytes.Equal(p.Channel, q.Channel) || !bytes.Equal(p.Payload, q.Payload) ||
					!bytes.Equal(p.ReplyTo, q.ReplyTo) || !bytes.Equal(p.Headers, q.Headers) {
					t.Fatalf("PUB changed on re-encoding")
				}
			}
		}
		runtime.ReadMemStats(&after)
		limit := uint64(256<<10 + 8*len(data))
		if got := after.TotalAlloc - before.TotalAlloc; got > limit {
			t.Fatalf("decoding %d bytes allocated %d bytes (limit %d)", len(data), got, limit)
		}
	})
}

// FuzzChannel checks the grammar functions against each other: they never
// panic, a valid channel is a valid pattern that matches itself, and a
// pattern matches only valid channels it could describe.
func FuzzChannel(f *testing.F) {
	cv := spec.Channels()
	for _, m := range cv.Matches {
		f.Add(m.Pattern, m.Channel)
	}
	for _, c := range cv.InvalidChannels {
		f.Add(c.Value, "/a")
	}
	f.Fuzz(func(t *testing.T, pattern, channel string) {
		p, c := []byte(pattern), []byte(channel)
		vc, vp := wire.ValidChannel(c), wire.ValidPattern(p)
		if vc && !wire.ValidPattern(c) {
			t.Fatalf("valid channel %q is not a valid pattern", c)
		}
		if vc && !wire.Match(c, c) {
			t.Fatalf("channel %q does not match itself", c)
		}
		if vp && vc {
			m := wire.Match(p, c)
			if wire.ValidChannel(p) && m != bytes.Equal(p, c) {
				t.Fatalf("literal pattern %q vs %q: match=%v", p, c, m)
			}
			if bytes.Equal(p, []byte("/>")) && !m {
				t.Fatalf("/> must match %q", c)
			}
		}
		_ = wire.ValidQueue(p)
		_ = wire.IsQueuePattern(p)
	})
}
