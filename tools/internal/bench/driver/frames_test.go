package driver

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBaselineFrames(t *testing.T) {
	data := AppendFrame(nil, nil)
	data = AppendFrame(data, []byte("abc"))
	data = AppendFrame(data, bytes.Repeat([]byte("z"), 70000)) // beyond the 64 KiB buffer
	bothWays(t, data, func(t *testing.T, b base, _ *bytes.Buffer) {
		got, err := readAll((&frameConn{base: b}).Read)
		requireEOF(t, err)
		assert.Equal(t, []event{pong, msg("abc"), msg(string(bytes.Repeat([]byte("z"), 70000)))}, got)
	})
}

func TestBaselineRoles(t *testing.T) {
	b, w := replayBase(nil, false)
	c := &frameConn{base: b}
	require.NoError(t, c.Publish("ignored", []byte("hi")))
	require.NoError(t, c.Ping())
	assert.Equal(t, AppendFrame(AppendFrame(AppendFrame(nil, []byte(RolePub)), []byte("hi")), nil), w.Bytes())
	assert.Error(t, c.Subscribe("x", ""), "a publisher cannot subscribe")

	b, w = replayBase(nil, false)
	s := &frameConn{base: b}
	require.NoError(t, s.Subscribe("x", ""))
	require.NoError(t, s.Ping(), "the answer to sub is the pong")
	assert.Equal(t, AppendFrame(nil, []byte(RoleSub)), w.Bytes())
	assert.True(t, errors.Is(s.Subscribe("x", "g"), ErrNotApplicable))
	assert.Equal(t, uint32(3), binary.BigEndian.Uint32(w.Bytes()))
}
