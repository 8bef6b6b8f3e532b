package driver

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMQTTReadsRecordedStream(t *testing.T) {
	// CONNACK, two SUBACKs (one of "$share/q/bench/rec"), PINGRESP, PUBLISH
	// "hello", PUBLISH of 200 bytes (a two-byte remaining length), PINGRESP.
	bothWays(t, recorded(t, "mqtt.bin"), func(t *testing.T, b base, _ *bytes.Buffer) {
		got, err := readAll((&mqttConn{base: b}).Read)
		requireEOF(t, err)
		assert.Equal(t, []event{pong, msg("hello"), msg(strings.Repeat("x", 200)), pong}, got)
	})
}

func TestMQTTQoS1PublishSkipsPacketID(t *testing.T) {
	// A PUBLISH at QoS 1 carries a packet id after the topic.
	pkt := []byte{0x32, 2 + 1 + 2 + 2, 0, 1, 't', 0, 7, 'h', 'i'}
	b, _ := replayBase(pkt, false)
	k, p, err := (&mqttConn{base: b}).Read()
	require.NoError(t, err)
	assert.Equal(t, KindMsg, k)
	assert.Equal(t, "hi", string(p))
}

func TestMQTTErrors(t *testing.T) {
	for name, in := range map[string][]byte{
		"refused SUBACK":    {0x90, 3, 0, 1, 0x80},
		"topic past end":    {0x30, 3, 0, 9, 'x'},
		"remaining length":  {0x30, 0xff, 0xff, 0xff, 0xff, 0x01},
		"truncated publish": {0x30, 10, 0, 1},
	} {
		t.Run(name, func(t *testing.T) {
			b, _ := replayBase(in, false)
			_, _, err := (&mqttConn{base: b}).Read()
			require.Error(t, err)
		})
	}
}

func TestMQTTEncodes(t *testing.T) {
	b, w := replayBase(nil, false)
	c := &mqttConn{base: b}
	require.NoError(t, c.Subscribe("bench/x", ""))
	require.NoError(t, c.Subscribe("bench/x", "workers"))
	require.NoError(t, c.Publish("bench/x", []byte("hello")))
	require.NoError(t, c.Flush())
	require.NoError(t, c.Ping())
	want := []byte{0x82, 12, 0, 1, 0, 7}
	want = append(want, "bench/x"...)
	want = append(want, 0, 0x82, 27, 0, 2, 0, 22)
	want = append(want, "$share/workers/bench/x"...)
	want = append(want, 0, 0x30, 14, 0, 7)
	want = append(want, "bench/xhello"...)
	want = append(want, 0xc0, 0)
	assert.Equal(t, want, w.Bytes())
}

func TestMQTTRemainingLength(t *testing.T) {
	for _, n := range []int{0, 127, 128, 16383, 16384, 2097151, 2097152} {
		enc := appendRemLen([]byte{0x30}, n)
		b, _ := replayBase(append(enc, make([]byte, 0)...), false)
		c := &mqttConn{base: b}
		// Only the header is present: packet must ask for n more bytes.
		_, _, err := c.packet()
		if n == 0 {
			require.NoError(t, err)
			continue
		}
		require.Error(t, err, "n=%d", n)
		assert.Equal(t, len(enc), c.in.w, "n=%d: the header is %d bytes", n, len(enc))
	}
}
