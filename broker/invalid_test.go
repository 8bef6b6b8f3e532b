package broker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec"
	"github.com/heraldmq/herald/spec/wire"
)

// TestInvalidVectors sends every invalid frame of spec/vectors/invalid.json
// and checks the ERR it gets, whether the connection closes, and that a
// bystander publisher and subscriber keep working throughout.
func TestInvalidVectors(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	bySub := connect(t, addr)
	bySub.sub(1, "/bystander")
	bySub.sync()
	byPub := connect(t, addr)
	n := 0
	for _, v := range spec.Invalid().Vectors {
		t.Run(v.Name, func(t *testing.T) {
			var c *rawClient
			if v.Phase == "before_hello" {
				c = dialRaw(t, addr)
			} else {
				c = connect(t, addr)
			}
			c.send(v.Bytes())
			e := c.expectErr(wire.Code(v.Error))
			if v.RefOp != nil {
				assert.Equal(t, wire.Op(*v.RefOp), e.RefOp, "ref_op")
			}
			if v.RefSid != nil {
				assert.Equal(t, uint32(*v.RefSid), e.RefSid, "ref_sid")
			}
			if v.RefChannel != nil {
				assert.Equal(t, *v.RefChannel, e.RefChannel, "ref_channel")
			}
			if v.Fatal {
				c.expectClosed()
			} else {
				c.sync() // still open and serving
				c.sub(100, "/still/alive")
				c.pub("/still/alive", []byte("yes"))
				assert.Equal(t, "yes", string(c.expectMsg().Payload))
			}
			n++
			byPub.pub("/bystander", []byte(v.Name))
			require.Equal(t, v.Name, string(bySub.expectMsg().Payload))
		})
	}
	require.Equal(t, len(spec.Invalid().Vectors), n)
}

// TestHelloRules pins 4.1-4.5 beyond the vectors: WELCOME's content, and a
// client that pipelines SUB and PUB right behind HELLO.
func TestHelloRules(t *testing.T) {
	cfg := DefaultConfig()
	srv, addr := startServer(t, cfg)
	c := dialRaw(t, addr)
	c.send(
		(&wire.Hello{Version: wire.Version, Echo: true, Headers: true}).Append(nil),
		(&wire.Sub{Sid: 1, Pattern: []byte("/pipe")}).Append(nil),
		(&wire.Pub{Channel: []byte("/pipe"), Payload: []byte("early")}).Append(nil),
	)
	f := c.next()
	require.Equal(t, wire.OpWelcome, f.op)
	var w wire.Welcome
	require.NoError(t, w.Decode(f.body))
	assert.Equal(t, uint64(wire.Version), w.Version)
	assert.Equal(t, srv.ID(), w.ServerID)
	assert.Equal(t, uint64(cfg.MaxPayload), w.MaxPayload)
	assert.Equal(t, uint64(cfg.MaxPendingBytes), w.MaxPendingBytes)
	assert.Equal(t, string(OverflowDrop), w.Overflow)
	assert.Equal(t, uint64(30000), w.PingIntervalMs)
	assert.ElementsMatch(t, []string{wire.CapHeaders, wire.CapNoResponders, wire.CapPrefetch}, w.Capabilities)
	assert.Equal(t, "early", string(c.expectMsg().Payload))

	v := dialRaw(t, addr)
	v.send((&wire.Hello{Version: 7}).Append(nil))
	e := v.expectErr(wire.CodeUnsupportedVersion)
	assert.Contains(t, e.Message, "supported: 1")
	v.expectClosed()
}
