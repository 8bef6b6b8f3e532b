package driver

import (
	"bytes"
	"strings"
	"testing"

	"github.com/heraldmq/herald/spec/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeraldReadsRecordedStream(t *testing.T) {
	// WELCOME, PONG, "hello" and 300 bytes to sid 1 and to queue member sid
	// 2, PONG; then a NOTICE, a server PING and an ERR appended.
	data := recorded(t, "herald.bin")
	data = (&wire.Notice{Sid: 1, Count: 3, First: 3, Last: 5, Reason: wire.ReasonSlowConsumer}).Append(data)
	data = wire.AppendPing(data)
	data = (&wire.Error{Code: wire.CodeSlowConsumer, Message: "too slow"}).Append(data)
	bothWays(t, data, func(t *testing.T, b base, w *bytes.Buffer) {
		c := &heraldConn{base: b, max: 1 << 20}
		got, err := readAll(c.Read)
		var werr *wire.Error
		require.ErrorAs(t, err, &werr)
		assert.Equal(t, wire.CodeSlowConsumer, werr.Code)
		y := strings.Repeat("y", 300)
		assert.Equal(t, []event{pong, msg("hello"), msg(y), msg("hello"), msg(y), pong}, got)
		assert.Equal(t, uint64(3), c.Dropped())
		assert.Equal(t, wire.AppendPong(nil), w.Bytes(), "a server PING is answered")
	})
}

func TestHeraldHelloReadsWelcome(t *testing.T) {
	b, w := replayBase(recorded(t, "herald.bin"), false)
	c := &heraldConn{base: b, max: wire.MaxHelloFrame}
	require.NoError(t, c.hello("secret"))
	assert.Equal(t, 1<<20+wire.FrameOverhead, c.max, "max_frame from WELCOME")
	var h wire.Hello
	body := w.Bytes()[wire.HeaderLen:]
	require.NoError(t, h.Decode(body))
	assert.Equal(t, "secret", h.Token)
	assert.False(t, h.Headers, "the benchmark turns headers off")
}

func TestHeraldHelloRefused(t *testing.T) {
	refusal := (&wire.Error{Code: wire.CodeAuthFailed, Message: "bad token"}).Append(nil)
	b, _ := replayBase(refusal, false)
	err := (&heraldConn{base: b, max: wire.MaxHelloFrame}).hello("")
	var werr *wire.Error
	require.ErrorAs(t, err, &werr)
	assert.Equal(t, wire.CodeAuthFailed, werr.Code)
}

func TestHeraldFrameLimits(t *testing.T) {
	for name, in := range map[string][]byte{
		"zero length": {0, 0, 0, 0},
		"too large":   {0, 0x10, 0, 0},
	} {
		t.Run(name, func(t *testing.T) {
			b, _ := replayBase(in, false)
			_, _, err := (&heraldConn{base: b, max: 4096}).Read()
			require.Error(t, err)
		})
	}
}

func TestHeraldEncodes(t *testing.T) {
	b, w := replayBase(nil, false)
	c := &heraldConn{base: b, max: wire.MaxHelloFrame}
	require.NoError(t, c.Subscribe("/bench/x", "workers"))
	require.NoError(t, c.Publish("/bench/x", []byte("hello")))
	require.NoError(t, c.Flush())
	r := wire.NewReader(w, 1<<16)
	body, err := r.Next()
	require.NoError(t, err)
	var s wire.Sub
	require.NoError(t, s.Decode(body))
	assert.Equal(t, wire.Sub{Sid: 1, Pattern: []byte("/bench/x"), Queue: []byte("workers")}, s)
	body, err = r.Next()
	require.NoError(t, err)
	var p wire.Pub
	require.NoError(t, p.Decode(body))
	assert.Equal(t, "/bench/x", string(p.Channel))
	assert.Equal(t, "hello", string(p.Payload))
	assert.Nil(t, p.Headers)
}
