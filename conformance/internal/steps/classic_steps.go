package steps

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/spec/wire"
)

// The steps of features/classic.feature: the classic compatibility profile
// (PROTOCOL.md 14), spoken on the port the runner's --classic-addr names.

// Tags of the classic scenarios.
const (
	// ClassicTag marks the scenarios of the classic profile; they run only
	// when the runner is given --classic-addr.
	ClassicTag = "@classic"
	// CrossProtocolTag marks classic scenarios that also use Herald clients;
	// they need --addr as well.
	CrossProtocolTag = "@cross-protocol"
)

// ClassicSkipReason returns why a scenario with these tags cannot run with
// the addresses the runner was given, or "".
func ClassicSkipReason(tags []string, s Settings) string {
	classic := slices.Contains(tags, ClassicTag)
	switch {
	case classic && s.ClassicAddr == "":
		return "the scenario needs the classic profile's address: give the runner --classic-addr"
	case (!classic || slices.Contains(tags, CrossProtocolTag)) && s.Addr == "":
		return "the scenario needs the server's Herald address: give the runner --addr"
	}
	return ""
}

// classicAuthRequirement is the tag @classic-auth: the scenario of 14.10
// runs only against a server that requires credentials.
func classicAuthRequirement() Requirement {
	r := capability(wire.CapAuth, "the server requires credentials (4.6), so its classic port must serve no one (14.10)")
	r.Tag = "@classic-auth"
	return r
}

// classicWorld is the classic side of one scenario.
type classicWorld struct {
	w         *world
	conns     map[string]*classicConn
	listening map[string]string // the wire channel each listener subscribed to
	iso       classicIso
	helpers   int // connections the steps open for themselves
}

func (w *world) registerClassicSteps(sc *godog.ScenarioContext) {
	cw := &classicWorld{w: w, conns: map[string]*classicConn{}, listening: map[string]string{}}
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		for _, c := range cw.conns {
			c.close()
		}
		return ctx, nil
	})
	const list = `((?:"[^"]*"(?:, | and )?)+)`
	sc.Step(`^(?:a )?classic clients? `+list+` listens? on "([^"]*)"$`, cw.listen)
	sc.Step(`^a classic client "([^"]+)" listens on "([^"]*)" and stops reading$`, cw.listenStalled)
	sc.Step(`^a classic client "([^"]+)" listens on the literal channel "([^"]*)"$`, cw.listenLiteral)
	sc.Step(`^a classic client "([^"]+)" connects with the first frame "([^"]*)"$`, cw.connectsWith)
	sc.Step(`^a classic client "([^"]+)" connects and sends the length prefix of a (\d+)-byte frame$`, cw.oversizeFirst)

	sc.Step(`^classic client "([^"]+)" sends `+list+` to "([^"]*)"$`, cw.sends)
	sc.Step(`^classic client "([^"]+)" sends (\d+) numbered messages to "([^"]*)"(?:, numbered from (\d+))?$`, cw.sendsNumbered)
	sc.Step(`^classic client "([^"]+)" sends "([^"]*)" to the literal channel "([^"]*)"$`, cw.sendsLiteral)
	sc.Step(`^classic client "([^"]+)" sends data of max_payload \+ 1 bytes to "([^"]*)"$`, cw.sendsOverMaxPayload)
	sc.Step(`^classic client "([^"]+)" sends "([^"]*)" to "([^"]*)", an empty destination frame and "([^"]*)" to "([^"]*)" in one write$`, cw.sendsAcrossEnd)
	sc.Step(`^classic client "([^"]+)" sends the length prefix of a (\d+)-byte frame$`, cw.oversizeDestination)
	sc.Step(`^classic client "([^"]+)" sends a destination frame for "([^"]*)" and the length prefix of a (\d+)-byte frame$`, cw.oversizeData)
	sc.Step(`^classic client "([^"]+)" sends a destination frame for "([^"]*)", the first (\d+) bytes of a (\d+)-byte data frame, and closes its connection$`, cw.truncated)
	sc.Step(`^classic client "([^"]+)" ends its session$`, cw.endsSession)

	sc.Step(`^classic clients? `+list+` (?:each )?receives? `+list+`$`, cw.receive)
	sc.Step(`^classic clients? `+list+` (?:each )?receives? the (\d+) numbered messages in order$`, cw.receiveNumbered)
	sc.Step(`^classic client "([^"]+)" receives "([^"]*)" sent to the literal channel$`, cw.receiveLiteral)
	sc.Step(`^classic client "([^"]+)" (?:ends its session and is disconnected|receives nothing more before its session ends)$`, cw.endsAndNothingMore)
	sc.Step(`^classic client "([^"]+)" ends its session, receives `+list+` and is disconnected$`, cw.endsAfter)
	sc.Step(`^classic client "([^"]+)" is disconnected$`, cw.isDisconnected)
	sc.Step(`^the (\d+) numbered messages reach `+list+` in strict rotation, (\d+) each$`, cw.strictRotation)
	sc.Step(`^a classic client can neither subscribe nor be served on the classic address$`, cw.notServed)

	cw.registerIsolationSteps(sc)
}

// addr is the classic profile's address.
func (cw *classicWorld) addr() string { return cw.w.env.s.ClassicAddr }

// dial opens a classic connection under a name of the scenario.
func (cw *classicWorld) dial(name string) (*classicConn, error) {
	if _, dup := cw.conns[name]; dup {
		return nil, fmt.Errorf("classic client %q is already connected", name)
	}
	c, err := dialClassic(cw.addr(), name, cw.w.timeout())
	if err != nil {
		return nil, err
	}
	cw.conns[name] = c
	return c, nil
}

// helper opens a classic connection for the steps' own use.
func (cw *classicWorld) helper(role string) (*classicConn, error) {
	cw.helpers++
	return cw.dial(fmt.Sprintf("%s-%d", role, cw.helpers))
}

func (cw *classicWorld) conn(name string) (*classicConn, error) {
	c, ok := cw.conns[name]
	if !ok {
		return nil, fmt.Errorf("the scenario has no classic client %q (connect it in a Given step first)", name)
	}
	return c, nil
}

// join connects a listener to the wire channel ch and returns once its
// subscription is in effect: a helper sends probes to ch until one arrives
// (others of a rotation set may get some too; listeners drop them), then ends
// its session, which the server closes only after routing every probe
// (14.8), so no probe is still on its way once this returns.
func (cw *classicWorld) join(name, ch string) (*classicConn, error) {
	c, err := cw.dial(name)
	if err != nil {
		return nil, err
	}
	if err := c.send(classicFrame([]byte(ch))); err != nil {
		return nil, err
	}
	cw.listening[name] = ch
	c.start()
	p, err := cw.helper("prober")
	if err != nil {
		return nil, err
	}
	if err := p.send(classicFrame(nil)); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(cw.w.timeout())
	retry := cw.w.env.scale(20 * time.Millisecond)
	for before := c.probeCount(); ; {
		if err := p.send(classicPair(ch, probeData)); err != nil {
			return nil, err
		}
		if c.wait(retry, func() bool { return c.probes > before || c.end != nil }) {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("classic client %s subscribed to %q with its first frame, and none of the messages sent there for %v reached it (14.2)", name, ch, cw.w.timeout())
		}
	}
	if end := c.ended(); end != nil {
		return nil, fmt.Errorf("classic client %s: the server closed the connection after its first frame %q (%s) (14.2)", name, ch, describeClassicEnd(end))
	}
	return c, cw.finish(p)
}

// finish ends a helper's session and waits for the close.
func (cw *classicWorld) finish(c *classicConn) error {
	if err := c.send(classicFrame(nil)); err != nil {
		return err
	}
	frames, err := c.untilEnd()
	if err != nil {
		return fmt.Errorf("%w after an empty destination frame (14.8)", err)
	}
	if len(frames) > 0 {
		return fmt.Errorf("classic client %s, which subscribed to nothing, received %s (14.2)", c.name, classicQuote(frames[0]))
	}
	return nil
}

func (cw *classicWorld) listen(names, channel string) error {
	ch, err := cw.w.name(channel)
	if err != nil {
		return err
	}
	for _, name := range quotedList(names) {
		if _, err := cw.join(name, ch); err != nil {
			return err
		}
	}
	return nil
}

func (cw *classicWorld) listenStalled(name, channel string) error {
	ch, err := cw.w.name(channel)
	if err != nil {
		return err
	}
	c, err := cw.join(name, ch)
	if err != nil {
		return err
	}
	c.pause()
	return nil
}

func (cw *classicWorld) listenLiteral(name, channel string) error {
	_, err := cw.join(name, channel)
	return err
}

func (cw *classicWorld) connectsWith(name, first string) error {
	f, err := cw.w.name(first)
	if err != nil {
		return err
	}
	c, err := cw.dial(name)
	if err != nil {
		return err
	}
	c.start()
	return c.send(classicFrame([]byte(f)))
}

func (cw *classicWorld) sends(name, list, channel string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	ch, err := cw.w.name(channel)
	if err != nil {
		return err
	}
	var b []byte
	for _, p := range quotedList(list) {
		data, err := DecodeName(p)
		if err != nil {
			return err
		}
		b = append(b, classicPair(ch, []byte(data))...)
	}
	return c.send(b)
}

func (cw *classicWorld) sendsNumbered(name string, n int, channel, from string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	ch, err := cw.w.name(channel)
	if err != nil {
		return err
	}
	first := 1
	if from != "" {
		if first, err = strconv.Atoi(from); err != nil {
			return err
		}
	}
	var b []byte
	for i := first; i < first+n; i++ {
		b = append(b, classicPair(ch, []byte(numbered(i)))...)
	}
	return c.send(b)
}

// literal is the data a scenario sends to a literal channel: text, made
// unique to the scenario, since other runs may use that channel too.
func (cw *classicWorld) literal(text string) []byte { return []byte(text + " " + cw.w.ns.token) }

func (cw *classicWorld) sendsLiteral(name, text, channel string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	return c.send(classicPair(channel, cw.literal(text)))
}

func (cw *classicWorld) sendsOverMaxPayload(name, channel string) error {
	if cw.w.welcome.MaxPayload == 0 {
		return fmt.Errorf("the scenario needs max_payload from the server's WELCOME: give the runner --addr")
	}
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	ch, err := cw.w.name(channel)
	if err != nil {
		return err
	}
	return c.send(classicPair(ch, pattern(int(cw.w.welcome.MaxPayload)+1)))
}

func (cw *classicWorld) sendsAcrossEnd(name, before, ch1, after, ch2 string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	a, err := cw.w.name(ch1)
	if err != nil {
		return err
	}
	z, err := cw.w.name(ch2)
	if err != nil {
		return err
	}
	b := classicPair(a, []byte(before))
	b = append(b, classicFrame(nil)...)
	b = append(b, classicPair(z, []byte(after))...)
	return c.send(b)
}

func oversize(n string) ([]byte, error) {
	v, err := strconv.ParseUint(n, 10, 64)
	if err != nil || v > 1<<32-1 {
		return nil, fmt.Errorf("bad frame length %q: want 0 to 4294967295", n)
	}
	return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}, nil
}

func (cw *classicWorld) oversizeFirst(name, n string) error {
	b, err := oversize(n)
	if err != nil {
		return err
	}
	c, err := cw.dial(name)
	if err != nil {
		return err
	}
	c.start()
	return c.send(b)
}

func (cw *classicWorld) oversizeDestination(name, n string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	b, err := oversize(n)
	if err != nil {
		return err
	}
	return c.send(b)
}

func (cw *classicWorld) oversizeData(name, channel, n string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	ch, err := cw.w.name(channel)
	if err != nil {
		return err
	}
	b, err := oversize(n)
	if err != nil {
		return err
	}
	return c.send(append(classicFrame([]byte(ch)), b...))
}

func (cw *classicWorld) truncated(name, channel string, sent, size int) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	ch, err := cw.w.name(channel)
	if err != nil {
		return err
	}
	if sent >= size {
		return fmt.Errorf("a truncated frame sends fewer bytes (%d) than its length (%d)", sent, size)
	}
	frame := classicFrame(pattern(size))
	if err := c.send(append(classicFrame([]byte(ch)), frame[:4+sent]...)); err != nil {
		return err
	}
	c.close()
	return nil
}

func (cw *classicWorld) endsSession(name string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	return c.send(classicFrame(nil))
}

func (cw *classicWorld) receive(names, list string) error {
	for _, name := range quotedList(names) {
		c, err := cw.conn(name)
		if err != nil {
			return err
		}
		for _, p := range quotedList(list) {
			want, err := DecodeName(p)
			if err != nil {
				return err
			}
			got, err := c.next(fmt.Sprintf("the data %q", want))
			if err != nil {
				return err
			}
			if !bytes.Equal(got, []byte(want)) {
				return fmt.Errorf("classic client %s expected the data %q and got %s: a classic subscriber receives each message's data alone, in order (14.4, 7.2)", name, want, classicQuote(got))
			}
		}
	}
	return nil
}

func (cw *classicWorld) receiveNumbered(names string, n int) error {
	for _, name := range quotedList(names) {
		c, err := cw.conn(name)
		if err != nil {
			return err
		}
		for i := 1; i <= n; i++ {
			got, err := c.next("message " + numbered(i))
			if err != nil {
				return err
			}
			if string(got) != numbered(i) {
				return fmt.Errorf("classic client %s expected %q and got %s (14.3, 14.4, 7.2)", name, numbered(i), classicQuote(got))
			}
		}
	}
	return nil
}

func (cw *classicWorld) receiveLiteral(name, text string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	want := cw.literal(text)
	for {
		got, err := c.next(fmt.Sprintf("the data %q", want))
		if err != nil {
			return fmt.Errorf("%w (14.2: the channel is an ordinary one)", err)
		}
		if bytes.Equal(got, want) {
			return nil
		}
		// Another run's traffic on the shared literal channel.
	}
}

// endsAndNothingMore ends the session and checks that nothing else arrives
// before the server closes: everything routed to the client before is
// written first (14.8), so this is a barrier.
func (cw *classicWorld) endsAndNothingMore(name string) error {
	return cw.endsAfter(name, "")
}

func (cw *classicWorld) endsAfter(name, list string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	if err := c.send(classicFrame(nil)); err != nil {
		return err
	}
	frames, err := c.untilEnd()
	if err != nil {
		return fmt.Errorf("%w after an empty destination frame (14.8)", err)
	}
	want := quotedList(list)
	for i, f := range frames {
		if i >= len(want) {
			return fmt.Errorf("classic client %s received %s, more than it should have, before the server closed its session (14.4, 14.8)", name, classicQuote(f))
		}
		w, err := DecodeName(want[i])
		if err != nil {
			return err
		}
		if string(f) != w {
			return fmt.Errorf("classic client %s expected the data %q and got %s (14.4)", name, w, classicQuote(f))
		}
	}
	if len(frames) < len(want) {
		return fmt.Errorf("classic client %s received %d of its %d messages before the server closed its session: what was queued for it must be written first (14.8)", name, len(frames), len(want))
	}
	return nil
}

func (cw *classicWorld) isDisconnected(name string) error {
	c, err := cw.conn(name)
	if err != nil {
		return err
	}
	frames, err := c.untilEnd()
	if err != nil {
		return err
	}
	if len(frames) > 0 {
		return fmt.Errorf("classic client %s received %s before the close", name, classicQuote(frames[0]))
	}
	return nil
}

// strictRotation takes n/len(members) numbered messages from each member (a
// classic client, or a Herald client's sid 1) and checks that message i+1
// went to the member after the one that got message i, in join order (7.5).
func (cw *classicWorld) strictRotation(n int, list string, each int) error {
	members := quotedList(list)
	if each*len(members) != n {
		return fmt.Errorf("the step's counts disagree: %d messages, %d members, %d each", n, len(members), each)
	}
	owner := make([]int, n+1)
	for k, name := range members {
		for range each {
			var data []byte
			if c, ok := cw.conns[name]; ok {
				b, err := c.next("a numbered message")
				if err != nil {
					return err
				}
				data = b
			} else {
				m, err := cw.w.nextMsg(name, 1)
				if err != nil {
					return err
				}
				data = m.Payload
			}
			i, err := strconv.Atoi(strings.TrimPrefix(string(data), "n"))
			if err != nil || i < 1 || i > n || !strings.HasPrefix(string(data), "n") {
				return fmt.Errorf("%s received %s, not one of the %d numbered messages", name, classicQuote(data), n)
			}
			if owner[i] != 0 {
				return fmt.Errorf("message %d reached both %s and %s: a rotation set gets one copy (7.4)", i, members[owner[i]-1], name)
			}
			owner[i] = k + 1
		}
	}
	for i := 1; i < n; i++ {
		if want := owner[i]%len(members) + 1; owner[i+1] != want {
			return fmt.Errorf("message %d went to %s and message %d to %s, not %s: members take turns in the order they joined (14.4, 7.5)",
				i, members[owner[i]-1], i+1, members[owner[i+1]-1], members[want-1])
		}
	}
	return nil
}

// notServed checks 14.10 on a server that requires credentials: its classic
// address either refuses connections, or closes them without routing.
func (cw *classicWorld) notServed() error {
	ch, err := cw.w.name("/classic/auth")
	if err != nil {
		return err
	}
	l, err := cw.dial("auth-listener")
	if err != nil {
		cw.w.env.Notef("classic profile with authentication: %v, as expected", err)
		return nil
	}
	l.start()
	if err := l.send(classicFrame([]byte(ch))); err != nil {
		return nil // already closed by the server
	}
	if s, err := cw.dial("auth-sender"); err == nil {
		_ = s.send(append(append(classicFrame(nil), classicPair(ch, []byte("served?"))...), classicFrame(nil)...))
	}
	ended := l.wait(cw.w.timeout(), func() bool { return len(l.inbox) > 0 || l.end != nil })
	l.mu.Lock()
	served := len(l.inbox) > 0
	l.mu.Unlock()
	switch {
	case served:
		return fmt.Errorf("the server requires credentials, yet routed a classic client's message to another: it must not serve the classic profile (14.10)")
	case !ended:
		return fmt.Errorf("the server requires credentials, yet kept a classic connection open for %v: it must not serve the classic profile (14.10)", cw.w.timeout())
	}
	return nil
}
