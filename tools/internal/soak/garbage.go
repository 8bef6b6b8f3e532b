package soak

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// garbageKinds are the ways garbage is sent, with what the spec requires of
// the broker: a fatal ERR with one of codes then the close, or (codes nil) a
// PONG for the PING sent after the garbage, or (closeOnly) just the close
// after the client ends its side.
var garbageKinds = []struct {
	name      string
	codes     []wire.Code // the fatal ERRs accepted; nil: PONG (or any ERR) expected
	closeOnly bool        // garbage leaves a frame open; the client half-closes
	make      func() []byte
}{
	{"zero-length frame", []wire.Code{wire.CodeBadFrame}, false, func() []byte { return []byte{0, 0, 0, 0} }},
	{"oversize length", []wire.Code{wire.CodeFrameTooLarge}, false, func() []byte { return []byte{0x7f, 0xff, 0xff, 0xff} }},
	{"server-only op", []wire.Code{wire.CodeProtocolViolation}, false, func() []byte {
		return (&wire.Msg{Sid: 1, Seq: 1, Channel: []byte("/x"), Payload: []byte("x")}).Append(nil)
	}},
	{"second HELLO", []wire.Code{wire.CodeProtocolViolation}, false, func() []byte {
		return (&wire.Hello{Version: wire.Version}).Append(nil)
	}},
	{"not msgpack", []wire.Code{wire.CodeBadFrame}, false, func() []byte { return frameOf([]byte{0xc1, 0xc1, 0xc1}) }},
	{"unknown op", nil, false, func() []byte { return frameOf([]byte{0x91, 0x63}) }},
	{"random body", nil, false, func() []byte { return frameOf(noise(1 + rand.IntN(300))) }},
	{"truncated frame", nil, true, func() []byte { return append([]byte{0, 0, 0x03, 0xe8}, noise(10)...) }},
	{"raw noise", nil, true, func() []byte { return noise(1 + rand.IntN(64)) }},
}

func frameOf(body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

func noise(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return b
}

// garbage behaves, then sends garbage mid-stream (or, one time in five,
// instead of HELLO), then a PING. The broker must stay coherent: every frame
// it sends decodes, a fatal ERR is the last thing before the close, and it
// answers either the PING or with a fatal ERR, as the spec requires for
// that garbage.
func (e *env) garbage(ctx context.Context) error {
	k := garbageKinds[rand.IntN(len(garbageKinds))]
	first := rand.IntN(5) == 0 && k.name != "second HELLO"
	c, err := e.dial(ctx, 0)
	if err != nil {
		return err
	}
	defer c.close()
	deadline := time.Now().Add(20 * time.Second)
	c.nc.SetWriteDeadline(deadline)
	name := k.name
	if first {
		name += " before HELLO"
		c.send(k.make())
	} else {
		id := e.id()
		ch := []byte(fmt.Sprintf("/soak/g%d/x", id))
		c.hello("garbage")
		c.sub(1, string(ch), "")
		var buf []byte
		for i := range rand.IntN(20) {
			buf = (&wire.Pub{Channel: ch, Payload: payload(nil, uint64(i), 32)}).Append(buf)
		}
		c.send(append(buf, k.make()...))
	}
	if k.closeOnly {
		c.nc.CloseWrite()
	} else {
		c.ping()
	}
	outcome, err := readOutcome(c, deadline)
	e.t.outcome("garbage " + name + ": " + outcome)
	if err != nil {
		return fmt.Errorf("garbage %s: %w", name, err)
	}
	switch {
	case first && !k.closeOnly && outcome == "PONG":
		return fmt.Errorf("garbage %s: the broker answered PING on a connection with no HELLO", name)
	case first:
		return nil // any fatal ERR, or the close
	case k.codes != nil && !slices.ContainsFunc(k.codes, func(c wire.Code) bool { return outcome == "ERR "+string(c) }):
		return fmt.Errorf("garbage %s: got %s, want ERR %v", name, outcome, k.codes)
	case k.name == "unknown op" && outcome != "PONG":
		return fmt.Errorf("garbage %s: got %s, want ERR unknown_op then PONG", name, outcome)
	}
	return nil
}

// readOutcome reads until PONG, or a fatal ERR and the close, or the close,
// and says which; an incoherent stream is an error.
func readOutcome(c *client, deadline time.Time) (string, error) {
	var fatal wire.Code
	for {
		f, err := c.read(deadline)
		if err != nil {
			if closedByPeer(err) {
				if fatal != "" {
					return "ERR " + string(fatal), nil
				}
				return "close", nil
			}
			return "error", err
		}
		if fatal != "" {
			return "ERR " + string(fatal), fmt.Errorf("%v after the fatal ERR %s", f.op, fatal)
		}
		switch f.op {
		case wire.OpPong:
			return "PONG", nil
		case wire.OpErr:
			var e wire.Error
			if err := e.Decode(f.body); err != nil {
				return "bad ERR", err
			}
			if e.Code.Fatal() {
				fatal = e.Code
			}
		case wire.OpMsg:
			var m wire.Msg
			if err := m.Decode(f.body); err != nil {
				return "bad MSG", err
			}
		case wire.OpNotice:
			var n wire.Notice
			if err := n.Decode(f.body); err != nil {
				return "bad NOTICE", err
			}
		case wire.OpWelcome:
			var w wire.Welcome
			if err := w.Decode(f.body); err != nil {
				return "bad WELCOME", err
			}
		case wire.OpPing:
		default:
			return f.op.String(), fmt.Errorf("unexpected %v", f.op)
		}
	}
}
