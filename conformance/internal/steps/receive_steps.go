package steps

import (
	"bytes"
	"fmt"
	"maps"
	"strconv"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec/wire"
)

func (w *world) registerReceiveSteps(sc *godog.ScenarioContext) {
	msg := `^"([^"]+)" receives "([^"]*)" on "([^"]*)" as sid (\d+|max_subscriptions \+ 1)`
	sc.Step(msg+` with seq (\d+)$`, w.receives)
	sc.Step(msg+` with the next seq$`, w.receivesNext)
	sc.Step(msg+` with seq (\d+) and no headers$`, w.receivesNoHeaders)
	sc.Step(msg+` with seq (\d+) and headers:$`, w.receivesHeaders)
	sc.Step(msg+` with seq (\d+) and reply-to "([^"]*)"$`, w.receivesReply)
	sc.Step(`^"([^"]+)" receives on sid (\d+):$`, w.receivesTable)
	sc.Step(`^"([^"]+)" receives nothing more$`, w.receivesNothingMore)
	sc.Step(`^"([^"]+)" receives a no-responders message on "([^"]*)" as sid (\d+) with seq (\d+)$`, w.receivesNoResponders)
	sc.Step(`^"([^"]+)" receives a payload of max_payload bytes on "([^"]*)" as sid (\d+) with seq (\d+)$`, w.receivesMaxPayload)
	sc.Step(`^"([^"]+)" receives the (\d+) numbered messages on sid (\d+) in order, with seq 1 to (\d+)$`, w.receivesNumbered)
	sc.Step(`^"([^"]+)" receives on sid (\d+) NOTICEs "([^"]+)" for seq (\d+) to (\d+)$`, w.receivesNotices)
	sc.Step(`^"([^"]+)" publishes a probe to "([^"]*)" and then a witness to a channel that "([^"]*)" matches$`, w.probeAndWitness)
	sc.Step(`^"([^"]*)" (matches|does not match) "([^"]*)", as the witness's seq on sid (\d+) of "([^"]+)" shows$`, w.witnessShows)
}

// nextMsg takes the next MSG or NOTICE of a subscription; a NOTICE where a
// MSG is expected fails.
func (w *world) nextMsg(name string, sid uint32) (probe.Msg, error) {
	c, err := w.conn(name)
	if err != nil {
		return probe.Msg{}, err
	}
	f, err := c.Next(fmt.Sprintf("MSG on sid %d", sid), probe.MsgOrNoticeOn(sid))
	if err != nil {
		return probe.Msg{}, err
	}
	if f.Op == wire.OpNotice {
		w.setSeq(name, sid, f.Notice.Last)
		return probe.Msg{}, fmt.Errorf("%s expected a MSG on sid %d and got %s", name, sid, f)
	}
	w.setSeq(name, sid, f.Msg.Seq)
	return f.Msg, nil
}

// expect checks a MSG's channel, payload and seq.
func (w *world) expect(name string, sid uint32, payload, channel string, seq uint64) (probe.Msg, error) {
	ch, err := w.name(channel)
	if err != nil {
		return probe.Msg{}, err
	}
	m, err := w.nextMsg(name, sid)
	if err != nil {
		return m, err
	}
	if m.Channel != ch || !bytes.Equal(m.Payload, []byte(payload)) || m.Seq != seq {
		return m, fmt.Errorf("%s expected %q on %q with seq %d on sid %d, and got %s", name, payload, ch, seq, sid, m)
	}
	return m, nil
}

func (w *world) receives(name, payload, channel, sid string, seq int) error {
	id, err := w.sid(sid)
	if err != nil {
		return err
	}
	_, err = w.expect(name, id, payload, channel, uint64(seq))
	return err
}

func (w *world) receivesNext(name, payload, channel, sid string) error {
	id, err := w.sid(sid)
	if err != nil {
		return err
	}
	_, err = w.expect(name, id, payload, channel, w.lastSeq[name][id]+1)
	return err
}

func (w *world) receivesNoHeaders(name, payload, channel, sid string, seq int) error {
	id, err := w.sid(sid)
	if err != nil {
		return err
	}
	m, err := w.expect(name, id, payload, channel, uint64(seq))
	if err == nil && m.Headers != nil {
		err = fmt.Errorf("%s expected no headers and got %s", name, m)
	}
	return err
}

func (w *world) receivesHeaders(name, payload, channel, sid string, seq int, table *godog.Table) error {
	id, err := w.sid(sid)
	if err != nil {
		return err
	}
	want, err := headerTable(table)
	if err != nil {
		return err
	}
	m, err := w.expect(name, id, payload, channel, uint64(seq))
	if err == nil && !maps.Equal(m.Headers, want) {
		err = fmt.Errorf("%s expected headers %q and got %s", name, want, m)
	}
	return err
}

func (w *world) receivesReply(name, payload, channel, sid string, seq int, replyTo string) error {
	id, err := w.sid(sid)
	if err != nil {
		return err
	}
	r, err := w.name(replyTo)
	if err != nil {
		return err
	}
	m, err := w.expect(name, id, payload, channel, uint64(seq))
	if err == nil && (m.ReplyTo == nil || *m.ReplyTo != r) {
		err = fmt.Errorf("%s expected reply-to %q and got %s", name, r, m)
	}
	return err
}

func (w *world) receivesTable(name string, sid int, table *godog.Table) error {
	if len(table.Rows) < 2 {
		return fmt.Errorf("expected a | seq | channel | payload | table with at least one row")
	}
	col := map[string]int{}
	for i, c := range table.Rows[0].Cells {
		col[c.Value] = i
	}
	for _, k := range []string{"seq", "channel", "payload"} {
		if _, ok := col[k]; !ok {
			return fmt.Errorf("the table needs a %q column", k)
		}
	}
	for _, r := range table.Rows[1:] {
		seq, err := strconv.ParseUint(r.Cells[col["seq"]].Value, 10, 64)
		if err != nil {
			return err
		}
		if _, err := w.expect(name, uint32(sid), r.Cells[col["payload"]].Value, r.Cells[col["channel"]].Value, seq); err != nil {
			return err
		}
	}
	return nil
}

// receivesNothingMore passes the client's own barrier and then requires an
// empty inbox. A server that wrote a MSG after the PONG for a message routed
// before it would escape this check, never fail it wrongly.
func (w *world) receivesNothingMore(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	if err := c.Barrier(); err != nil {
		return err
	}
	if left := c.Pending(probe.Any); len(left) > 0 {
		return fmt.Errorf("%s expected nothing more and received %s", name, left[0])
	}
	return nil
}

func (w *world) receivesNoResponders(name, channel string, sid, seq int) error {
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	m, err := w.nextMsg(name, uint32(sid))
	if err != nil {
		return err
	}
	want := map[string]string{"status": "no_responders"}
	if m.Channel != ch || m.ReplyTo != nil || len(m.Payload) != 0 || !maps.Equal(m.Headers, want) || m.Seq != uint64(seq) {
		return fmt.Errorf("%s expected a no-responders MSG (channel %q, no reply-to, empty payload, headers {\"status\": \"no_responders\"}, seq %d) and got %s (7.10)", name, ch, seq, m)
	}
	return nil
}

func (w *world) receivesMaxPayload(name, channel string, sid, seq int) error {
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	m, err := w.nextMsg(name, uint32(sid))
	if err != nil {
		return err
	}
	if m.Channel != ch || m.Seq != uint64(seq) || !bytes.Equal(m.Payload, pattern(int(w.welcome.MaxPayload))) {
		return fmt.Errorf("%s expected the %d-byte payload on %q with seq %d and got %s", name, w.welcome.MaxPayload, ch, seq, m)
	}
	return nil
}

func (w *world) receivesNumbered(name string, n, sid, last int) error {
	if n != last {
		return fmt.Errorf("the step's counts disagree: %d messages, seq up to %d", n, last)
	}
	for i := 1; i <= n; i++ {
		m, err := w.nextMsg(name, uint32(sid))
		if err != nil {
			return err
		}
		if m.Seq != uint64(i) || string(m.Payload) != numbered(i) {
			return fmt.Errorf("%s expected message %q with seq %d and got %s (7.2, 7.3)", name, numbered(i), i, m)
		}
	}
	return nil
}

// receivesNotices takes NOTICEs of one reason until they cover first..last,
// consecutively. One NOTICE is expected, but a server that sent the first as
// soon as its buffer drained below max_pending_bytes (8.4) may report a later
// drop of the same run in a second one.
func (w *world) receivesNotices(name string, sid int, reason string, first, last int) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	for next := uint64(first); next <= uint64(last); {
		f, err := c.Next(fmt.Sprintf("NOTICE on sid %d from seq %d", sid, next), probe.MsgOrNoticeOn(uint32(sid)))
		if err != nil {
			return err
		}
		n := f.Notice
		if f.Op != wire.OpNotice || n.Reason != reason || n.First != next || n.Last > uint64(last) || n.Last < n.First || n.Count != n.Last-n.First+1 {
			return fmt.Errorf("%s expected a NOTICE %s on sid %d from seq %d to at most %d, and got %s (7.7, 8.4)", name, reason, sid, next, last, f)
		}
		next = n.Last + 1
		w.setSeq(name, uint32(sid), n.Last)
	}
	return nil
}

func (w *world) probeAndWitness(name, channel, pattern string) error {
	probeMsg, err := w.pubTo(channel, "probe")
	if err != nil {
		return err
	}
	p, err := w.name(pattern)
	if err != nil {
		return err
	}
	wit := wire.Pub{Channel: []byte(witness(p)), Payload: []byte("witness")}
	return w.pub(name, true, probeMsg, wit)
}

func (w *world) witnessShows(pattern, verdict, channel string, sid int, name string) error {
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	m, err := w.nextMsg(name, uint32(sid))
	if err != nil {
		return err
	}
	if verdict == "matches" {
		if string(m.Payload) != "probe" || m.Channel != ch || m.Seq != 1 {
			return fmt.Errorf("%q should match %q: expected the probe with seq 1 first, got %s", pattern, channel, m)
		}
		if m, err = w.nextMsg(name, uint32(sid)); err != nil {
			return err
		}
		if string(m.Payload) != "witness" || m.Seq != 2 {
			return fmt.Errorf("expected the witness with seq 2 after the probe, got %s", m)
		}
		return nil
	}
	if string(m.Payload) != "witness" || m.Seq != 1 {
		return fmt.Errorf("%q should not match %q: expected the witness with seq 1 first, got %s", pattern, channel, m)
	}
	return nil
}
