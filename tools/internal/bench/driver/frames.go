package driver

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// Baseline returns the system for the baseline forwarder at addr (package
// forwarder). Its protocol is bare length-prefixed frames: a connection's
// first frame is its role, "sub" or "pub"; the forwarder answers "sub" with an
// empty frame once the subscriber is registered, and answers an empty frame
// from a publisher with an empty frame once everything before it has been
// written to the subscribers. Every other frame of a publisher goes to every
// subscriber unchanged. There is one topic and no queue group.
func Baseline(addr string) System {
	return System{
		Name:  "baseline",
		Addr:  addr,
		Queue: false,
		Topic: func(name string) string { return name },
		Dial: func(ctx context.Context) (Conn, error) {
			nc, err := dialTCP(ctx, addr)
			if err != nil {
				return nil, fmt.Errorf("baseline %s: %w", addr, err)
			}
			return &frameConn{base: newBase(nc)}, nil
		},
	}
}

// Roles a forwarder connection declares in its first frame.
const (
	RoleSub = "sub"
	RolePub = "pub"
)

// frameConn speaks the forwarder's bare frames.
type frameConn struct {
	base
	role    string
	pending bool // a "sub" was sent and its empty-frame answer not read yet
}

// AppendFrame appends one length-prefixed frame.
func AppendFrame(b, body []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

// declare sends the role frame once. out.mu must be held.
func (c *frameConn) declare(role string) error {
	if c.role == "" {
		c.role = role
		c.out.b = AppendFrame(c.out.b, []byte(role))
		return nil
	}
	if c.role != role {
		return fmt.Errorf("baseline: a %s connection cannot %s", c.role, role)
	}
	return nil
}

// Subscribe declares the connection a subscriber; topic and group are
// ignored (the forwarder has one topic), and a group is not applicable.
func (c *frameConn) Subscribe(topic, group string) error {
	if group != "" {
		return fmt.Errorf("%w: the forwarder has no queue groups", ErrNotApplicable)
	}
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	if c.role == RoleSub {
		return errors.New("baseline: a connection subscribes once")
	}
	if err := c.declare(RoleSub); err != nil {
		return err
	}
	c.pending = true
	return c.out.flushLocked()
}

// Publish buffers the payload as one frame.
func (c *frameConn) Publish(topic string, payload []byte) error {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	if err := c.declare(RolePub); err != nil {
		return err
	}
	c.out.b = AppendFrame(c.out.b, payload)
	return c.out.maybeFlushLocked()
}

// Ping sends an empty frame on a publisher. On a subscriber the forwarder's
// answer to "sub" serves as the pong, so Ping is allowed only right after
// Subscribe.
func (c *frameConn) Ping() error {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	if c.role == RoleSub {
		if c.pending {
			return nil
		}
		return fmt.Errorf("%w: a forwarder subscriber has no ping", ErrNotApplicable)
	}
	if err := c.declare(RolePub); err != nil {
		return err
	}
	c.out.b = AppendFrame(c.out.b, nil)
	return c.out.flushLocked()
}

// Read returns the next frame as a message, or an empty frame as a pong.
func (c *frameConn) Read() (Kind, []byte, error) {
	if err := c.in.need(4); err != nil {
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint32(c.in.peek(4)))
	if err := c.in.need(4 + n); err != nil {
		return 0, nil, err
	}
	f := c.in.take(4 + n)
	if n == 0 {
		c.pending = false
		return KindPong, nil, nil
	}
	return KindMsg, f[4:], nil
}
