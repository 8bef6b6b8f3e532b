package driver

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedisReadsRecordedSubscriber(t *testing.T) {
	// The subscribe confirmation, ["pong", ""], two messages (one holds a
	// CRLF), ["pong", ""].
	bothWays(t, recorded(t, "redis_sub.bin"), func(t *testing.T, b base, _ *bytes.Buffer) {
		got, err := readAll((&redisConn{base: b}).Read)
		requireEOF(t, err)
		assert.Equal(t, []event{pong, msg("hello"), msg("line\r\nbreak!"), pong}, got)
	})
}

func TestRedisReadsRecordedPublisher(t *testing.T) {
	// Two PUBLISH integer replies, then +PONG.
	bothWays(t, recorded(t, "redis_pub.bin"), func(t *testing.T, b base, _ *bytes.Buffer) {
		got, err := readAll((&redisConn{base: b}).Read)
		requireEOF(t, err)
		assert.Equal(t, []event{pong}, got)
	})
}

func TestRedisErrors(t *testing.T) {
	for name, in := range map[string]string{
		"-ERR":           "-ERR unknown command\r\n",
		"bad array":      "*x\r\n",
		"not bulk":       "*3\r\n:1\r\n",
		"unexpected":     "?\r\n",
		"error in array": "*2\r\n$3\r\nfoo\r\n-ERR no\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			b, _ := replayBase([]byte(in), false)
			_, _, err := (&redisConn{base: b}).Read()
			require.Error(t, err)
		})
	}
}

func TestRedisEncodes(t *testing.T) {
	b, w := replayBase(nil, false)
	c := &redisConn{base: b}
	require.NoError(t, c.Subscribe("bench.x", ""))
	require.NoError(t, c.Publish("bench.x", []byte("hello")))
	require.NoError(t, c.Flush())
	require.NoError(t, c.Ping())
	assert.Equal(t, "*2\r\n$9\r\nSUBSCRIBE\r\n$7\r\nbench.x\r\n"+
		"*3\r\n$7\r\nPUBLISH\r\n$7\r\nbench.x\r\n$5\r\nhello\r\n"+
		"*1\r\n$4\r\nPING\r\n", w.String())
	assert.True(t, errors.Is(c.Subscribe("bench.x", "workers"), ErrNotApplicable))
}
