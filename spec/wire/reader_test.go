package wire_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

func pubFrame(ch string, payload []byte) []byte {
	return (&wire.Pub{Channel: []byte(ch), Payload: payload}).Append(nil)
}

// oneByteReader returns one byte per Read, to split every frame across reads.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:min(1, len(p))]) }

func TestReaderSplitsFramesAcrossReads(t *testing.T) {
	var stream []byte
	for i := 0; i < 50; i++ {
		stream = append(stream, pubFrame("/a/b", bytes.Repeat([]byte{byte(i)}, i*37))...)
	}
	r := wire.NewReader(oneByteReader{bytes.NewReader(stream)}, 1<<20)
	for i := 0; i < 50; i++ {
		b, err := r.Next()
		require.NoError(t, err)
		var p wire.Pub
		require.NoError(t, p.Decode(b))
		assert.Equal(t, bytes.Repeat([]byte{byte(i)}, i*37), p.Payload)
	}
	_, err := r.Next()
	assert.Equal(t, io.EOF, err)
}

func TestReaderBufferedMarksBatchBoundary(t *testing.T) {
	var stream []byte
	for i := 0; i < 10; i++ {
		stream = append(stream, pubFrame("/a", []byte("x"))...)
	}
	r := wire.NewReader(bytes.NewReader(stream), 1<<20)
	n := 0
	for {
		_, err := r.Next()
		require.NoError(t, err)
		n++
		if !r.Buffered() {
			break
		}
	}
	// The first read takes at most the 512-byte initial buffer, which holds
	// all ten 17-byte frames.
	assert.Equal(t, 10, n)
}

func TestReaderUnexpectedEOFInsideFrame(t *testing.T) {
	f := pubFrame("/a", []byte("hello"))
	r := wire.NewReader(bytes.NewReader(f[:len(f)-2]), 1<<20)
	_, err := r.Next()
	assert.Equal(t, io.ErrUnexpectedEOF, err)
}

// countingReader serves a length prefix and counts how many body bytes were
// requested, to prove an oversize frame's body is never read.
type countingReader struct {
	data []byte
	read int
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read >= len(c.data) {
		return 0, io.EOF
	}
	n := copy(p, c.data[c.read:])
	c.read += n
	return n, nil
}

func TestReaderRejectsOversizeWithoutReadingBody(t *testing.T) {
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], 70000)
	src := &countingReader{data: hdr[:]}
	r := wire.NewReader(src, wire.MaxHelloFrame)
	_, err := r.Next()
	assert.True(t, errors.Is(err, wire.ErrFrameTooLarge), "got %v", err)
	assert.Equal(t, 4, src.read)
}

func TestReaderZeroLength(t *testing.T) {
	r := wire.NewReader(bytes.NewReader([]byte{0, 0, 0, 0}), 100)
	_, err := r.Next()
	assert.True(t, errors.Is(err, wire.ErrBadFrame))

	r = wire.NewReader(bytes.NewReader([]byte{0, 0, 0, 0, 0, 0, 0, 1, 'x'}), 100)
	r.AllowEmpty(true)
	b, err := r.Next()
	require.NoError(t, err)
	assert.Empty(t, b)
	b, err = r.Next()
	require.NoError(t, err)
	assert.Equal(t, []byte("x"), b)
}

func TestReaderLargeFramesAndReturnToSmall(t *testing.T) {
	big := bytes.Repeat([]byte("z"), 200000) // beyond the largest pooled class
	var stream []byte
	stream = append(stream, pubFrame("/big", big)...)
	stream = append(stream, pubFrame("/small", []byte("s"))...)
	r := wire.NewReader(bytes.NewReader(stream), 1<<20)
	b, err := r.Next()
	require.NoError(t, err)
	var p wire.Pub
	require.NoError(t, p.Decode(b))
	assert.Equal(t, big, p.Payload)
	b, err = r.Next()
	require.NoError(t, err)
	require.NoError(t, p.Decode(b))
	assert.Equal(t, "/small", string(p.Channel))
	r.Release()
}

// TestReaderNoAllocsPerFrame: once warmed up, reading frames costs nothing.
func TestReaderNoAllocsPerFrame(t *testing.T) {
	frame := pubFrame("/a/b/c", bytes.Repeat([]byte("p"), 128))
	stream := bytes.Repeat(frame, 1000)
	src := bytes.NewReader(stream)
	r := wire.NewReader(src, 1<<20)
	var p wire.Pub
	allocs := testing.AllocsPerRun(5, func() {
		src.Reset(stream)
		for i := 0; i < 1000; i++ {
			b, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Decode(b); err != nil {
				t.Fatal(err)
			}
		}
	})
	assert.Zero(t, allocs)
}

func TestMsgTemplatePatch(t *testing.T) {
	h := wire.EncodeHeaders(map[string]string{"k": "v"})
	tmpl := wire.AppendMsgTemplate(nil, []byte("/a/b"), []byte("/r"), h, []byte("data"))
	assert.Equal(t, len(tmpl), wire.MsgFrameLen([]byte("/a/b"), []byte("/r"), h, []byte("data")))
	assert.Equal(t, wire.MsgFrameLen([]byte("/a"), nil, nil, make([]byte, 70000)),
		len(wire.AppendMsgTemplate(nil, []byte("/a"), nil, nil, make([]byte, 70000))))
	frame := append([]byte(nil), tmpl...)
	wire.PatchMsg(frame, 77, 1<<33)
	assert.Equal(t, uint32(77), wire.MsgSid(frame))
	r := wire.NewReader(bytes.NewReader(frame), 1<<20)
	b, err := r.Next()
	require.NoError(t, err)
	var m wire.Msg
	require.NoError(t, m.Decode(b))
	assert.Equal(t, uint32(77), m.Sid)
	assert.Equal(t, uint64(1<<33), m.Seq)
	assert.Equal(t, "/a/b", string(m.Channel))
	assert.Equal(t, "/r", string(m.ReplyTo))
	assert.Equal(t, "data", string(m.Payload))
	hd, err := wire.DecodeHeaders(m.Headers)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"k": "v"}, hd)
}

func TestErrorIsComparesCodes(t *testing.T) {
	err := error(&wire.Error{Code: wire.CodeSlowConsumer, Message: "buffer full", RefSid: 3})
	assert.True(t, errors.Is(err, wire.ErrSlowConsumer))
	assert.False(t, errors.Is(err, wire.ErrAuthFailed))
	assert.Equal(t, "herald: slow_consumer: buffer full (sid 3)", err.Error())
	assert.True(t, wire.CodeSlowConsumer.Fatal())
	assert.False(t, wire.CodeInvalidChannel.Fatal())
	assert.True(t, wire.Code("something_new").Fatal(), "unknown codes are fatal")
}

func TestHeadersRoundTripAndRejects(t *testing.T) {
	h := map[string]string{"b": "2", "a": "1", "": "empty key"}
	got, err := wire.DecodeHeaders(wire.EncodeHeaders(h))
	require.NoError(t, err)
	assert.Equal(t, h, got)
	_, err = wire.DecodeHeaders([]byte{0x81, 0xa1, 'k', 0x01})
	assert.True(t, errors.Is(err, wire.ErrBadFrame))
	_, err = wire.DecodeHeaders([]byte{0xdf, 0xff, 0xff, 0xff, 0xff})
	assert.True(t, errors.Is(err, wire.ErrBadFrame))
}
