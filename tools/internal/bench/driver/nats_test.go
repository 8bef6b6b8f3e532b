package driver

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNATSReadsRecordedStream(t *testing.T) {
	// INFO, PONG (CONNECT), PONG (SUBs), the two messages to sid 1 and to the
	// queue sid 2 (one payload holds a CRLF), PONG; then a server PING.
	data := append(recorded(t, "nats.bin"), "PING\r\n"...)
	bothWays(t, data, func(t *testing.T, b base, w *bytes.Buffer) {
		c := &natsConn{base: b}
		got, err := readAll(c.Read)
		requireEOF(t, err)
		assert.Equal(t, []event{pong, pong, msg("hello"), msg("hello"), msg("line\r\nbreak!"), msg("line\r\nbreak!"), pong}, got)
		assert.Equal(t, "PONG\r\n", w.String(), "a server PING is answered")
	})
}

func TestNATSErrors(t *testing.T) {
	for name, in := range map[string]string{
		"-ERR":               "-ERR 'Slow Consumer'\r\n",
		"bad size":           "MSG a 1 x\r\n",
		"payload not CRLF'd": "MSG a 1 2\r\nabcd",
		"unknown line":       "WHAT\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			b, _ := replayBase([]byte(in), false)
			_, _, err := (&natsConn{base: b}).Read()
			require.Error(t, err)
		})
	}
}

func TestNATSEncodes(t *testing.T) {
	b, w := replayBase(nil, false)
	c := &natsConn{base: b}
	require.NoError(t, c.Subscribe("bench.x", ""))
	require.NoError(t, c.Subscribe("bench.x", "workers"))
	require.NoError(t, c.Publish("bench.x", []byte("hello")))
	require.NoError(t, c.Flush())
	require.NoError(t, c.Ping())
	assert.Equal(t, "SUB bench.x 1\r\nSUB bench.x workers 2\r\nPUB bench.x 5\r\nhello\r\nPING\r\n", w.String())
}

func TestNATSConnectHandshake(t *testing.T) {
	data := recorded(t, "nats.bin")
	b, w := replayBase(data, false)
	c := &natsConn{base: b}
	require.NoError(t, c.connect())
	assert.Equal(t, natsConnect, w.String())
}
