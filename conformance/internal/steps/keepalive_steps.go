package steps

import (
	"fmt"
	"time"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/spec/wire"
)

// Keepalive (PROTOCOL.md section 9). These steps read ping_interval_ms and
// max_pings_out from WELCOME and last a few intervals.
func (w *world) registerKeepaliveSteps(sc *godog.ScenarioContext) {
	sc.Step(`^"([^"]+)" sends a subscription to "([^"]*)" as sid (\d+) and a PING in one write$`, w.sendsSubAndPing)
	sc.Step(`^"([^"]+)" sends a publication of "([^"]*)" to "([^"]*)" and a PING in one write$`, w.sendsPubAndPing)
	sc.Step(`^"([^"]+)" receives a PONG$`, w.receivesPong)
	sc.Step(`^"([^"]+)" sends nothing until the server has pinged it max_pings_out \+ 1 times, answering each$`, w.idleUntilPinged)
	sc.Step(`^"([^"]+)" publishes to "([^"]*)" every half ping interval for max_pings_out \+ 2 ping intervals$`, w.keepsPublishing)
}

func (w *world) interval() time.Duration {
	return time.Duration(w.welcome.PingIntervalMs) * time.Millisecond
}

func (w *world) sendsSubAndPing(name, pattern string, sid int) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	p, err := w.name(pattern)
	if err != nil {
		return err
	}
	w.noteSub(name, uint32(sid), p)
	c.SentPing()
	return c.Send(wire.AppendPing((&wire.Sub{Sid: uint32(sid), Pattern: []byte(p)}).Append(nil)))
}

func (w *world) sendsPubAndPing(name, payload, channel string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	p, err := w.pubTo(channel, payload)
	if err != nil {
		return err
	}
	w.published[string(p.Channel)]++
	c.SentPing()
	return c.Send(wire.AppendPing(p.Append(nil)))
}

func (w *world) receivesPong(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	return c.WaitPong(c.PingsSent())
}

func (w *world) idleUntilPinged(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	n := int(w.welcome.MaxPingsOut) + 1
	limit := w.env.scale(w.interval()*time.Duration(n+1)) + w.timeout()
	at, err := c.WaitPings(n, limit)
	if err != nil {
		return fmt.Errorf("an idle client must be pinged every ping_interval_ms (9.1): %w", err)
	}
	w.env.Notef("keepalive: %d PINGs to an idle client within %v", n, at[n-1].Sub(w.helloAt[name]).Round(time.Millisecond))
	return nil
}

func (w *world) keepsPublishing(name, channel string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	p, err := w.pubTo(channel, "still here")
	if err != nil {
		return err
	}
	frame := p.Append(nil)
	half := w.interval() / 2
	end := time.Now().Add(w.interval() * time.Duration(w.welcome.MaxPingsOut+2))
	tick := time.NewTicker(half)
	defer tick.Stop()
	for time.Now().Before(end) {
		if err := c.Send(frame); err != nil {
			return fmt.Errorf("%s: %w (9.3: a client that keeps sending is alive)", name, err)
		}
		<-tick.C
	}
	return nil
}
