package broker

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPubSubRoundTrip(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	sub := connect(t, addr)
	sub.sub(1, "/topic/>")
	sub.sync()
	pub := connect(t, addr)
	pub.pub("/topic/foo", []byte("hello"))
	m := sub.expectMsg()
	assert.Equal(t, uint32(1), m.Sid)
	assert.Equal(t, uint64(1), m.Seq)
	assert.Equal(t, "/topic/foo", string(m.Channel))
	assert.Equal(t, "hello", string(m.Payload))
}
