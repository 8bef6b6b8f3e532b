package driver

import (
	"context"
	"errors"
	"time"
)

// Kind tells what Conn.Read returned.
type Kind uint8

// The events a Conn reports.
const (
	// KindMsg is a delivered message; the payload is returned with it.
	KindMsg Kind = iota + 1
	// KindPong answers a Ping: everything sent before the Ping has been
	// processed by the broker.
	KindPong
)

// Conn is one connection to a broker, speaking that broker's protocol. The
// contract every driver keeps:
//   - Subscribe, Publish, Flush and Ping may be called from one goroutine while
//     Read runs in another; writes are serialised inside the driver (a driver
//     answers the broker's keepalive pings from Read).
//   - Publish only buffers; the bytes leave on Flush or when the 64 KiB output
//     buffer fills. Subscribe and Ping flush.
//   - Read returns the next message or pong. The payload aliases the driver's
//     input buffer and is valid only until the next Read.
//   - Close unblocks a pending Read, which then returns an error.
type Conn interface {
	Subscribe(topic, group string) error
	Publish(topic string, payload []byte) error
	Flush() error
	Ping() error
	Read() (Kind, []byte, error)
	Close() error
}

// ErrNotApplicable marks a workload or option a system does not offer (Redis
// has no queue groups; the forwarder has no flow control).
var ErrNotApplicable = errors.New("not applicable")

// System is one target of the benchmark: how to reach it and how it names
// topics.
type System struct {
	// Name is the system's short name as tables print it: herald, nats,
	// redis, mqtt or baseline.
	Name string
	// Addr is the broker's host:port.
	Addr string
	// Queue reports whether the system has queue groups (shared
	// subscriptions).
	Queue bool
	// Topic turns a plain name ("fanout-1") into a topic of the system's
	// syntax ("/bench/fanout-1", "bench.fanout-1", "bench/fanout-1").
	Topic func(name string) string
	// Dial opens one connection and completes the protocol's handshake.
	Dial func(ctx context.Context) (Conn, error)
}

// Sync sends a Ping and reads until its pong, discarding any message read
// before it. It is meant for connections that are not receiving messages yet
// (after Subscribe, before a run starts).
func Sync(c Conn, timeout time.Duration) error {
	if err := c.Ping(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		for {
			k, _, err := c.Read()
			if err != nil {
				done <- err
				return
			}
			if k == KindPong {
				done <- nil
				return
			}
		}
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		_ = c.Close()
		<-done
		return errors.New("no pong within " + timeout.String())
	}
}
