package steps

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec"
	"github.com/heraldmq/herald/spec/wire"
)

// smallReadBuffer is the socket receive buffer of a client that stops
// reading: small, so the server's side fills quickly.
const smallReadBuffer = 16 << 10

func (w *world) registerConnSteps(sc *godog.ScenarioContext) {
	sc.Step(`^clients? ("[^"]+"(?:(?:, | and )"[^"]+")*) (?:is|are) connected$`, w.clientsConnected)
	sc.Step(`^client "([^"]+)" is connected with (echo|headers|no_responders) (on|off)$`, w.clientWithOption)
	sc.Step(`^client "([^"]+)" is connected and does not answer PINGs$`, w.clientMute)
	sc.Step(`^a connection "([^"]+)" that has not sent HELLO$`, w.rawConnection)
	sc.Step(`^"([^"]+)" receives WELCOME first$`, w.receivesWelcomeFirst)
	sc.Step(`^the WELCOME "([^"]+)" received announces protocol version 1 and consistent limits$`, w.welcomeConsistent)
	sc.Step(`^"([^"]+)" sends HELLO, a subscription to "([^"]*)" as sid (\d+), a publication of "([^"]*)" to "([^"]*)" and a PING in one write$`, w.sendsHelloBatch)
	sc.Step(`^"([^"]+)" sends the frame of vector "([^"]+)"$`, w.sendsVector)
	sc.Step(`^"([^"]+)" sends HELLO again, as in vector "([^"]+)"$`, w.sendsVector)
	sc.Step(`^"([^"]+)" sends HELLO with version (\d+)$`, w.sendsHelloVersion)
	sc.Step(`^"([^"]+)" sends HELLO with only the option "([^"]+)" set to "([^"]*)", as in vector "([^"]+)"$`, w.sendsHelloOneOption)
	sc.Step(`^"([^"]+)" sends HELLO as a user the server cannot know$`, w.sendsUnknownUser)
	sc.Step(`^"([^"]+)" sends a publication of "([^"]*)" to "([^"]*)" before HELLO$`, w.sendsPubBeforeHello)
	sc.Step(`^"([^"]+)" sends a PING before HELLO$`, w.sendsPingBeforeHello)
	sc.Step(`^"([^"]+)" sends only the length prefix of a frame one byte longer than max_frame$`, w.sendsOversizeLength)
	sc.Step(`^"([^"]+)" sends a (WELCOME|MSG|ERR|NOTICE) frame$`, w.sendsServerOp)
	sc.Step(`^"([^"]+)" sends a zero-length frame and then a publication of "([^"]*)" to "([^"]*)"$`, w.sendsZeroThenPub)
	sc.Step(`^"([^"]+)" is still connected$`, w.stillConnected)
	sc.Step(`^"([^"]+)" is disconnected$`, w.isDisconnected)
	sc.Step(`^"([^"]+)" is disconnected without having received a PONG$`, w.disconnectedNoPong)
	sc.Step(`^"([^"]+)" disconnects$`, w.disconnects)
	sc.Step(`^"([^"]+)" stops reading$`, w.stopsReading)
	sc.Step(`^"([^"]+)" reads again$`, w.readsAgain)
}

func (w *world) clientsConnected(list string) error {
	for _, name := range quotedList(list) {
		if _, err := w.connect(name, w.env.hello(name)); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) clientWithOption(name, option, value string) error {
	h := w.env.hello(name)
	on := value == "on"
	switch option {
	case "echo":
		h.Echo = on
	case "headers":
		h.Headers = on
	case "no_responders":
		h.NoResponders = on
	}
	_, err := w.connect(name, h)
	return err
}

func (w *world) clientMute(name string) error {
	c, err := w.dial(name)
	if err != nil {
		return err
	}
	c.SetAnswerPings(false)
	w.helloAt[name] = time.Now()
	return c.Handshake(w.env.hello(name))
}

func (w *world) rawConnection(name string) error {
	c, err := w.dial(name)
	if err != nil {
		return err
	}
	c.Start()
	return nil
}

func (w *world) receivesWelcomeFirst(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	return c.ExpectWelcome()
}

func (w *world) welcomeConsistent(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	wel := c.Welcome
	var bad []string
	check := func(ok bool, format string, args ...any) {
		if !ok {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	check(wel.Version == wire.Version, "version is %d, not %d", wel.Version, wire.Version)
	check(wel.ServerID != "", "server_id is empty")
	check(wel.MaxPayload > 0, "max_payload is 0")
	check(wel.MaxFrame >= wel.MaxPayload+wire.FrameOverhead, "max_frame %d is below max_payload + 65536 = %d", wel.MaxFrame, wel.MaxPayload+wire.FrameOverhead)
	check(wel.MaxPendingBytes > 0, "max_pending_bytes is 0")
	check(wel.PingIntervalMs > 0, "ping_interval_ms is 0")
	check(wel.Overflow == wire.OverflowDrop || wel.Overflow == wire.OverflowDisconnect, "overflow is %q, neither drop nor disconnect", wel.Overflow)
	for _, c := range wel.Capabilities {
		check(c == strings.ToLower(c) && c != "", "capability %q is not a lowercase string", c)
	}
	if len(bad) > 0 {
		return fmt.Errorf("WELCOME is inconsistent: %s", strings.Join(bad, "; "))
	}
	w.env.Notef("server %q %s (id %s): max_payload %d, max_frame %d, max_header_bytes %d, max_subscriptions %d, ping %d ms × %d, max_pending_bytes %d, overflow %s, capabilities %q",
		wel.ServerName, wel.ServerVersion, wel.ServerID, wel.MaxPayload, wel.MaxFrame, wel.MaxHeaderBytes, wel.MaxSubscriptions,
		wel.PingIntervalMs, wel.MaxPingsOut, wel.MaxPendingBytes, wel.Overflow, wel.Capabilities)
	return nil
}

func (w *world) sendsHelloBatch(name, pattern, sid, payload, channel string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	p, err := w.name(pattern)
	if err != nil {
		return err
	}
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	id, err := w.sid(sid)
	if err != nil {
		return err
	}
	h := w.env.hello(name)
	b := h.Append(nil)
	b = (&wire.Sub{Sid: id, Pattern: []byte(p)}).Append(b)
	b = (&wire.Pub{Channel: []byte(ch), Payload: []byte(payload)}).Append(b)
	b = wire.AppendPing(b)
	c.SentPing()
	w.noteSub(name, id, p)
	w.published[ch]++
	return c.Send(b)
}

// vectorBytes finds a vector by name among the invalid and the valid frames.
func vectorBytes(name string) ([]byte, error) {
	for _, v := range spec.Invalid().Vectors {
		if v.Name == name {
			return v.Bytes(), nil
		}
	}
	for _, v := range spec.Ops().Vectors {
		if v.Name == name {
			return v.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("spec/vectors has no vector named %q", name)
}

func (w *world) sendsVector(name, vector string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	b, err := vectorBytes(vector)
	if err != nil {
		return err
	}
	return c.Send(b)
}

func (w *world) sendsHelloVersion(name string, version int) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	h := w.env.hello(name)
	h.Version = uint64(version)
	return c.Send(h.Append(nil))
}

// sendsHelloOneOption writes, element by element, the HELLO of the named
// vector (an option the server does not know, none of the defined ones) with
// this run's credentials, which the vector cannot carry.
func (w *world) sendsHelloOneOption(name, key, value, vector string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	if _, err := vectorBytes(vector); err != nil {
		return err
	}
	opt := func(s string) []byte {
		if s == "" {
			return probe.Nil()
		}
		return probe.S(s)
	}
	options, err := probe.StrMap("fixmap", key, value)
	if err != nil {
		return err
	}
	body := probe.Array(probe.U(uint64(wire.OpHello)), probe.U(wire.Version), probe.S("x"),
		opt(w.env.s.User), opt(w.env.s.Token), options)
	return c.Send(probe.FrameOf(body))
}

func (w *world) sendsUnknownUser(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	h := w.env.hello(name)
	h.User, h.Token = "conformance-"+hex.EncodeToString(b[:6]), hex.EncodeToString(b)
	return c.Send(h.Append(nil))
}

func (w *world) sendsPubBeforeHello(name, payload, channel string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	return c.Send((&wire.Pub{Channel: []byte(ch), Payload: []byte(payload)}).Append(nil))
}

func (w *world) sendsPingBeforeHello(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	return c.Send(wire.AppendPing(nil))
}

func (w *world) sendsOversizeLength(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	n := c.Welcome.MaxFrame + 1
	if n > 1<<32-1 {
		return fmt.Errorf("max_frame %d leaves no longer length to send", c.Welcome.MaxFrame)
	}
	return c.Send([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

func (w *world) sendsServerOp(name, op string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	var b []byte
	switch op {
	case "WELCOME":
		b = (&wire.Welcome{Version: 1, ServerID: "x", Overflow: wire.OverflowDrop}).Append(nil)
	case "MSG":
		b = (&wire.Msg{Sid: 1, Seq: 1, Channel: []byte("/a"), Payload: []byte("x")}).Append(nil)
	case "ERR":
		b = (&wire.Error{Code: wire.CodeBadFrame, Message: "from a client"}).Append(nil)
	case "NOTICE":
		b = (&wire.Notice{Sid: 1, Count: 1, First: 1, Last: 1, Reason: wire.ReasonSlowConsumer}).Append(nil)
	}
	return c.Send(b)
}

func (w *world) sendsZeroThenPub(name, payload, channel string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	b := []byte{0, 0, 0, 0}
	b = (&wire.Pub{Channel: []byte(ch), Payload: []byte(payload)}).Append(b)
	return c.Send(b)
}

func (w *world) stillConnected(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	if err := c.Barrier(); err != nil {
		return fmt.Errorf("%s should still be connected: %w", name, err)
	}
	return nil
}

func (w *world) isDisconnected(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	if err := c.WaitClosed(); err != nil {
		return err
	}
	if left := c.Pending(probe.Any); len(left) > 0 {
		return fmt.Errorf("%s received %s, which a step did not expect, before the server closed the connection", name, left[0])
	}
	return nil
}

func (w *world) disconnectedNoPong(name string) error {
	if err := w.isDisconnected(name); err != nil {
		return err
	}
	c, _ := w.conn(name)
	if n := c.Pongs(); n > 0 {
		return fmt.Errorf("%s received %d PONG(s) for a PING sent before HELLO", name, n)
	}
	return nil
}

func (w *world) disconnects(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	c.Abort()
	return nil
}

func (w *world) stopsReading(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	w.pause(c)
	return nil
}

// pause stops a client reading. It keeps sending a PING every half ping
// interval, so that a short interval does not close it as stale (9.3).
func (w *world) pause(c *probe.Conn) {
	c.ShrinkReadBuffer(smallReadBuffer)
	c.SetPauseKeepalive(max(w.interval()/2, 10*time.Millisecond))
	c.Pause()
}

func (w *world) readsAgain(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	c.Resume()
	return nil
}
