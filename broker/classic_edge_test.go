package broker

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// TestClassicSendOnlyFirstFrames pins 14.2: an empty first frame, or one
// that is not a valid channel, makes a send-only client that stays connected
// and whose pairs are routed.
func TestClassicSendOnlyFirstFrames(t *testing.T) {
	srv, addr, caddr := startClassicServer(t, DefaultConfig())
	h := connect(t, addr)
	h.sub(1, "/in")
	h.sync()
	for _, first := range []string{"", "topic/foo", "/a/*", "/a/>", "/a//b", "/a/", "/has space", strings.Repeat("/x", 200)} {
		c := dialClassic(t, caddr, first)
		c.send("/in", []byte("from "+first))
		m := h.expectMsg()
		require.Equal(t, "from "+first, string(m.Payload))
		c.send("/in", []byte("still open"))
		require.Equal(t, "still open", string(h.expectMsg().Payload))
	}
	assert.Equal(t, 1, srv.Stats().Subscriptions, "send-only clients subscribe to nothing")
}

// TestClassicNullIsOrdinary pins 14.2: /null is a channel like any other.
func TestClassicNullIsOrdinary(t *testing.T) {
	srv, addr, caddr := startClassicServer(t, DefaultConfig())
	l := listenClassic(t, srv, caddr, "/null")
	h := connect(t, addr)
	h.sub(1, "/null")
	h.sync()
	sender := dialClassic(t, caddr, "/null")
	sender.send("/null", []byte("into the void"))
	l.expect("into the void")
	require.Equal(t, "into the void", string(h.expectMsg().Payload))
	sender.expect("into the void") // the sender names /null too, so it is subscribed
}

// TestClassicInvalidPairsDropped pins 14.7: a pair with an invalid
// destination or data over max_payload is dropped and counted; the
// connection stays open and later pairs are routed.
func TestClassicInvalidPairsDropped(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPayload = 1024
	var logs logBuffer
	cfg.Logger = logs.logger()
	srv, _, caddr := startClassicServer(t, cfg)
	l := listenClassic(t, srv, caddr, "/ok")
	c := dialClassic(t, caddr, "")
	c.send("no-slash", []byte("dropped 1"))
	c.send("/ok/*", []byte("dropped 2"))
	c.send("/ok", bytes.Repeat([]byte("x"), 1025))
	c.send("/ok", bytes.Repeat([]byte("y"), 1024))
	c.send("/"+strings.Repeat("z", 300), []byte("dropped 4"))
	c.send("/ok", []byte("after"))
	require.Equal(t, strings.Repeat("y", 1024), string(l.next()))
	l.expect("after")
	assert.Equal(t, uint64(3+1), srv.Stats().ClassicDropped)
	logs.waitLog(t, "classic client: publish dropped", "invalid channel", "no-slash")
}

// TestClassicEmptyData pins 14.3 and 14.4: an empty data frame is a message
// with an empty payload, delivered to a classic listener as an empty frame.
func TestClassicEmptyData(t *testing.T) {
	srv, addr, caddr := startClassicServer(t, DefaultConfig())
	l := listenClassic(t, srv, caddr, "/e")
	h := connect(t, addr)
	h.sub(1, "/e")
	h.sync()
	c := dialClassic(t, caddr, "")
	c.send("/e", nil)
	c.send("/e", []byte("x"))
	l.expect("")
	l.expect("x")
	m := h.expectMsg()
	require.NotNil(t, m.Payload)
	require.Empty(t, m.Payload)
	require.Equal(t, "x", string(h.expectMsg().Payload))
}

// TestClassicEmptyDestinationEndsSession pins 14.8: after an empty
// destination frame nothing is routed, and the connection closes once what
// was queued for the client is written.
func TestClassicEmptyDestinationEndsSession(t *testing.T) {
	srv, addr, caddr := startClassicServer(t, DefaultConfig())
	l := listenClassic(t, srv, caddr, "/s")
	c := listenClassic(t, srv, caddr, "/mine")
	pub := connect(t, addr)
	for i := 0; i < 3; i++ {
		pub.pub("/mine", []byte{byte('a' + i)})
	}
	pub.sync()
	// One write: the pair before the end, the end, and a pair after it.
	var b []byte
	for _, f := range []string{"/s", "before", "", "/s", "after"} {
		b = append(b, classicFrame([]byte(f))...)
	}
	c.write(b)
	for _, want := range []string{"a", "b", "c"} {
		c.expect(want)
	}
	c.expectClosed()
	l.expect("before")
	pub.pub("/s", []byte("marker"))
	l.expect("marker") // "after" was never routed
}

// TestClassicCutPair pins 14.8: a connection that ends between a destination
// frame and its data frame routes nothing of that pair; the close is logged.
func TestClassicCutPair(t *testing.T) {
	cfg := DefaultConfig()
	var logs logBuffer
	cfg.Logger = logs.logger()
	srv, addr, caddr := startClassicServer(t, cfg)
	l := listenClassic(t, srv, caddr, "/cut")
	c := dialClassic(t, caddr, "")
	c.send("/cut", []byte("whole"))
	c.write(classicFrame([]byte("/cut")))
	c.nc.Close()
	l.expect("whole")
	logs.waitLog(t, "between a destination frame and its data frame")
	pub := connect(t, addr)
	pub.pub("/cut", []byte("marker"))
	l.expect("marker")
}

// TestClassicBadFramesCloseOnlyThatClient pins 14.6: an oversize frame (as
// first frame, destination or data) or a truncated one closes that client
// with a log line; every other client, classic or Herald, carries on.
func TestClassicBadFramesCloseOnlyThatClient(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPayload = 4096
	var logs logBuffer
	cfg.Logger = logs.logger()
	srv, addr, caddr := startClassicServer(t, cfg)
	l := listenClassic(t, srv, caddr, "/shared")
	h := connect(t, addr)
	h.sub(1, "/shared")
	h.sync()
	sender := dialClassic(t, caddr, "")
	round := 0
	check := func() {
		t.Helper()
		round++
		msg := []byte{byte('0' + round)}
		sender.send("/shared", msg)
		l.expect(string(msg))
		require.Equal(t, string(msg), string(h.expectMsg().Payload))
	}
	over := binary.BigEndian.AppendUint32(nil, uint32(cfg.MaxPayload+wire.FrameOverhead+1))
	sendOnly := classicFrame(nil)
	dest := classicFrame([]byte("/shared"))
	limitSized := classicFrame(make([]byte, cfg.MaxPayload+wire.FrameOverhead)) // valid frame, data over max_payload
	cases := []struct {
		name   string
		stream []byte
	}{
		{"oversize first frame", over},
		{"oversize destination", concat(sendOnly, over)},
		{"oversize data", concat(sendOnly, dest, over)},
		{"limit-sized data, then oversize destination", concat(sendOnly, dest, limitSized, over)},
		{"huge length", concat(sendOnly, []byte{0xff, 0xff, 0xff, 0xff})},
	}
	for _, tc := range cases {
		bad := dialClassicRaw(t, caddr)
		bad.write(tc.stream)
		bad.expectClosed()
		check()
	}
	logs.waitLog(t, "classic client sent an oversize frame")

	// Truncated: the length promises more than arrives before the close.
	tr := dialClassic(t, caddr, "")
	tr.write(append(classicFrame([]byte("/shared")), binary.BigEndian.AppendUint32(nil, 100)...))
	tr.write([]byte("only ten b"))
	tr.nc.Close()
	logs.waitLog(t, "classic client closed in the middle of a frame")
	check()
	assert.Equal(t, uint64(1), srv.Stats().ClassicDropped, "the limit-sized data frame was over max_payload")
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
