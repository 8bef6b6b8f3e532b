package driver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
)

// MQTT returns the system for an MQTT 3.1.1 broker (mosquitto) at addr,
// driven by a minimal client: CONNECT with a clean session and no keepalive,
// SUBSCRIBE and PUBLISH at QoS 0, PINGREQ as the round trip. Queue groups are
// shared subscriptions, "$share/GROUP/TOPIC".
func MQTT(addr string) System {
	return System{
		Name:  "mqtt",
		Addr:  addr,
		Queue: true,
		Topic: func(name string) string { return "bench/" + name },
		Dial: func(ctx context.Context) (Conn, error) {
			nc, err := dialTCP(ctx, addr)
			if err != nil {
				return nil, err
			}
			c := &mqttConn{base: newBase(nc)}
			if err := handshake(ctx, nc, c.connect); err != nil {
				nc.Close()
				return nil, fmt.Errorf("handshake: %w", err)
			}
			return c, nil
		},
	}
}

// MQTT control packet types (MQTT 3.1.1 section 2.2.1).
const (
	mqttConnect   = 1
	mqttConnack   = 2
	mqttPublish   = 3
	mqttSubscribe = 8
	mqttSuback    = 9
	mqttPingreq   = 12
	mqttPingresp  = 13
)

var mqttClients atomic.Uint64

// mqttConn speaks MQTT 3.1.1 at QoS 0.
type mqttConn struct {
	base
	pid uint16
}

// appendRemLen appends MQTT's variable-length "remaining length".
func appendRemLen(b []byte, n int) []byte {
	for {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			d |= 0x80
		}
		b = append(b, d)
		if n == 0 {
			return b
		}
	}
}

// appendMQTTStr appends a UTF-8 string with its 2-byte length.
func appendMQTTStr(b []byte, s string) []byte {
	b = append(b, byte(len(s)>>8), byte(len(s)))
	return append(b, s...)
}

// connect sends CONNECT and waits for a CONNACK accepting it.
func (c *mqttConn) connect() error {
	id := "hb-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(mqttClients.Add(1), 10)
	var vh []byte
	vh = appendMQTTStr(vh, "MQTT")
	vh = append(vh, 4, 0x02, 0, 0) // level 4, clean session, keepalive off
	vh = appendMQTTStr(vh, id)
	p := appendRemLen([]byte{mqttConnect << 4}, len(vh))
	if err := c.out.send(append(p, vh...)); err != nil {
		return err
	}
	typ, body, err := c.packet()
	if err != nil {
		return err
	}
	if typ>>4 != mqttConnack || len(body) < 2 {
		return fmt.Errorf("expected CONNACK, got packet type %d", typ>>4)
	}
	if body[1] != 0 {
		return fmt.Errorf("CONNACK refused the connection (return code %d)", body[1])
	}
	return nil
}

// packet reads one control packet and returns its first byte (type in the
// high nibble, flags in the low one) and its body in place.
func (c *mqttConn) packet() (byte, []byte, error) {
	if err := c.in.need(2); err != nil {
		return 0, nil, err
	}
	n, mult, hl := 0, 1, 1
	for {
		if err := c.in.need(hl + 1); err != nil {
			return 0, nil, err
		}
		d := c.in.peek(hl + 1)[hl]
		hl++
		n += int(d&0x7f) * mult
		if d&0x80 == 0 {
			break
		}
		mult *= 128
		if hl > 4 {
			return 0, nil, errors.New("mqtt: malformed remaining length")
		}
	}
	if err := c.in.need(hl + n); err != nil {
		return 0, nil, err
	}
	p := c.in.take(hl + n)
	return p[0], p[hl:], nil
}

// Subscribe sends SUBSCRIBE at QoS 0; a group becomes "$share/group/topic".
func (c *mqttConn) Subscribe(topic, group string) error {
	if group != "" {
		topic = "$share/" + group + "/" + topic
	}
	c.pid++
	if c.pid == 0 {
		c.pid = 1
	}
	var vh []byte
	vh = append(vh, byte(c.pid>>8), byte(c.pid))
	vh = appendMQTTStr(vh, topic)
	vh = append(vh, 0)
	p := appendRemLen([]byte{mqttSubscribe<<4 | 0x02}, len(vh))
	return c.out.send(append(p, vh...))
}

// Publish buffers a QoS 0 PUBLISH.
func (c *mqttConn) Publish(topic string, payload []byte) error {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	b := append(c.out.b, mqttPublish<<4)
	b = appendRemLen(b, 2+len(topic)+len(payload))
	b = appendMQTTStr(b, topic)
	c.out.b = append(b, payload...)
	return c.out.maybeFlushLocked()
}

// Ping sends PINGREQ.
func (c *mqttConn) Ping() error { return c.out.send([]byte{mqttPingreq << 4, 0}) }

// Read returns the next PUBLISH payload or PINGRESP; a SUBACK refusing a
// subscription is an error.
func (c *mqttConn) Read() (Kind, []byte, error) {
	for {
		first, body, err := c.packet()
		if err != nil {
			return 0, nil, err
		}
		switch first >> 4 {
		case mqttPublish:
			if len(body) < 2 {
				return 0, nil, errors.New("mqtt: short PUBLISH")
			}
			off := 2 + (int(body[0])<<8 | int(body[1]))
			if first&0x06 != 0 {
				off += 2 // a packet id follows the topic at QoS 1 and 2
			}
			if off > len(body) {
				return 0, nil, errors.New("mqtt: PUBLISH topic longer than the packet")
			}
			return KindMsg, body[off:], nil
		case mqttPingresp:
			return KindPong, nil, nil
		case mqttSuback:
			for _, rc := range body[min(2, len(body)):] {
				if rc == 0x80 {
					return 0, nil, errors.New("mqtt: SUBACK refused the subscription")
				}
			}
		}
	}
}
