package steps

import (
	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec/wire"
)

// These steps write frames element by element, in the MessagePack encoding
// a scenario names (PROTOCOL.md 2.5, 2.6).
func (w *world) registerEncodingSteps(sc *godog.ScenarioContext) {
	sc.Step(`^"([^"]+)" subscribes to "([^"]*)" as sid (\d+), with the sid written as (.+)$`, w.subscribesEncoded)
	sc.Step(`^"([^"]+)" subscribes to "([^"]*)" as sid (\d+), with one extra trailing field$`, w.subscribesExtra)
	sc.Step(`^"([^"]+)" publishes "([^"]*)" to "([^"]*)", with one extra trailing field$`, w.publishesExtra)
	sc.Step(`^"([^"]+)" publishes "([^"]*)" to "([^"]*)", with the channel written as (.+) and the payload as (.+)$`, w.publishesEncoded)
	sc.Step(`^"([^"]+)" publishes "([^"]*)" to "([^"]*)", with headers k=v written as a (.+)$`, w.publishesMapEncoded)
}

// sendRaw sends a body built element by element, then syncs.
func (w *world) sendRaw(name string, body []byte, channel string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	if channel != "" {
		w.published[channel]++
	}
	return w.sendAndSync(c, probe.FrameOf(body), true)
}

func (w *world) subscribesEncoded(name, pattern string, sid uint64, enc string) error {
	p, err := w.name(pattern)
	if err != nil {
		return err
	}
	s, err := probe.Int(enc, sid)
	if err != nil {
		return err
	}
	body := probe.Array(probe.U(uint64(wire.OpSub)), s, probe.S(p), probe.Nil(), probe.U(0))
	w.noteSub(name, uint32(sid), p)
	return w.sendRaw(name, body, "")
}

func (w *world) subscribesExtra(name, pattern string, sid uint64) error {
	p, err := w.name(pattern)
	if err != nil {
		return err
	}
	body := probe.Array(probe.U(uint64(wire.OpSub)), probe.U(sid), probe.S(p), probe.Nil(), probe.U(0), probe.S("a field of a later version"))
	w.noteSub(name, uint32(sid), p)
	return w.sendRaw(name, body, "")
}

func (w *world) publishesExtra(name, payload, channel string) error {
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	bin, _ := probe.Bin("bin 8", []byte(payload))
	body := probe.Array(probe.U(uint64(wire.OpPub)), probe.S(ch), probe.Nil(), probe.Nil(), bin, probe.U(7), probe.Array(probe.Bool(true)))
	return w.sendRaw(name, body, ch)
}

func (w *world) publishesEncoded(name, payload, channel, strEnc, binEnc string) error {
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	s, err := probe.Str(strEnc, ch)
	if err != nil {
		return err
	}
	bin, err := probe.Bin(binEnc, []byte(payload))
	if err != nil {
		return err
	}
	body := probe.Array(probe.U(uint64(wire.OpPub)), s, probe.Nil(), probe.Nil(), bin)
	return w.sendRaw(name, body, ch)
}

func (w *world) publishesMapEncoded(name, payload, channel, mapEnc string) error {
	ch, err := w.name(channel)
	if err != nil {
		return err
	}
	h, err := probe.StrMap(mapEnc, "k", "v")
	if err != nil {
		return err
	}
	bin, _ := probe.Bin("bin 8", []byte(payload))
	body := probe.Array(probe.U(uint64(wire.OpPub)), probe.S(ch), probe.Nil(), h, bin)
	return w.sendRaw(name, body, ch)
}
