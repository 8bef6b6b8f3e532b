package soak

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// env is what the chaos scenarios share: the broker's address and the
// timing it was started with, and the tally they report to.
type env struct {
	addr        string
	disconnect  bool          // the broker runs --overflow disconnect
	hello       time.Duration // the broker's HELLO wait (fixed at 10s in heraldd)
	ping        time.Duration // --ping-interval
	pings       int           // --max-pings-out
	slack       time.Duration // scheduling allowance on a loaded machine
	maxMessages int           // most messages one cell publishes
	maxPayload  int           // largest payload a cell publishes
	stallMin    time.Duration // shortest time a stalled reader holds on
	stallMax    time.Duration // longest
	t           *tally
	ids         atomic.Uint64
}

func (e *env) id() uint64 { return e.ids.Add(1) }

// payload returns size bytes starting with index, big-endian.
func payload(buf []byte, index uint64, size int) []byte {
	buf = append(buf[:0], make([]byte, max(size, 8))...)
	binary.BigEndian.PutUint64(buf, index)
	return buf
}

// dial connects, counting a failure to connect.
func (e *env) dial(ctx context.Context, rcvbuf int) (*client, error) {
	c, err := dial(ctx, e.addr, rcvbuf)
	if err != nil {
		e.t.dialFailed(err)
	}
	return c, err
}

// cell is the well-behaved case: two subscribers and a publisher on
// channels of their own. Subscriber A holds a plain subscription to
// /soak/cN/x, a wildcard /soak/cN/* and a rotation-set member on /soak/cN/x;
// B (half the time a slow reader with a small receive buffer) holds
// /soak/cN/> and the other member. The publisher sends n messages
// alternately to /x and /y, waits for its PONG, and leaves, half the time
// with a reset. Then each subscriber's final PING barrier proves it has seen
// everything routed to it, and every seq is accounted for: delivered,
// NOTICEd, or (after ERR slow_consumer) told lost.
func (e *env) cell(ctx context.Context) error {
	id := e.id()
	base := fmt.Sprintf("/soak/c%d", id)
	n := uint64(20 + rand.IntN(e.maxMessages-19))
	size := 8 + rand.IntN(e.maxPayload-7)
	slowB := rand.IntN(2) == 0
	deadline := time.Now().Add(60 * time.Second)
	nx := (n + 1) / 2 // messages to /x: the even indices

	even := func(sid uint32, seq, idx uint64) error {
		if idx%2 != 0 || idx >= n {
			return fmt.Errorf("rotation member got index %d", idx)
		}
		return nil
	}
	a, err := e.subscriber(ctx, deadline, 0, "cell", []subSpec{{1, base + "/x", ""}, {2, base + "/*", ""}, {3, base + "/x", "q"}})
	if err != nil {
		return err
	}
	defer closeRandomly(a.c)
	a.payload = func(sid uint32, seq, idx uint64) error {
		switch sid {
		case 1:
			if idx != 2*(seq-1) {
				return fmt.Errorf("/x subscription: seq %d carries index %d, want %d", seq, idx, 2*(seq-1))
			}
		case 2:
			if idx != seq-1 {
				return fmt.Errorf("wildcard: seq %d carries index %d", seq, idx)
			}
		case 3:
			return even(sid, seq, idx)
		}
		return nil
	}
	rcv := 0
	if slowB {
		rcv = 8 << 10
	}
	b, err := e.subscriber(ctx, deadline, rcv, "cell", []subSpec{{1, base + "/>", ""}, {3, base + "/x", "q"}})
	if err != nil {
		return err
	}
	defer closeRandomly(b.c)
	b.payload = func(sid uint32, seq, idx uint64) error {
		if sid == 1 && idx != seq-1 {
			return fmt.Errorf("/> subscription: seq %d carries index %d", seq, idx)
		}
		if sid == 3 {
			return even(sid, seq, idx)
		}
		return nil
	}
	if slowB {
		b.slow = func(reads int) {
			if reads%8 == 7 {
				time.Sleep(time.Millisecond)
			}
		}
	}
	a.keepIndices(3)
	b.keepIndices(3)
	a.start(deadline)
	b.start(deadline)

	if err := e.publish(ctx, deadline, base, n, size); err != nil {
		a.finish()
		b.finish()
		return fmt.Errorf("publisher: %w", err)
	}
	a.finish()
	b.finish()
	acct := a.tally(map[uint32]uint64{1: nx, 2: n})
	acct.add(b.tally(map[uint32]uint64{1: n}))
	acct.add(tallyRotation(3, nx, a, b))
	e.t.account(acct)
	if !acct.ok() {
		return fmt.Errorf("cell %s, %d messages of %d bytes: A %s | B %s | %+v", base, n, size, a.describe(), b.describe(), acct)
	}
	return nil
}

// subSpec is one SUB.
type subSpec struct {
	sid     uint32
	pattern string
	queue   string
}

// subscriber connects, subscribes, and waits for the PONG that puts the
// subscriptions in effect.
func (e *env) subscriber(ctx context.Context, deadline time.Time, rcvbuf int, name string, subs []subSpec) (*checked, error) {
	c, err := e.dial(ctx, rcvbuf)
	if err != nil {
		return nil, err
	}
	err = c.hello(name)
	sids := make([]uint32, 0, len(subs))
	for _, s := range subs {
		if err == nil {
			err = c.sub(s.sid, s.pattern, s.queue)
		}
		sids = append(sids, s.sid)
	}
	if err == nil {
		err = c.sync(deadline)
	}
	if err != nil {
		c.reset()
		return nil, fmt.Errorf("subscriber setup: %w", err)
	}
	return newChecked(c, sids...), nil
}

// publish sends n messages of size bytes, index i to base/x when i is even
// and base/y when odd, then waits for its PONG: all n are routed.
func (e *env) publish(ctx context.Context, deadline time.Time, base string, n uint64, size int) error {
	c, err := e.dial(ctx, 0)
	if err != nil {
		return err
	}
	defer closeRandomly(c)
	if err := c.hello("cell-pub"); err != nil {
		return err
	}
	x, y := []byte(base+"/x"), []byte(base+"/y")
	var buf, pl []byte
	for i := uint64(0); i < n; i++ {
		ch := x
		if i%2 == 1 {
			ch = y
		}
		pl = payload(pl, i, size)
		buf = (&wire.Pub{Channel: ch, Payload: pl}).Append(buf)
		if len(buf) >= 64<<10 || i == n-1 {
			c.nc.SetWriteDeadline(deadline)
			if _, err := c.nc.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	return c.sync(deadline)
}

// closeRandomly closes c normally or with a reset.
func closeRandomly(c *client) {
	if rand.IntN(2) == 0 {
		c.reset()
	} else {
		c.close()
	}
}

// abrupt connects and vanishes at a random point: before HELLO, after it,
// after subscribing and publishing without reading, in the middle of a
// frame, or while the broker is writing to it. Each ends with a reset. The
// broker must simply clean up (checked by the phase's baseline checks).
func (e *env) abrupt(ctx context.Context) error {
	c, err := e.dial(ctx, 0)
	if err != nil {
		return err
	}
	defer c.reset()
	variant := rand.IntN(6)
	e.t.outcome(fmt.Sprintf("abrupt variant %d", variant))
	if variant == 0 {
		return nil
	}
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if c.hello("abrupt") != nil {
		return nil // the broker may see the reset first; that is the point
	}
	id := e.id()
	ch := []byte(fmt.Sprintf("/soak/a%d/x", id))
	switch variant {
	case 2:
		c.sub(1, "/soak/fire", "")
		c.sub(2, string(ch[:len(ch)-2])+"/>", "")
		var buf []byte
		for i := range 1 + rand.IntN(200) {
			buf = (&wire.Pub{Channel: ch, Payload: payload(nil, uint64(i), 64)}).Append(buf)
		}
		c.send(buf)
	case 3:
		f := (&wire.Pub{Channel: ch, Payload: make([]byte, 4096)}).Append(nil)
		c.send(f[:1+rand.IntN(len(f)-1)])
	case 4:
		c.sub(1, "/soak/fire", "")
		for range rand.IntN(50) {
			if _, err := c.read(time.Now().Add(2 * time.Second)); err != nil {
				break
			}
		}
	case 5:
		var buf []byte
		for range 1 + rand.IntN(8) {
			buf = (&wire.Pub{Channel: ch, Payload: make([]byte, 64<<10)}).Append(buf)
		}
		c.send(buf[:rand.IntN(len(buf))])
	}
	return nil
}

// stalled subscribes to the firehose (and sometimes to everything) with a
// small receive buffer and never reads, for stallMin to stallMax (1 to 15
// seconds in the soak), then resets.
// The broker must hold it to its budget without slowing anyone (checked
// through the well-behaved subscribers) and clean up after it.
func (e *env) stalled(ctx context.Context) error {
	c, err := e.dial(ctx, 4<<10)
	if err != nil {
		return err
	}
	defer c.reset()
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	c.hello("stalled")
	c.sub(1, "/soak/fire", "")
	if rand.IntN(3) == 0 {
		c.sub(2, "/soak/>", "")
	}
	select {
	case <-time.After(e.stallMin + rand.N(e.stallMax-e.stallMin+1)):
	case <-ctx.Done():
	}
	return nil
}
