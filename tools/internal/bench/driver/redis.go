package driver

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// Redis returns the system for a redis-server at addr, driven by a minimal
// RESP2 client (PUBLISH, SUBSCRIBE, PING). Redis has no queue groups.
func Redis(addr string) System {
	return System{
		Name:  "redis",
		Addr:  addr,
		Queue: false,
		Topic: func(name string) string { return "bench." + name },
		Dial: func(ctx context.Context) (Conn, error) {
			nc, err := dialTCP(ctx, addr)
			if err != nil {
				return nil, err
			}
			c := &redisConn{base: newBase(nc)}
			err = handshake(ctx, nc, func() error {
				if err := c.Ping(); err != nil {
					return err
				}
				k, _, err := c.Read()
				if err == nil && k != KindPong {
					err = errors.New("expected PONG")
				}
				return err
			})
			if err != nil {
				nc.Close()
				return nil, fmt.Errorf("handshake: %w", err)
			}
			return c, nil
		},
	}
}

// redisConn speaks RESP2.
type redisConn struct {
	base
}

// appendBulk appends a RESP bulk string.
func appendBulk(b []byte, s []byte) []byte {
	b = append(b, '$')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, "\r\n"...)
	b = append(b, s...)
	return append(b, "\r\n"...)
}

// Subscribe sends SUBSCRIBE; group must be empty.
func (c *redisConn) Subscribe(topic, group string) error {
	if group != "" {
		return fmt.Errorf("%w: Redis has no queue groups", ErrNotApplicable)
	}
	b := append([]byte("*2\r\n$9\r\nSUBSCRIBE\r\n"), nil...)
	return c.out.send(appendBulk(b, []byte(topic)))
}

// Publish buffers PUBLISH topic payload. Its integer reply is read and
// discarded by Read.
func (c *redisConn) Publish(topic string, payload []byte) error {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	b := append(c.out.b, "*3\r\n$7\r\nPUBLISH\r\n$"...)
	b = strconv.AppendInt(b, int64(len(topic)), 10)
	b = append(b, "\r\n"...)
	b = append(b, topic...)
	b = append(b, "\r\n"...)
	c.out.b = appendBulk(b, payload)
	return c.out.maybeFlushLocked()
}

// Ping sends PING (answered "+PONG", or ["pong", ""] in subscribed mode).
func (c *redisConn) Ping() error { return c.out.send([]byte("*1\r\n$4\r\nPING\r\n")) }

// bulk reads one bulk string (or nil bulk) and returns it in place.
func (c *redisConn) bulk() ([]byte, error) {
	l, err := c.in.line()
	if err != nil {
		return nil, err
	}
	if len(l) == 0 || l[0] != '$' {
		return nil, fmt.Errorf("redis: expected a bulk string, got %q", l)
	}
	if string(l) == "$-1" {
		return nil, nil
	}
	n, err := atoi(l[1:])
	if err != nil {
		return nil, fmt.Errorf("redis: bad bulk length %q", l)
	}
	if err := c.in.need(n + 2); err != nil {
		return nil, err
	}
	b := c.in.take(n + 2)
	return b[:n:n], nil
}

// skip reads and discards one simple element (bulk string or integer).
func (c *redisConn) skip() error {
	if err := c.in.need(1); err != nil {
		return err
	}
	if c.in.peek(1)[0] == '$' {
		_, err := c.bulk()
		return err
	}
	l, err := c.in.line()
	if err != nil {
		return err
	}
	if len(l) > 0 && l[0] == '-' {
		return fmt.Errorf("redis: %s", l[1:])
	}
	return nil
}

// Read returns the next pub/sub message payload or PONG; it discards
// PUBLISH's integer replies and subscription confirmations.
func (c *redisConn) Read() (Kind, []byte, error) {
	for {
		l, err := c.in.line()
		if err != nil {
			return 0, nil, err
		}
		if len(l) == 0 {
			return 0, nil, errors.New("redis: empty line")
		}
		switch l[0] {
		case ':':
		case '+':
			if string(l) == "+PONG" {
				return KindPong, nil, nil
			}
		case '-':
			return 0, nil, fmt.Errorf("redis: %s", l[1:])
		case '$':
			if string(l) != "$-1" {
				n, err := atoi(l[1:])
				if err != nil {
					return 0, nil, fmt.Errorf("redis: bad bulk length %q", l)
				}
				if err := c.in.need(n + 2); err != nil {
					return 0, nil, err
				}
				c.in.take(n + 2)
			}
		case '*':
			k, err := atoi(l[1:])
			if err != nil || k == 0 {
				return 0, nil, fmt.Errorf("redis: bad array %q", l)
			}
			kind, err := c.bulk()
			if err != nil {
				return 0, nil, err
			}
			switch {
			case k == 3 && string(kind) == "message":
				if _, err := c.bulk(); err != nil {
					return 0, nil, err
				}
				p, err := c.bulk()
				return KindMsg, p, err
			case k == 2 && string(kind) == "pong":
				_, err := c.bulk()
				return KindPong, nil, err
			}
			for j := 1; j < k; j++ {
				if err := c.skip(); err != nil {
					return 0, nil, err
				}
			}
		default:
			return 0, nil, fmt.Errorf("redis: unexpected line %q", l)
		}
	}
}
