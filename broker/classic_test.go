package broker

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// TestClassicFanout pins 14.2 to 14.4: every classic and Herald subscriber of
// a channel gets every pair a classic sender sends to it, in order, classic
// ones as bare data frames.
func TestClassicFanout(t *testing.T) {
	srv, addr, caddr := startClassicServer(t, DefaultConfig())
	var listeners []*classicClient
	for i := 0; i < 3; i++ {
		listeners = append(listeners, listenClassic(t, srv, caddr, "/topic/foo"))
	}
	h := connect(t, addr)
	h.sub(7, "/topic/foo")
	h.sync()
	sender := dialClassic(t, caddr, "/null")
	const n = 200
	for i := 0; i < n; i++ {
		sender.send("/topic/foo", []byte(fmt.Sprint("event ", i)))
	}
	for _, l := range listeners {
		for i := 0; i < n; i++ {
			l.expect(fmt.Sprint("event ", i))
		}
	}
	for i := 0; i < n; i++ {
		m := h.expectMsg()
		require.Equal(t, uint32(7), m.Sid)
		require.Equal(t, uint64(i+1), m.Seq)
		require.Equal(t, "/topic/foo", string(m.Channel))
		require.Equal(t, fmt.Sprint("event ", i), string(m.Payload))
		require.Nil(t, m.ReplyTo)
		require.Nil(t, m.Headers)
	}
	st := srv.Stats()
	assert.Equal(t, uint64(0), st.ClassicDropped)
	assert.GreaterOrEqual(t, st.InMsgs, uint64(n))
	var classic int
	for _, ci := range srv.Connz() {
		if ci.Classic {
			classic++
		}
	}
	assert.Equal(t, 4, classic, "Connz marks the classic connections")
}

// TestClassicSenderReachesHerald pins 14.3: a classic pair is routed as a
// PUB, so Herald wildcard subscriptions match it, and an empty data frame is
// an empty payload.
func TestClassicSenderReachesHerald(t *testing.T) {
	srv, addr, caddr := startClassicServer(t, DefaultConfig())
	h := connect(t, addr)
	h.sub(1, "/orders/>")
	h.sub(2, "/orders/*/new")
	h.sub(3, "/>")
	h.sync()
	sender := dialClassic(t, caddr, "")
	sender.send("/orders/eu/new", []byte("order 42"))
	sender.send("/orders/eu/new", nil)
	got := map[uint32][]string{}
	for i := 0; i < 6; i++ {
		m := h.expectMsg()
		assert.Equal(t, "/orders/eu/new", string(m.Channel))
		got[m.Sid] = append(got[m.Sid], string(m.Payload))
	}
	for sid := uint32(1); sid <= 3; sid++ {
		assert.Equal(t, []string{"order 42", ""}, got[sid], "sid %d", sid)
	}
	assert.Equal(t, 3, srv.Stats().Subscriptions, "the send-only client subscribed to nothing")
}

// TestHeraldPublisherReachesClassic pins 14.4: a Herald PUB reaches a classic
// listener as its payload alone, whatever its reply-to and headers, and an
// empty payload as an empty frame.
func TestHeraldPublisherReachesClassic(t *testing.T) {
	srv, addr, caddr := startClassicServer(t, DefaultConfig())
	l := listenClassic(t, srv, caddr, "/topic/foo")
	pub := connect(t, addr)
	p := wire.Pub{Channel: []byte("/topic/foo"), ReplyTo: []byte("/reply/here"),
		Headers: wire.EncodeHeaders(map[string]string{"k": "v"}), Payload: []byte("with headers")}
	pub.send(p.Append(nil))
	pub.pub("/topic/foo", nil)
	pub.pub("/topic/other", []byte("not for it"))
	pub.pub("/topic/foo", []byte("last"))
	l.expect("with headers")
	l.expect("")
	l.expect("last")
}

// TestClassicEcho pins 14.4: a classic client subscribed to the channel it
// sends to receives its own message.
func TestClassicEcho(t *testing.T) {
	srv, _, caddr := startClassicServer(t, DefaultConfig())
	c := listenClassic(t, srv, caddr, "/chat")
	c.send("/chat", []byte("hello me"))
	c.expect("hello me")
}
