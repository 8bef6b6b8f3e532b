package driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
)

// NATS returns the system for a nats-server at addr, driven by a minimal
// client of the NATS text protocol (INFO, CONNECT, PUB, SUB with queue groups,
// MSG, PING/PONG).
func NATS(addr string) System {
	return System{
		Name:  "nats",
		Addr:  addr,
		Queue: true,
		Topic: func(name string) string { return "bench." + name },
		Dial: func(ctx context.Context) (Conn, error) {
			nc, err := dialTCP(ctx, addr)
			if err != nil {
				return nil, err
			}
			c := &natsConn{base: newBase(nc)}
			if err := handshake(ctx, nc, c.connect); err != nil {
				nc.Close()
				return nil, fmt.Errorf("handshake: %w", err)
			}
			return c, nil
		},
	}
}

// natsConnect is the CONNECT a minimal client sends: no verbose +OK, no
// headers, echo on (like Herald's default).
const natsConnect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":true,\"protocol\":1,\"headers\":false,\"name\":\"herald-bench\",\"lang\":\"go\",\"version\":\"0\"}\r\nPING\r\n"

// natsConn speaks the NATS client protocol.
type natsConn struct {
	base
	sid int
}

// connect reads INFO, sends CONNECT and PING, and waits for PONG.
func (c *natsConn) connect() error {
	l, err := c.in.line()
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(l, []byte("INFO ")) {
		return fmt.Errorf("expected INFO, got %q", l)
	}
	if err := c.out.send([]byte(natsConnect)); err != nil {
		return err
	}
	k, _, err := c.Read()
	if err != nil {
		return err
	}
	if k != KindPong {
		return errors.New("expected PONG after CONNECT")
	}
	return nil
}

// Subscribe sends SUB subject [queue] sid.
func (c *natsConn) Subscribe(topic, group string) error {
	c.sid++
	cmd := "SUB " + topic + " "
	if group != "" {
		cmd += group + " "
	}
	return c.out.send([]byte(cmd + strconv.Itoa(c.sid) + "\r\n"))
}

// Publish buffers PUB subject size, then the payload.
func (c *natsConn) Publish(topic string, payload []byte) error {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	b := append(c.out.b, "PUB "...)
	b = append(b, topic...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(payload)), 10)
	b = append(b, "\r\n"...)
	b = append(b, payload...)
	c.out.b = append(b, "\r\n"...)
	return c.out.maybeFlushLocked()
}

// Ping sends PING.
func (c *natsConn) Ping() error { return c.out.send([]byte("PING\r\n")) }

// Read returns the next MSG payload or PONG; it answers PING and ignores
// INFO and +OK. -ERR is returned as an error.
func (c *natsConn) Read() (Kind, []byte, error) {
	for {
		l, err := c.in.line()
		if err != nil {
			return 0, nil, err
		}
		switch {
		case bytes.HasPrefix(l, []byte("MSG ")):
			sp := bytes.LastIndexByte(l, ' ')
			n, err := atoi(l[sp+1:])
			if err != nil {
				return 0, nil, fmt.Errorf("nats: bad MSG line %q", l)
			}
			if err := c.in.need(n + 2); err != nil {
				return 0, nil, err
			}
			p := c.in.take(n + 2)
			if p[n] != '\r' || p[n+1] != '\n' {
				return 0, nil, errors.New("nats: MSG payload not followed by CRLF")
			}
			return KindMsg, p[:n:n], nil
		case bytes.Equal(l, []byte("PING")):
			if err := c.out.send([]byte("PONG\r\n")); err != nil {
				return 0, nil, err
			}
		case bytes.Equal(l, []byte("PONG")):
			return KindPong, nil, nil
		case bytes.HasPrefix(l, []byte("-ERR")):
			return 0, nil, fmt.Errorf("nats: %s", l)
		case bytes.HasPrefix(l, []byte("+OK")), bytes.HasPrefix(l, []byte("INFO ")):
		default:
			return 0, nil, fmt.Errorf("nats: unexpected line %q", l)
		}
	}
}

// atoi parses a non-negative decimal without allocating.
func atoi(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 10 {
		return 0, errors.New("bad number")
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errors.New("bad number")
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}
