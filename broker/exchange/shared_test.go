package exchange_test

import (
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/broker/exchange"
	"github.com/heraldmq/herald/spec/wire"
)

// TestSharesABrokersRouter: with WithRouter(srv.Router()), exchanges and the
// broker are one engine: a Send reaches Herald and classic subscribers, a
// Herald PUB reaches sinks, and a sink on a "/queue" exchange takes turns
// with a Herald member of the same rotation set.
func TestSharesABrokersRouter(t *testing.T) {
	srv, err := broker.New(broker.DefaultConfig())
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	go srv.ServeClassic(cln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
	})
	reg := newRegistry(t, exchange.WithRouter(srv.Router()))

	nc, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer nc.Close()
	rd := wire.NewReader(nc, 1<<20)
	next := func() []byte {
		t.Helper()
		nc.SetReadDeadline(time.Now().Add(waitFor))
		b, err := rd.Next()
		require.NoError(t, err)
		return b
	}
	var out []byte
	out = (&wire.Hello{Version: wire.Version, Echo: true, Headers: true}).Append(out)
	out = (&wire.Sub{Sid: 1, Pattern: []byte("/shared/>")}).Append(out)
	out = (&wire.Sub{Sid: 2, Pattern: []byte("/queue/shared")}).Append(out)
	out = wire.AppendPing(out)
	_, err = nc.Write(out)
	require.NoError(t, err)
	for _, want := range []wire.Op{wire.OpWelcome, wire.OpPong} {
		op, _ := wire.PeekOp(next())
		require.Equal(t, want, op)
	}

	cl, err := net.Dial("tcp", cln.Addr().String())
	require.NoError(t, err)
	defer cl.Close()
	_, err = cl.Write(append(binary.BigEndian.AppendUint32(nil, 9), "/shared/x"...))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return srv.Router().Count() == 3 }, waitFor, time.Millisecond)

	// Exchange to network.
	reg.Get("/shared/x").Send(exchange.Message{Data: []byte("from the exchange"), Value: "ignored on the wire"})
	var m wire.Msg
	require.NoError(t, m.Decode(next()))
	assert.Equal(t, "/shared/x", string(m.Channel))
	assert.Equal(t, "from the exchange", string(m.Payload))
	crd := wire.NewReader(cl, 1<<20)
	cl.SetReadDeadline(time.Now().Add(waitFor))
	body, err := crd.Next()
	require.NoError(t, err)
	assert.Equal(t, "from the exchange", string(body))

	// Network to exchange.
	sink := &recorder{}
	reg.Get("/shared/*").Attach(sink)
	_, err = nc.Write(append((&wire.Pub{Channel: []byte("/shared/y"), Payload: []byte("from herald")}).Append(nil), wire.AppendPing(nil)...))
	require.NoError(t, err)
	require.NoError(t, m.Decode(next())) // its own subscription /shared/> gets it too
	op, _ := wire.PeekOp(next())
	require.Equal(t, wire.OpPong, op)
	flush(t, reg)
	assert.Equal(t, []exchange.Message{{Exchange: "/shared/y", Data: []byte("from herald")}}, sink.messages())

	// One rotation set: the Herald member joined first, the sink second.
	worker := &recorder{}
	reg.Get("/queue/shared").Attach(worker)
	for i := 0; i < 4; i++ {
		reg.Get("/queue/shared").Send(exchange.Message{Data: []byte{byte('0' + i)}, Value: i})
	}
	flush(t, reg)
	assert.Equal(t, []int{1, 3}, worker.values())
	for _, want := range []string{"0", "2"} {
		require.NoError(t, m.Decode(next()))
		assert.Equal(t, uint32(2), m.Sid)
		assert.Equal(t, want, string(m.Payload))
	}
}
