package steps

import (
	"fmt"
	"strconv"
	"time"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec/wire"
)

// world is the state of one scenario: its connections by name, the names it
// put on the wire, and what the steps have seen so far.
type world struct {
	env     *Env
	ns      *namespace
	welcome wire.Welcome
	skip    string
	outcome *Outcome
	started time.Time

	conns   map[string]*probe.Conn
	order   []string
	helloAt map[string]time.Time
	// subs records each subscription's wire pattern: subs[conn][sid].
	subs map[string]map[uint32]string
	// lastSeq is the last seq a step took for each subscription.
	lastSeq map[string]map[uint32]uint64
	// published counts the messages the scenario published per wire channel.
	published map[string]int
	// pingMark is the number of the PING a "sends a PING" step sent.
	pingMark map[string]int

	iso   isolation
	burst burst
}

func newWorld(e *Env) *world {
	return &world{
		env:       e,
		ns:        newNamespace(),
		conns:     map[string]*probe.Conn{},
		helloAt:   map[string]time.Time{},
		subs:      map[string]map[uint32]string{},
		lastSeq:   map[string]map[uint32]uint64{},
		published: map[string]int{},
		pingMark:  map[string]int{},
	}
}

// timeout is the deadline of every event wait (13.3, scaled).
func (w *world) timeout() time.Duration { return w.env.timeout }

// conn returns the connection a step names.
func (w *world) conn(name string) (*probe.Conn, error) {
	c, ok := w.conns[name]
	if !ok {
		return nil, fmt.Errorf("the scenario has no client %q (connect it in a Given step first)", name)
	}
	return c, nil
}

// dial opens a connection without sending anything.
func (w *world) dial(name string) (*probe.Conn, error) {
	if _, dup := w.conns[name]; dup {
		return nil, fmt.Errorf("client %q is already connected", name)
	}
	c, err := probe.Dial(w.env.s.Addr, name, probe.Options{Timeout: w.timeout()})
	if err != nil {
		return nil, err
	}
	w.conns[name] = c
	w.order = append(w.order, name)
	return c, nil
}

// connect opens a connection and completes the handshake with h.
func (w *world) connect(name string, h wire.Hello) (*probe.Conn, error) {
	c, err := w.dial(name)
	if err != nil {
		return nil, err
	}
	w.helloAt[name] = time.Now()
	if err := c.Handshake(h); err != nil {
		return nil, err
	}
	return c, nil
}

// name translates a channel or pattern written in a feature to its wire form.
func (w *world) name(text string) (string, error) { return w.ns.wire(text) }

// sid parses a sid written in a feature: a number, or
// "max_subscriptions + 1".
func (w *world) sid(text string) (uint32, error) {
	if text == "max_subscriptions + 1" {
		return uint32(w.welcome.MaxSubscriptions + 1), nil
	}
	v, err := strconv.ParseUint(text, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("bad sid %q: %w", text, err)
	}
	return uint32(v), nil
}

func (w *world) noteSub(conn string, sid uint32, pattern string) {
	if w.subs[conn] == nil {
		w.subs[conn] = map[uint32]string{}
	}
	w.subs[conn][sid] = pattern
}

func (w *world) setSeq(conn string, sid uint32, seq uint64) {
	if w.lastSeq[conn] == nil {
		w.lastSeq[conn] = map[uint32]uint64{}
	}
	w.lastSeq[conn][sid] = seq
}

// expectMatching counts the messages the scenario published to channels
// that the subscription's pattern matches.
func (w *world) expectMatching(conn string, sid uint32) (int, error) {
	p, ok := w.subs[conn][sid]
	if !ok {
		return 0, fmt.Errorf("%s has no subscription with sid %d in this scenario", conn, sid)
	}
	n := 0
	for ch, k := range w.published {
		if wire.Match([]byte(p), []byte(ch)) {
			n += k
		}
	}
	return n, nil
}

// sendAndSync writes frames, then waits for the PONG of a PING sent after
// them: the server has processed everything (9.2). When refuse is true, an
// ERR that arrived before the PONG fails the step.
func (w *world) sendAndSync(c *probe.Conn, frames []byte, refuse bool) error {
	if err := c.Send(frames); err != nil {
		return err
	}
	if err := c.Barrier(); err != nil {
		return err
	}
	if refuse {
		if errs := c.Pending(probe.Op(wire.OpErr)); len(errs) > 0 {
			return fmt.Errorf("%s: the server refused what it should have accepted: %s", c.Name, errs[0])
		}
	}
	return nil
}
