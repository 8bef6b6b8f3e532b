package sdkdriver

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"

	herald "github.com/heraldmq/herald/sdk/go"
	"github.com/heraldmq/herald/tools/internal/bench/driver"
)

// HeraldOptions configures the Herald SDK driver.
type HeraldOptions struct {
	Token string      // sent in HELLO; empty for none
	TLS   *tls.Config // nil for plain TCP
}

// Herald returns the system for a Herald broker at addr driven by the Go
// SDK, with reconnection off (a benchmark measures one session).
func Herald(addr string, opt HeraldOptions) driver.System {
	sys := driver.Herald(addr, driver.HeraldOptions{})
	sys.Name = "herald-sdk"
	sys.Dial = func(ctx context.Context) (driver.Conn, error) {
		c := &heraldConn{events: make(chan event, msgBuffer), done: make(chan struct{})}
		scheme := "herald://"
		opts := []herald.Option{herald.WithName("herald-bench-sdk"), herald.WithReconnect(false),
			herald.WithLogger(slog.New(slog.DiscardHandler)),
			herald.WithClosedHandler(func(*herald.Conn) { close(c.done) })}
		if opt.TLS != nil {
			scheme = "heralds://"
			opts = append(opts, herald.WithTLSConfig(opt.TLS))
		}
		if opt.Token != "" {
			opts = append(opts, herald.WithCredentials("", opt.Token))
		}
		nc, err := herald.Connect(ctx, scheme+addr, opts...)
		if err != nil {
			return nil, err
		}
		c.nc = nc
		return c, nil
	}
	return sys
}

// heraldConn adapts the Herald Go SDK.
type heraldConn struct {
	nc     *herald.Conn
	events chan event
	done   chan struct{}
}

func (c *heraldConn) Subscribe(topic, group string) error {
	var opts []herald.SubOption
	if group != "" {
		opts = append(opts, herald.WithQueueGroup(group))
	}
	_, err := c.nc.Subscribe(topic, func(m *herald.Msg) {
		c.events <- event{kind: driver.KindMsg, data: m.Data}
	}, opts...)
	return err
}

func (c *heraldConn) Publish(topic string, payload []byte) error {
	return c.nc.Publish(context.Background(), topic, payload)
}

// Flush leaves flushing to the SDK's writer (its Flush is a round trip).
func (c *heraldConn) Flush() error { return nil }

func (c *heraldConn) Ping() error {
	go func() {
		err := c.nc.Flush(context.Background())
		select {
		case c.events <- event{kind: driver.KindPong, err: err}:
		case <-c.done:
		}
	}()
	return nil
}

func (c *heraldConn) Read() (driver.Kind, []byte, error) {
	select {
	case e := <-c.events:
		return e.kind, e.data, e.err
	case <-c.done:
		return 0, nil, errors.New("herald: connection closed")
	}
}

func (c *heraldConn) Close() error {
	c.nc.Close()
	return nil
}
