package driver

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"

	"github.com/heraldmq/herald/spec/wire"
)

// HeraldOptions configures the raw Herald driver.
type HeraldOptions struct {
	// Token is sent in HELLO; empty for none.
	Token string
	// TLS, when not nil, wraps the connection in TLS.
	TLS *tls.Config
}

// Herald returns the system for a Herald broker at addr, driven over raw TCP
// with the spec's codec (spec/wire).
func Herald(addr string, opt HeraldOptions) System {
	return System{
		Name:  "herald",
		Addr:  addr,
		Queue: true,
		Topic: func(name string) string { return "/bench/" + name },
		Dial: func(ctx context.Context) (Conn, error) {
			nc, err := dialTCP(ctx, addr)
			if err != nil {
				return nil, err
			}
			if opt.TLS != nil {
				nc = tls.Client(nc, opt.TLS)
			}
			c := &heraldConn{base: newBase(nc), max: wire.MaxHelloFrame}
			if err := handshake(ctx, nc, func() error { return c.hello(opt.Token) }); err != nil {
				nc.Close()
				return nil, fmt.Errorf("handshake: %w", err)
			}
			return c, nil
		},
	}
}

// heraldConn speaks Herald protocol version 1.
type heraldConn struct {
	base
	max     int
	sid     uint32
	topic   string
	topicB  []byte
	msg     wire.Msg
	dropped uint64
}

// hello sends HELLO and waits for WELCOME. Headers are turned off: the
// benchmark sends none, and every MSG then carries a one-byte nil.
func (c *heraldConn) hello(token string) error {
	h := wire.Hello{Version: wire.Version, Name: "herald-bench", Token: token, Echo: true}
	if err := c.out.send(h.Append(nil)); err != nil {
		return err
	}
	body, err := c.next()
	if err != nil {
		return err
	}
	op, err := wire.PeekOp(body)
	if err != nil {
		return err
	}
	switch op {
	case wire.OpWelcome:
		var w wire.Welcome
		if err := w.Decode(body); err != nil {
			return err
		}
		c.max = int(w.MaxFrame)
		return nil
	case wire.OpErr:
		var e wire.Error
		if err := e.Decode(body); err != nil {
			return err
		}
		return &e
	}
	return fmt.Errorf("expected WELCOME, got %v", op)
}

// next returns the body of the next frame, in place.
func (c *heraldConn) next() ([]byte, error) {
	if err := c.in.need(wire.HeaderLen); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(c.in.peek(wire.HeaderLen)))
	if n == 0 || n > c.max {
		return nil, fmt.Errorf("bad frame length %d", n)
	}
	if err := c.in.need(wire.HeaderLen + n); err != nil {
		return nil, err
	}
	return c.in.take(wire.HeaderLen + n)[wire.HeaderLen:], nil
}

// Subscribe sends SUB with the next sid.
func (c *heraldConn) Subscribe(topic, group string) error {
	c.sid++
	s := wire.Sub{Sid: c.sid, Pattern: []byte(topic)}
	if group != "" {
		s.Queue = []byte(group)
	}
	return c.out.send(s.Append(nil))
}

// Publish buffers a PUB without reply-to or headers.
func (c *heraldConn) Publish(topic string, payload []byte) error {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	if topic != c.topic {
		c.topic, c.topicB = topic, []byte(topic)
	}
	p := wire.Pub{Channel: c.topicB, Payload: payload}
	c.out.b = p.Append(c.out.b)
	return c.out.maybeFlushLocked()
}

// Ping sends PING; the broker answers once it has processed everything
// before it (PROTOCOL.md 9.2).
func (c *heraldConn) Ping() error { return c.out.send(wire.AppendPing(nil)) }

// Read returns the next MSG payload or PONG, answering PING and counting
// NOTICEd drops on the way. An ERR is returned as a *wire.Error.
func (c *heraldConn) Read() (Kind, []byte, error) {
	for {
		body, err := c.next()
		if err != nil {
			return 0, nil, err
		}
		op, err := wire.PeekOp(body)
		if err != nil {
			return 0, nil, err
		}
		switch op {
		case wire.OpMsg:
			if p, ok := msgPayload(body); ok {
				return KindMsg, p, nil
			}
			if err := c.msg.Decode(body); err != nil {
				return 0, nil, err
			}
			return KindMsg, c.msg.Payload, nil
		case wire.OpPong:
			return KindPong, nil, nil
		case wire.OpPing:
			if err := c.out.send(wire.AppendPong(nil)); err != nil {
				return 0, nil, err
			}
		case wire.OpNotice:
			var n wire.Notice
			if err := n.Decode(body); err != nil {
				return 0, nil, err
			}
			c.dropped += n.Count
		case wire.OpErr:
			e := new(wire.Error)
			if err := e.Decode(body); err != nil {
				return 0, nil, err
			}
			return 0, nil, e
		}
	}
}

// msgPayload is the minimal client's fast path: it returns the payload of a
// MSG body laid out as the spec's fixed prefix requires (2.7), with no
// reply-to and no headers, which is every MSG the benchmark receives. It
// reports false for any other layout, which Msg.Decode then handles.
func msgPayload(body []byte) ([]byte, bool) {
	// 0x97 0x06, 0xce sid(4), 0xcf seq(8): the channel's str header is at 16.
	if len(body) < 20 || body[0] != 0x97 || body[1] != byte(wire.OpMsg) || body[2] != 0xce || body[7] != 0xcf {
		return nil, false
	}
	i := 16
	switch h := body[i]; {
	case h >= 0xa0 && h <= 0xbf:
		i += 1 + int(h&0x1f)
	case h == 0xd9:
		i += 2 + int(body[i+1])
	default:
		return nil, false
	}
	if i+4 > len(body) || body[i] != 0xc0 || body[i+1] != 0xc0 {
		return nil, false
	}
	i += 2
	n := 0
	switch body[i] {
	case 0xc4:
		n, i = int(body[i+1]), i+2
	case 0xc5:
		if i+3 > len(body) {
			return nil, false
		}
		n, i = int(binary.BigEndian.Uint16(body[i+1:])), i+3
	case 0xc6:
		if i+5 > len(body) {
			return nil, false
		}
		n, i = int(binary.BigEndian.Uint32(body[i+1:])), i+5
	default:
		return nil, false
	}
	if i+n != len(body) {
		return nil, false
	}
	return body[i:len(body):len(body)], true
}

// Dropped returns how many messages NOTICEs have reported dropped.
func (c *heraldConn) Dropped() uint64 { return c.dropped }
