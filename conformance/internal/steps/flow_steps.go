package steps

import (
	"fmt"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec/wire"
)

// Slow subscribers and flow control (PROTOCOL.md section 8).
func (w *world) registerFlowSteps(sc *godog.ScenarioContext) {
	sc.Step(`^"([^"]+)" publishes enough to "([^"]*)" to overflow the buffer of "([^"]+)"$`, w.overflows)
	sc.Step(`^"([^"]+)" receives on sid (\d+) every message published, whole and in order, or a NOTICE "([^"]+)" that covers it, with at least one NOTICE$`, w.everyMessageOrNotice)
	sc.Step(`^"([^"]+)" receives on sid (\d+) an unbroken run of messages from seq 1, then the error "([^"]+)"$`, w.runThenError)
	sc.Step(`^"([^"]+)" sends a PING$`, w.sendsPing)
	sc.Step(`^"([^"]+)" receives every NOTICE for sid (\d+) before the PONG that answers that PING$`, w.noticesBeforePong)
}

// floodSize is the payload of the messages that overflow a subscriber.
const floodSize = 64 << 10

func (w *world) overflows(pubName, channel, _ string) error {
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	size := w.bigPayload(floodSize)
	count := int((w.floodVolume() + int64(size) - 1) / int64(size))
	return w.flood(pubName, ch, 1, count, size)
}

// run reads an unbroken run of MSGs on sid from seq 1, each carrying the
// index its seq says, and returns the first frame that is not such a MSG.
func (w *world) run(name string, sid uint32) (probe.Frame, uint64, error) {
	c, err := w.conn(name)
	if err != nil {
		return probe.Frame{}, 0, err
	}
	total, err := w.expectMatching(name, sid)
	if err != nil {
		return probe.Frame{}, 0, err
	}
	onSidOrErr := func(f probe.Frame) bool { return probe.MsgOrNoticeOn(sid)(f) || f.Op == wire.OpErr }
	var k uint64
	for {
		f, err := c.Next(fmt.Sprintf("seq %d of %d on sid %d, a NOTICE or an ERR", k+1, total, sid), onSidOrErr)
		if err != nil {
			return f, k, err
		}
		if f.Op != wire.OpMsg {
			return f, k, nil
		}
		if idx, ok := indexOf(f.Msg.Payload); f.Msg.Seq != k+1 || !ok || idx != k+1 {
			return f, k, fmt.Errorf("%s expected message %d with seq %d, whole, and got %s (7.3, 8.2, 8.3)", name, k+1, k+1, f)
		}
		k++
		w.setSeq(name, sid, k)
		if k == uint64(total) {
			return f, k, fmt.Errorf("%s received all %d messages (%d MiB): nothing was dropped, so the server held more than the max_pending_bytes of %d it announced (8.1)", name, total, w.floodVolume()>>20, w.welcome.MaxPendingBytes)
		}
	}
}

func (w *world) everyMessageOrNotice(name string, sid int, reason string) error {
	if reason != wire.ReasonSlowConsumer {
		return fmt.Errorf("a plain subscription's NOTICE has reason %s", wire.ReasonSlowConsumer)
	}
	st, err := w.account(name, uint32(sid), true)
	if err != nil {
		return err
	}
	if st.notices == 0 {
		total, _ := w.expectMatching(name, uint32(sid))
		return fmt.Errorf("%s received all %d messages (%d MiB): nothing was dropped, so the server held more than the max_pending_bytes of %d it announced (8.1)", name, total, w.floodVolume()>>20, w.welcome.MaxPendingBytes)
	}
	w.env.Notef("slow subscriber: %d messages delivered, %d dropped, reported in %d NOTICE(s)", st.delivered, st.dropped, st.notices)
	return nil
}

func (w *world) runThenError(name string, sid int, code string) error {
	f, k, err := w.run(name, uint32(sid))
	if err != nil {
		return err
	}
	if f.Op != wire.OpErr || string(f.Err.Code) != code {
		return fmt.Errorf("%s expected, after seq 1..%d, ERR %s and got %s (8.5)", name, k, code, f)
	}
	w.env.Notef("slow subscriber: %d messages delivered, then ERR %s", k, code)
	return nil
}

func (w *world) sendsPing(name string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	w.pingMark[name] = c.SentPing()
	return c.Send(wire.AppendPing(nil))
}

// noticesBeforePong checks 8.4: every drop before a PING is reported before
// the PONG that answers it, so a client that sees the PONG has seen every
// loss up to its PING.
func (w *world) noticesBeforePong(name string, sid int) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	k, ok := w.pingMark[name]
	if !ok {
		return fmt.Errorf("%s sent no PING in this scenario", name)
	}
	if err := c.WaitPong(k); err != nil {
		return err
	}
	st, err := w.account(name, uint32(sid), true)
	if err != nil {
		return err
	}
	if st.notices == 0 {
		return fmt.Errorf("%s saw no drop: nothing was dropped, so the server held more than the max_pending_bytes of %d it announced (8.1)", name, w.welcome.MaxPendingBytes)
	}
	if pong := c.PongArrival(k); st.lastNotice > pong {
		return fmt.Errorf("%s received a NOTICE for drops before its PING after the PONG that answers it (frame %d after PONG %d) (8.4)", name, st.lastNotice, pong)
	}
	return nil
}
