package sdkdriver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/heraldmq/herald/tools/internal/bench/driver"
)

var mqttIDs atomic.Uint64

// mqttConn adapts Eclipse Paho. Paho has no ping call: Subscribe waits for
// its SUBACK, so Ping answers at once.
type mqttConn struct {
	client paho.Client
	events chan event
	done   chan struct{}
	closed atomic.Bool
}

func mqttDial(addr string) func(ctx context.Context) (driver.Conn, error) {
	return func(ctx context.Context) (driver.Conn, error) {
		c := &mqttConn{events: make(chan event, msgBuffer), done: make(chan struct{})}
		id := fmt.Sprintf("hb-sdk-%d-%d", os.Getpid(), mqttIDs.Add(1))
		opts := paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(id).
			SetCleanSession(true).SetAutoReconnect(false).SetOrderMatters(true).SetKeepAlive(0).
			SetConnectionLostHandler(func(paho.Client, error) { c.shut() })
		c.client = paho.NewClient(opts)
		if err := wait(ctx, c.client.Connect()); err != nil {
			return nil, err
		}
		return c, nil
	}
}

// wait waits for a Paho token within the context's deadline (or 10 s).
func wait(ctx context.Context, t paho.Token) error {
	d := 10 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		d = time.Until(dl)
	}
	if !t.WaitTimeout(d) {
		return errors.New("mqtt: timed out")
	}
	return t.Error()
}

func (c *mqttConn) shut() {
	if c.closed.CompareAndSwap(false, true) {
		close(c.done)
	}
}

func (c *mqttConn) Subscribe(topic, group string) error {
	if group != "" {
		topic = "$share/" + group + "/" + topic
	}
	return wait(context.Background(), c.client.Subscribe(topic, 0, func(_ paho.Client, m paho.Message) {
		c.events <- event{kind: driver.KindMsg, data: m.Payload()}
	}))
}

func (c *mqttConn) Publish(topic string, payload []byte) error {
	c.client.Publish(topic, 0, false, payload)
	return nil
}

func (c *mqttConn) Flush() error { return nil }

func (c *mqttConn) Ping() error {
	select {
	case c.events <- event{kind: driver.KindPong}:
		return nil
	case <-c.done:
		return errors.New("mqtt: connection closed")
	}
}

func (c *mqttConn) Read() (driver.Kind, []byte, error) {
	select {
	case e := <-c.events:
		return e.kind, e.data, e.err
	case <-c.done:
		return 0, nil, errors.New("mqtt: connection closed")
	}
}

func (c *mqttConn) Close() error {
	c.client.Disconnect(0)
	c.shut()
	return nil
}
