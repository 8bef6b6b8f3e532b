package broker

import (
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

var pingFrame = wire.AppendPing(nil)

// armTimer (re)starts the connection's timer: the HELLO deadline before the
// handshake, the keepalive check after it.
func (c *conn) armTimer(d time.Duration) {
	c.timerMu.Lock()
	defer c.timerMu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	if d <= 0 {
		c.timer = nil
		return
	}
	c.timer = time.AfterFunc(d, c.tick)
}

func (c *conn) stopTimer() {
	c.timerMu.Lock()
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.timerMu.Unlock()
}

// tick enforces PROTOCOL.md 9: with no frame from the client for k ping
// intervals it sends a PING (once per interval), and at k = max_pings_out+1
// it closes the connection as stale. The next check is scheduled for the next
// interval boundary counted from the last frame received, so detection is
// timely whatever the interval.
func (c *conn) tick() {
	c.timerMu.Lock()
	defer c.timerMu.Unlock()
	if c.timer == nil {
		return
	}
	if !c.ready {
		c.timer = nil
		c.fail(&wire.Error{Code: wire.CodeStaleConnection, Message: "no HELLO within " + c.srv.cfg.HelloTimeout.String()}, false)
		return
	}
	cfg := &c.srv.cfg
	interval := int64(cfg.PingInterval)
	last := c.lastIn.Load()
	now := c.srv.now()
	k := (now - last) / interval
	if k >= int64(cfg.MaxPingsOut)+1 {
		c.timer = nil
		c.fail(&wire.Error{Code: wire.CodeStaleConnection,
			Message: "no frame for " + time.Duration(now-last).Round(time.Millisecond).String()}, false)
		return
	}
	if k >= 1 && (c.pingBase != last || c.pingCount < int(k)) {
		if c.pingBase != last {
			c.pingBase, c.pingCount = last, 0
		}
		c.pingCount = int(k)
		c.sendControl(pingFrame)
	}
	next := last + (k+1)*interval - now
	c.timer.Reset(time.Duration(max(next, int64(time.Millisecond))))
}
