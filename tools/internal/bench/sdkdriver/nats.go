package sdkdriver

import (
	"context"
	"errors"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
	"github.com/nats-io/nats.go"
)

// natsConn adapts nats.go.
type natsConn struct {
	nc     *nats.Conn
	events chan event
	done   chan struct{}
}

func natsDial(addr string) func(ctx context.Context) (driver.Conn, error) {
	return func(ctx context.Context) (driver.Conn, error) {
		c := &natsConn{events: make(chan event, msgBuffer), done: make(chan struct{})}
		nc, err := nats.Connect("nats://"+addr, nats.Name("herald-bench-sdk"), nats.NoReconnect(),
			nats.ClosedHandler(func(*nats.Conn) { close(c.done) }))
		if err != nil {
			return nil, err
		}
		c.nc = nc
		return c, nil
	}
}

func (c *natsConn) Subscribe(topic, group string) error {
	sub, err := c.nc.QueueSubscribe(topic, group, func(m *nats.Msg) {
		c.events <- event{kind: driver.KindMsg, data: m.Data}
	})
	if err != nil {
		return err
	}
	return sub.SetPendingLimits(-1, -1)
}

func (c *natsConn) Publish(topic string, payload []byte) error {
	return c.nc.Publish(topic, payload)
}

// Flush leaves flushing to nats.go's own flusher (its Flush is a round trip).
func (c *natsConn) Flush() error { return nil }

func (c *natsConn) Ping() error {
	go func() {
		err := c.nc.Flush()
		select {
		case c.events <- event{kind: driver.KindPong, err: err}:
		case <-c.done:
		}
	}()
	return nil
}

func (c *natsConn) Read() (driver.Kind, []byte, error) {
	select {
	case e := <-c.events:
		return e.kind, e.data, e.err
	case <-c.done:
		return 0, nil, errors.New("nats: connection closed")
	}
}

func (c *natsConn) Close() error {
	c.nc.Close()
	return nil
}
