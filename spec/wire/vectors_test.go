package wire_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec"
	"github.com/heraldmq/herald/spec/wire"
)

// body strips the length prefix of a whole frame after checking it.
func body(t *testing.T, frame []byte) []byte {
	t.Helper()
	r := wire.NewReader(bytes.NewReader(frame), 1<<30)
	b, err := r.Next()
	require.NoError(t, err)
	return b
}

func optStr(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

func optString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func headersField(t *testing.T, raw []byte) any {
	h, err := wire.DecodeHeaders(raw)
	require.NoError(t, err)
	if h == nil {
		return nil
	}
	return h
}

// decodeFields decodes a frame body with package wire and returns its fields
// in the vectors' JSON conventions, plus the value to re-encode.
func decodeFields(t *testing.T, op string, b []byte) (map[string]any, interface{ Append([]byte) []byte }) {
	t.Helper()
	switch op {
	case "HELLO":
		var h wire.Hello
		require.NoError(t, h.Decode(b))
		return map[string]any{"version": h.Version, "name": h.Name, "user": optString(h.User), "token": optString(h.Token),
			"options": map[string]any{"echo": h.Echo, "headers": h.Headers, "no_responders": h.NoResponders}}, &h
	case "WELCOME":
		var w wire.Welcome
		require.NoError(t, w.Decode(b))
		return map[string]any{"version": w.Version, "server_id": w.ServerID, "server_name": w.ServerName,
			"server_version": w.ServerVersion, "max_payload": w.MaxPayload, "max_frame": w.MaxFrame,
			"max_header_bytes": w.MaxHeaderBytes, "max_subscriptions": w.MaxSubscriptions,
			"ping_interval_ms": w.PingIntervalMs, "max_pings_out": w.MaxPingsOut,
			"max_pending_bytes": w.MaxPendingBytes, "overflow": w.Overflow, "capabilities": w.Capabilities}, &w
	case "PUB":
		var p wire.Pub
		require.NoError(t, p.Decode(b))
		return map[string]any{"channel": string(p.Channel), "reply_to": optStr(p.ReplyTo),
			"headers": headersField(t, p.Headers), "payload_hex": hex.EncodeToString(p.Payload)}, &p
	case "MSG":
		var m wire.Msg
		require.NoError(t, m.Decode(b))
		return map[string]any{"sid": m.Sid, "seq": m.Seq, "channel": string(m.Channel), "reply_to": optStr(m.ReplyTo),
			"headers": headersField(t, m.Headers), "payload_hex": hex.EncodeToString(m.Payload)}, &m
	case "SUB":
		var s wire.Sub
		require.NoError(t, s.Decode(b))
		return map[string]any{"sid": s.Sid, "pattern": string(s.Pattern), "queue": optStr(s.Queue), "prefetch": s.Prefetch}, &s
	case "UNSUB":
		var u wire.Unsub
		require.NoError(t, u.Decode(b))
		return map[string]any{"sid": u.Sid, "max": u.Max}, &u
	case "ACK":
		var a wire.Ack
		require.NoError(t, a.Decode(b))
		return map[string]any{"sid": a.Sid, "count": a.Count}, &a
	case "PING", "PONG":
		o := wire.OpPing
		if op == "PONG" {
			o = wire.OpPong
		}
		require.NoError(t, wire.DecodeEmpty(o, b))
		return map[string]any{}, emptyOp(o)
	case "ERR":
		var e wire.Error
		require.NoError(t, e.Decode(b))
		var refOp, refSid any
		if e.RefOp != 0 {
			refOp = int(e.RefOp)
		}
		if e.RefSid != 0 {
			refSid = e.RefSid
		}
		return map[string]any{"code": string(e.Code), "message": e.Message, "ref_op": refOp, "ref_sid": refSid,
			"ref_channel": optString(e.RefChannel)}, &e
	case "NOTICE":
		var n wire.Notice
		require.NoError(t, n.Decode(b))
		return map[string]any{"sid": n.Sid, "count": n.Count, "first_seq": n.First, "last_seq": n.Last, "reason": n.Reason}, &n
	}
	t.Fatalf("no decoder for op %s", op)
	return nil, nil
}

type emptyOp wire.Op

func (o emptyOp) Append(b []byte) []byte {
	if wire.Op(o) == wire.OpPing {
		return wire.AppendPing(b)
	}
	return wire.AppendPong(b)
}

// viaJSON normalises a value to what encoding/json produces.
func viaJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// TestOpVectors pins every valid-frame vector: the codec decodes it to the
// recorded fields and, for canonical vectors, re-encodes it byte for byte.
func TestOpVectors(t *testing.T) {
	for _, v := range spec.Ops().Vectors {
		t.Run(v.Name, func(t *testing.T) {
			frame := v.Bytes()
			b := body(t, frame)
			op, err := wire.PeekOp(b)
			require.NoError(t, err)
			assert.Equal(t, v.Op, op.String())
			fields, val := decodeFields(t, v.Op, b)
			assert.Equal(t, viaJSON(t, v.Fields), viaJSON(t, fields))
			if v.Canonical {
				assert.Equal(t, v.Hex, hex.EncodeToString(val.Append(nil)), "re-encoding differs")
			}
		})
	}
}

// decodeAsServer runs the codec-level checks a server applies to a client
// frame body.
func decodeAsServer(b []byte) error {
	op, err := wire.PeekOp(b)
	if err != nil {
		return err
	}
	switch op {
	case wire.OpHello:
		return new(wire.Hello).Decode(b)
	case wire.OpPub:
		return new(wire.Pub).Decode(b)
	case wire.OpSub:
		return new(wire.Sub).Decode(b)
	case wire.OpUnsub:
		return new(wire.Unsub).Decode(b)
	case wire.OpAck:
		return new(wire.Ack).Decode(b)
	case wire.OpPing, wire.OpPong:
		return wire.DecodeEmpty(op, b)
	}
	if !op.Known() {
		if err := wire.CheckBody(b); err != nil {
			return err
		}
		return &wire.Error{Code: wire.CodeUnknownOp, RefOp: op}
	}
	return nil
}

// TestInvalidVectors pins every invalid frame the codec alone can detect.
func TestInvalidVectors(t *testing.T) {
	n := 0
	for _, v := range spec.Invalid().Vectors {
		if !v.Codec {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			max := 1 << 20
			if v.Phase == "before_hello" {
				max = wire.MaxHelloFrame
			}
			r := wire.NewReader(bytes.NewReader(v.Bytes()), max)
			b, err := r.Next()
			if err == nil {
				err = decodeAsServer(b)
			}
			var we *wire.Error
			require.True(t, errors.As(err, &we), "want ERR %s, got %v", v.Error, err)
			assert.Equal(t, wire.Code(v.Error), we.Code)
			assert.Equal(t, v.Fatal, we.Fatal())
		})
	}
	require.Greater(t, n, 20)
}

// TestChannelVectors pins the grammar and the matching rules.
func TestChannelVectors(t *testing.T) {
	cv := spec.Channels()
	for _, c := range cv.ValidChannels {
		assert.True(t, wire.ValidChannel([]byte(c)), "channel %q", c)
		assert.True(t, wire.ValidPattern([]byte(c)), "a valid channel is a valid pattern: %q", c)
	}
	for _, c := range cv.InvalidChannels {
		assert.False(t, wire.ValidChannel([]byte(c.Value)), "channel %s %q", c.Name, c.Value)
	}
	for _, p := range cv.ValidPatterns {
		assert.True(t, wire.ValidPattern([]byte(p)), "pattern %q", p)
	}
	for _, p := range cv.InvalidPatterns {
		assert.False(t, wire.ValidPattern([]byte(p.Value)), "pattern %s %q", p.Name, p.Value)
	}
	for _, q := range cv.ValidQueues {
		assert.True(t, wire.ValidQueue([]byte(q)), "queue %q", q)
	}
	for _, q := range cv.InvalidQueues {
		assert.False(t, wire.ValidQueue([]byte(q.Value)), "queue %s %q", q.Name, q.Value)
	}
	for _, q := range cv.QueuePatterns {
		assert.Equal(t, q.Match, wire.IsQueuePattern([]byte(q.Pattern)), "queue pattern %q", q.Pattern)
	}
	for _, m := range cv.Matches {
		assert.Equal(t, m.Match, wire.Match([]byte(m.Pattern), []byte(m.Channel)), "%q ~ %q", m.Pattern, m.Channel)
	}
}
