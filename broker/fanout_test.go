package broker

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// TestFanOutTo100 pins 7.1-7.3: every subscriber gets every message once, in
// publish order, with its own gap-free seq.
func TestFanOutTo100(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	const subs, msgs = 100, 200
	clients := make([]*rawClient, subs)
	for i := range clients {
		clients[i] = connect(t, addr)
		pattern := "/fan/out"
		if i%2 == 1 {
			pattern = "/fan/*"
		}
		clients[i].sub(uint32(i+1), pattern)
		clients[i].sync()
	}
	pub := connect(t, addr)
	for i := 0; i < msgs; i++ {
		pub.pub("/fan/out", []byte(fmt.Sprint(i)))
	}
	for i, c := range clients {
		for k := 0; k < msgs; k++ {
			m := c.expectMsg()
			require.Equal(t, uint32(i+1), m.Sid)
			require.Equal(t, uint64(k+1), m.Seq)
			require.Equal(t, fmt.Sprint(k), string(m.Payload))
		}
	}
}

// TestEchoOption pins 4.2 and 7.9: with echo false a connection does not
// receive its own publishes.
func TestEchoOption(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	self := connect(t, addr, func(h *wire.Hello) { h.Echo = false })
	self.sub(1, "/e")
	other := connect(t, addr)
	other.sub(1, "/e")
	other.sync()
	self.pub("/e", []byte("mine"))
	self.sync()
	other.pub("/e", []byte("theirs"))
	assert.Equal(t, "mine", string(other.expectMsg().Payload))
	assert.Equal(t, "theirs", string(other.expectMsg().Payload))
	m := self.expectMsg()
	assert.Equal(t, "theirs", string(m.Payload), "own publish not echoed")
	assert.Equal(t, uint64(1), m.Seq)
}

// TestHeadersCarriedOrStripped pins 4.2: headers reach a subscriber that
// accepts them and are nil for one that opted out.
func TestHeadersCarriedOrStripped(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	with := connect(t, addr)
	with.sub(1, "/h")
	without := connect(t, addr, func(h *wire.Hello) { h.Headers = false })
	without.sub(1, "/h")
	with.sync()
	without.sync()
	pub := connect(t, addr)
	h := wire.EncodeHeaders(map[string]string{"trace": "abc"})
	pub.send((&wire.Pub{Channel: []byte("/h"), ReplyTo: []byte("/r/1"), Headers: h, Payload: []byte("p")}).Append(nil))
	m := with.expectMsg()
	got, err := wire.DecodeHeaders(m.Headers)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"trace": "abc"}, got)
	assert.Equal(t, "/r/1", string(m.ReplyTo))
	m = without.expectMsg()
	assert.Nil(t, m.Headers)
	assert.Equal(t, "p", string(m.Payload))
	assert.Equal(t, "/r/1", string(m.ReplyTo))
}

// TestNoResponders pins 7.10.
func TestNoResponders(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	req := connect(t, addr, func(h *wire.Hello) { h.NoResponders = true })
	req.sub(9, "/_inbox/me/>")
	req.send((&wire.Pub{Channel: []byte("/svc/none"), ReplyTo: []byte("/_inbox/me/1"), Payload: []byte("q")}).Append(nil))
	m := req.expectMsg()
	assert.Equal(t, uint32(9), m.Sid)
	assert.Equal(t, "/_inbox/me/1", string(m.Channel))
	assert.Empty(t, m.Payload)
	h, err := wire.DecodeHeaders(m.Headers)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"status": "no_responders"}, h)

	// With a responder there is no such message; without the option neither.
	svc := connect(t, addr)
	svc.sub(1, "/svc/one")
	svc.sync()
	req.send((&wire.Pub{Channel: []byte("/svc/one"), ReplyTo: []byte("/_inbox/me/2"), Payload: []byte("q")}).Append(nil))
	assert.Equal(t, "q", string(svc.expectMsg().Payload))
	plain := connect(t, addr)
	plain.sub(1, "/_inbox/p/>")
	plain.send((&wire.Pub{Channel: []byte("/svc/none"), ReplyTo: []byte("/_inbox/p/1"), Payload: []byte("q")}).Append(nil))
	plain.sync()
	req.sync()
	assert.Empty(t, plain.backlog)
	assert.Empty(t, req.backlog)
}

// TestUnsubscribe pins 6.8 and 6.9.
func TestUnsubscribe(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	c := connect(t, addr)
	c.sub(1, "/u")
	c.sub(2, "/u")
	c.send((&wire.Unsub{Sid: 1}).Append(nil))
	c.send((&wire.Unsub{Sid: 2, Max: 2}).Append(nil))
	for i := 0; i < 4; i++ {
		c.pub("/u", []byte(fmt.Sprint(i)))
	}
	c.sync()
	require.Len(t, c.backlog, 2)
	for i := 0; i < 2; i++ {
		m := c.expectMsg()
		assert.Equal(t, uint32(2), m.Sid)
		assert.Equal(t, fmt.Sprint(i), string(m.Payload))
	}
	c.send((&wire.Unsub{Sid: 2}).Append(nil))
	e := c.expectErr(wire.CodeUnknownSid)
	assert.Equal(t, wire.OpUnsub, e.RefOp)
	assert.Equal(t, uint32(2), e.RefSid)
	// The sid is free again.
	c.sub(2, "/u")
	c.pub("/u", []byte("again"))
	m := c.expectMsg()
	assert.Equal(t, uint64(1), m.Seq, "a new subscription starts at seq 1")
}

// TestSubscriptionLimits pins 6.2-6.6.
func TestSubscriptionLimits(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxSubscriptions = 3
	cfg.MaxPayload = 100
	cfg.MaxHeaderBytes = 20
	_, addr := startServer(t, cfg)
	c := connect(t, addr)
	assert.Equal(t, uint64(3), c.welcome.MaxSubscriptions)
	assert.Equal(t, uint64(100+wire.FrameOverhead), c.welcome.MaxFrame)
	for i := 1; i <= 3; i++ {
		c.sub(uint32(i), "/l")
	}
	c.sub(4, "/l")
	e := c.expectErr(wire.CodeTooManySubscriptions)
	assert.Equal(t, uint32(4), e.RefSid)
	c.sub(3, "/other")
	e = c.expectErr(wire.CodeInvalidSubscription)
	assert.Equal(t, uint32(3), e.RefSid)
	c.pub("/l", make([]byte, 101))
	e = c.expectErr(wire.CodePayloadTooLarge)
	assert.Equal(t, "/l", e.RefChannel)
	c.send((&wire.Pub{Channel: []byte("/l"), Headers: wire.EncodeHeaders(map[string]string{"k": "a long header value"}), Payload: []byte("x")}).Append(nil))
	c.expectErr(wire.CodeHeadersTooLarge)
	c.pub("/l", make([]byte, 100))
	for i := 0; i < 3; i++ {
		assert.Len(t, c.expectMsg().Payload, 100)
	}
}

// TestUnsubMaxIsAbsolute pins 6.8: UNSUB max is the last seq the
// subscription gets, counted from its SUB.
func TestUnsubMaxIsAbsolute(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	c := connect(t, addr)
	c.sub(1, "/abs")
	for i := 0; i < 3; i++ {
		c.pub("/abs", []byte(fmt.Sprint(i)))
	}
	c.send((&wire.Unsub{Sid: 1, Max: 5}).Append(nil)) // seq is 3: two more
	for i := 3; i < 8; i++ {
		c.pub("/abs", []byte(fmt.Sprint(i)))
	}
	c.sync()
	require.Len(t, c.backlog, 5)
	for i := 1; i <= 5; i++ {
		assert.Equal(t, uint64(i), c.expectMsg().Seq)
	}
	c.sub(2, "/abs")
	c.pub("/abs", []byte("x"))
	c.send((&wire.Unsub{Sid: 2, Max: 1}).Append(nil)) // already at seq 1: ends now
	c.pub("/abs", []byte("y"))
	c.sync()
	require.Len(t, c.backlog, 1)
	assert.Equal(t, "x", string(c.expectMsg().Payload))
	c.send((&wire.Unsub{Sid: 2}).Append(nil))
	c.expectErr(wire.CodeUnknownSid)
}
