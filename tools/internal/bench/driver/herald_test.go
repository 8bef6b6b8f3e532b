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

func TestHeraldMsgFastPathAgreesWithTheCodec(t *testing.T) {
	long := strings.Repeat("c", 40)
	for name, m := range map[string]wire.Msg{
		"bin8":            {Sid: 1, Seq: 1, Channel: []byte("/a"), Payload: []byte("hello")},
		"bin16":           {Sid: 7, Seq: 1 << 40, Channel: []byte("/bench/x"), Payload: []byte(strings.Repeat("p", 300))},
		"bin32":           {Sid: 2, Seq: 9, Channel: []byte("/a"), Payload: []byte(strings.Repeat("q", 70000))},
		"str8 channel":    {Sid: 2, Seq: 9, Channel: []byte("/" + long), Payload: []byte("x")},
		"empty payload":   {Sid: 2, Seq: 9, Channel: []byte("/a"), Payload: []byte{}},
		"reply-to: codec": {Sid: 2, Seq: 9, Channel: []byte("/a"), ReplyTo: []byte("/r"), Payload: []byte("x")},
		"headers: codec":  {Sid: 2, Seq: 9, Channel: []byte("/a"), Headers: wire.EncodeHeaders(map[string]string{"k": "v"}), Payload: []byte("x")},
	} {
		t.Run(name, func(t *testing.T) {
			frame := m.Append(nil)
			b, _ := replayBase(frame, false)
			k, p, err := (&heraldConn{base: b, max: 1 << 20}).Read()
			require.NoError(t, err)
			assert.Equal(t, KindMsg, k)
			assert.Equal(t, string(m.Payload), string(p))
			_, fast := msgPayload(frame[wire.HeaderLen:])
			assert.Equal(t, m.ReplyTo == nil && m.Headers == nil, fast, "fast path taken only without reply-to and headers")
		})
	}
	for _, short := range [][]byte{{0x97, 0x06}, {0x97, 0x06, 0xce, 0, 0, 0, 1, 0xcf, 0, 0, 0, 0, 0, 0, 0, 1, 0xa1, '/', 0xc0, 0xc0, 0xc4}, {0x97, 0x06, 0xce, 0, 0, 0, 1, 0xcf, 0, 0, 0, 0, 0, 0, 0, 1, 0xa2, '/', 'a', 0xc0, 0xc0, 0xc4, 5, 'h'}} {
		_, ok := msgPayload(short)
		assert.False(t, ok, "a truncated MSG leaves the fast path")
	}
}
