package soak

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// client is a raw Herald connection on the spec codec: the soak judges the
// broker by the bytes it sends, so nothing here hides a fault.
type client struct {
	nc  *net.TCPConn
	rd  *wire.Reader
	out []byte
}

// frame is one frame read from the broker; body is valid until the next
// read.
type frame struct {
	op   wire.Op
	body []byte
}

// dial connects to addr. A positive rcvbuf sets SO_RCVBUF before the
// connection is made, so the window it advertises is small from the start
// and a client that does not read makes the broker hold its data.
func dial(ctx context.Context, addr string, rcvbuf int) (*client, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	if rcvbuf > 0 {
		d.Control = func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
			})
			return errors.Join(err, serr)
		}
	}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &client{nc: nc.(*net.TCPConn), rd: wire.NewReader(nc, 64<<20)}, nil
}

// hello sends HELLO with echo and headers on.
func (c *client) hello(name string) error {
	return c.send((&wire.Hello{Version: wire.Version, Name: name, Echo: true, Headers: true}).Append(c.out[:0]))
}

// send writes b whole.
func (c *client) send(b []byte) error {
	c.out = b[:0]
	_, err := c.nc.Write(b)
	return err
}

func (c *client) sub(sid uint32, pattern, queue string) error {
	s := wire.Sub{Sid: sid, Pattern: []byte(pattern)}
	if queue != "" {
		s.Queue = []byte(queue)
	}
	return c.send(s.Append(c.out[:0]))
}

func (c *client) ping() error { return c.send(wire.AppendPing(c.out[:0])) }
func (c *client) pong() error { return c.send(wire.AppendPong(c.out[:0])) }

// read returns the next frame, waiting until deadline.
func (c *client) read(deadline time.Time) (frame, error) {
	c.nc.SetReadDeadline(deadline)
	body, err := c.rd.Next()
	if err != nil {
		return frame{}, err
	}
	op, err := wire.PeekOp(body)
	if err != nil {
		return frame{}, fmt.Errorf("broker sent an undecodable frame: %w", err)
	}
	return frame{op: op, body: body}, nil
}

// expect reads until a frame of op arrives, answering PINGs, and fails on
// an ERR or anything else unexpected.
func (c *client) expect(op wire.Op, deadline time.Time) (frame, error) {
	for {
		f, err := c.read(deadline)
		if err != nil {
			return f, fmt.Errorf("waiting for %v: %w", op, err)
		}
		switch {
		case f.op == op:
			return f, nil
		case f.op == wire.OpPing:
			if err := c.pong(); err != nil {
				return f, err
			}
		case f.op == wire.OpErr:
			var e wire.Error
			e.Decode(f.body)
			return f, fmt.Errorf("waiting for %v: %w", op, &e)
		case f.op == wire.OpWelcome:
		default:
			return f, fmt.Errorf("waiting for %v: got %v", op, f.op)
		}
	}
}

// sync sends PING and waits for its PONG: everything sent before is in
// effect (PROTOCOL.md 9.2).
func (c *client) sync(deadline time.Time) error {
	if err := c.ping(); err != nil {
		return err
	}
	_, err := c.expect(wire.OpPong, deadline)
	return err
}

// reset closes the connection with a TCP reset (SO_LINGER 0): the abrupt
// end of a crashed client, and no TIME_WAIT left on this side.
func (c *client) reset() {
	c.nc.SetLinger(0)
	c.nc.Close()
}

// close closes the connection normally.
func (c *client) close() { c.nc.Close() }

// closedByPeer reports whether err means the broker ended the connection.
func closedByPeer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF)
}

// timedOut reports whether err is a read or write deadline.
func timedOut(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
