package steps

import (
	"fmt"
	"strings"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/spec/wire"
)

func (w *world) registerPubSubSteps(sc *godog.ScenarioContext) {
	sid := `(\d+|max_subscriptions \+ 1)`
	sc.Step(`^"([^"]+)" subscribes to "([^"]*)" as sid `+sid+`$`, w.subscribes)
	sc.Step(`^"([^"]+)" subscribes to "([^"]*)" in queue group "([^"]*)" as sid (\d+)$`, w.subscribesGroup)
	sc.Step(`^"([^"]+)" subscribes to "([^"]*)" in queue group "([^"]*)" with prefetch (\d+) as sid (\d+)$`, w.subscribesPrefetch)
	sc.Step(`^"([^"]+)" tries to subscribe to "([^"]*)" as sid `+sid+`$`, w.triesSubscribe)
	sc.Step(`^"([^"]+)" tries to subscribe to "([^"]*)" in queue group "([^"]*)" as sid (\d+)$`, w.triesSubscribeGroup)
	sc.Step(`^"([^"]+)" tries to subscribe to "([^"]*)" with prefetch (\d+) as sid (\d+)$`, w.triesSubscribePrefetch)
	sc.Step(`^"([^"]+)" holds max_subscriptions subscriptions, sids 1 to max_subscriptions on "([^"]*)" onwards$`, w.holdsMaxSubscriptions)
	sc.Step(`^"([^"]+)" unsubscribes sid (\d+)$`, w.unsubscribes)
	sc.Step(`^"([^"]+)" unsubscribes sid (\d+) once its seq reaches (\d+)$`, w.unsubscribesAt)
	sc.Step(`^"([^"]+)" tries to unsubscribe sid (\d+)$`, w.triesUnsubscribe)
	sc.Step(`^"([^"]+)" acknowledges (\d+) messages? on sid (\d+)$`, w.acknowledges)
	sc.Step(`^"([^"]+)" tries to acknowledge (\d+) messages? on sid (\d+)$`, w.triesAcknowledge)

	sc.Step(`^"([^"]+)" publishes ((?:"[^"]*"(?:, | and )?)+) to "([^"]*)"$`, w.publishes)
	sc.Step(`^"([^"]+)" publishes "([^"]*)" to "([^"]*)" with reply-to "([^"]*)"$`, w.publishesReply)
	sc.Step(`^"([^"]+)" publishes "([^"]*)" to "([^"]*)" with headers:$`, w.publishesHeaders)
	sc.Step(`^"([^"]+)" tries to publish "([^"]*)" to "([^"]*)"$`, w.triesPublish)
	sc.Step(`^"([^"]+)" tries to publish "([^"]*)" to "([^"]*)" with reply-to "([^"]*)"$`, w.triesPublishReply)
	sc.Step(`^"([^"]+)" publishes (\d+) numbered messages to "([^"]*)"$`, w.publishesNumbered)
	sc.Step(`^"([^"]+)" publishes a payload of max_payload bytes to "([^"]*)"$`, w.publishesMaxPayload)
	sc.Step(`^"([^"]+)" tries to publish a payload of max_payload \+ 1 bytes to "([^"]*)"$`, w.triesPublishOverMaxPayload)
	sc.Step(`^"([^"]+)" publishes "([^"]*)" to "([^"]*)" with headers of max_header_bytes encoded bytes$`, w.publishesMaxHeaders)
	sc.Step(`^"([^"]+)" tries to publish "([^"]*)" to "([^"]*)" with headers of max_header_bytes \+ 1 encoded bytes$`, w.triesPublishOverMaxHeaders)
}

// sub sends a SUB and waits for the barrier; refuse fails the step on an ERR.
func (w *world) sub(name, pattern, group string, prefetch uint32, sidText string, refuse bool) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	p, err := w.name(pattern)
	if err != nil {
		return err
	}
	sid, err := w.sid(sidText)
	if err != nil {
		return err
	}
	s := wire.Sub{Sid: sid, Pattern: []byte(p), Prefetch: prefetch}
	if group != "\x00" {
		g, err := DecodeName(group)
		if err != nil {
			return err
		}
		s.Queue = []byte(g)
	}
	if err := w.sendAndSync(c, s.Append(nil), refuse); err != nil {
		return err
	}
	w.noteSub(name, sid, p)
	return nil
}

// noGroup marks a SUB without a queue group (an empty group is a value).
const noGroup = "\x00"

func (w *world) subscribes(name, pattern, sid string) error {
	return w.sub(name, pattern, noGroup, 0, sid, true)
}

func (w *world) subscribesGroup(name, pattern, group, sid string) error {
	return w.sub(name, pattern, group, 0, sid, true)
}

func (w *world) subscribesPrefetch(name, pattern, group string, prefetch int, sid string) error {
	return w.sub(name, pattern, group, uint32(prefetch), sid, true)
}

func (w *world) triesSubscribe(name, pattern, sid string) error {
	return w.sub(name, pattern, noGroup, 0, sid, false)
}

func (w *world) triesSubscribeGroup(name, pattern, group, sid string) error {
	return w.sub(name, pattern, group, 0, sid, false)
}

func (w *world) triesSubscribePrefetch(name, pattern string, prefetch int, sid string) error {
	return w.sub(name, pattern, noGroup, uint32(prefetch), sid, false)
}

func (w *world) holdsMaxSubscriptions(name, first string) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	n := w.welcome.MaxSubscriptions
	if n > 1<<20 {
		return fmt.Errorf("max_subscriptions %d is too many to hold in a test", n)
	}
	prefix, ok := strings.CutSuffix(first, "/1")
	if !ok {
		return fmt.Errorf("the first channel %q must end in /1", first)
	}
	var b []byte
	for i := uint64(1); i <= n; i++ {
		p, err := w.name(fmt.Sprintf("%s/%d", prefix, i))
		if err != nil {
			return err
		}
		b = (&wire.Sub{Sid: uint32(i), Pattern: []byte(p)}).Append(b)
		w.noteSub(name, uint32(i), p)
	}
	return w.sendAndSync(c, b, true)
}

func (w *world) unsub(name string, sid int, max uint64, refuse bool) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	return w.sendAndSync(c, (&wire.Unsub{Sid: uint32(sid), Max: max}).Append(nil), refuse)
}

func (w *world) unsubscribes(name string, sid int) error { return w.unsub(name, sid, 0, true) }

func (w *world) unsubscribesAt(name string, sid, n int) error {
	return w.unsub(name, sid, uint64(n), true)
}

func (w *world) triesUnsubscribe(name string, sid int) error { return w.unsub(name, sid, 0, false) }

func (w *world) ack(name string, count, sid int, refuse bool) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	return w.sendAndSync(c, (&wire.Ack{Sid: uint32(sid), Count: uint32(count)}).Append(nil), refuse)
}

func (w *world) acknowledges(name string, count, sid int) error {
	return w.ack(name, count, sid, true)
}

func (w *world) triesAcknowledge(name string, count, sid int) error {
	return w.ack(name, count, sid, false)
}

// pub publishes pubs (already named on the wire) and waits for the barrier.
func (w *world) pub(name string, refuse bool, pubs ...wire.Pub) error {
	c, err := w.conn(name)
	if err != nil {
		return err
	}
	var b []byte
	for i := range pubs {
		b = pubs[i].Append(b)
		w.published[string(pubs[i].Channel)]++
	}
	return w.sendAndSync(c, b, refuse)
}

// pubTo builds a PUB of payload to the channel written in a feature.
func (w *world) pubTo(channel, payload string) (wire.Pub, error) {
	ch, err := w.name(channel)
	if err != nil {
		return wire.Pub{}, err
	}
	return wire.Pub{Channel: []byte(ch), Payload: []byte(payload)}, nil
}

func (w *world) publishes(name, list, channel string) error {
	var pubs []wire.Pub
	for _, payload := range quotedList(list) {
		p, err := w.pubTo(channel, payload)
		if err != nil {
			return err
		}
		pubs = append(pubs, p)
	}
	return w.pub(name, true, pubs...)
}

func (w *world) publishReply(name, payload, channel, replyTo string, refuse bool) error {
	p, err := w.pubTo(channel, payload)
	if err != nil {
		return err
	}
	r, err := w.name(replyTo)
	if err != nil {
		return err
	}
	p.ReplyTo = []byte(r)
	return w.pub(name, refuse, p)
}

func (w *world) publishesReply(name, payload, channel, replyTo string) error {
	return w.publishReply(name, payload, channel, replyTo, true)
}

func (w *world) triesPublishReply(name, payload, channel, replyTo string) error {
	return w.publishReply(name, payload, channel, replyTo, false)
}

func (w *world) publishesHeaders(name, payload, channel string, table *godog.Table) error {
	p, err := w.pubTo(channel, payload)
	if err != nil {
		return err
	}
	h, err := headerTable(table)
	if err != nil {
		return err
	}
	p.Headers = wire.EncodeHeaders(h)
	return w.pub(name, true, p)
}

func (w *world) triesPublish(name, payload, channel string) error {
	p, err := w.pubTo(channel, payload)
	if err != nil {
		return err
	}
	return w.pub(name, false, p)
}

func (w *world) publishesNumbered(name string, n int, channel string) error {
	pubs := make([]wire.Pub, n)
	for i := range pubs {
		p, err := w.pubTo(channel, numbered(i+1))
		if err != nil {
			return err
		}
		pubs[i] = p
	}
	return w.pub(name, true, pubs...)
}

// numbered is the payload of the i-th numbered message.
func numbered(i int) string { return fmt.Sprintf("n%d", i) }

func (w *world) publishesMaxPayload(name, channel string) error {
	p, err := w.pubTo(channel, "")
	if err != nil {
		return err
	}
	p.Payload = pattern(int(w.welcome.MaxPayload))
	return w.pub(name, true, p)
}

func (w *world) triesPublishOverMaxPayload(name, channel string) error {
	p, err := w.pubTo(channel, "")
	if err != nil {
		return err
	}
	p.Payload = pattern(int(w.welcome.MaxPayload) + 1)
	return w.pub(name, false, p)
}

// pattern returns n bytes that make truncation or corruption visible.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}

// headersOfSize encodes a one-entry headers map whose encoding is exactly n
// bytes long.
func headersOfSize(n int) ([]byte, error) {
	// fixmap (1) + fixstr key (1 + k) + str header (1, 2, 3 or 5) + value;
	// a two-byte key covers the sizes a one-byte key cannot reach.
	for k := 1; k <= 2; k++ {
		for _, hdr := range []int{1, 2, 3, 5} {
			v := n - 2 - k - hdr
			if v < 0 {
				continue
			}
			b := wire.AppendHeaders(nil, map[string]string{strings.Repeat("h", k): strings.Repeat("v", v)})
			if len(b) == n {
				return b, nil
			}
		}
	}
	return nil, fmt.Errorf("cannot encode headers of exactly %d bytes", n)
}

func (w *world) publishSizedHeaders(name, payload, channel string, n int, refuse bool) error {
	p, err := w.pubTo(channel, payload)
	if err != nil {
		return err
	}
	if p.Headers, err = headersOfSize(n); err != nil {
		return err
	}
	return w.pub(name, refuse, p)
}

func (w *world) publishesMaxHeaders(name, payload, channel string) error {
	return w.publishSizedHeaders(name, payload, channel, int(w.welcome.MaxHeaderBytes), true)
}

func (w *world) triesPublishOverMaxHeaders(name, payload, channel string) error {
	return w.publishSizedHeaders(name, payload, channel, int(w.welcome.MaxHeaderBytes)+1, false)
}

// headerTable reads a | name | value | table.
func headerTable(t *godog.Table) (map[string]string, error) {
	if t == nil || len(t.Rows) < 1 {
		return nil, fmt.Errorf("expected a | name | value | table")
	}
	h := map[string]string{}
	for _, r := range t.Rows[1:] {
		if len(r.Cells) != 2 {
			return nil, fmt.Errorf("a headers row needs a name and a value")
		}
		h[r.Cells[0].Value] = r.Cells[1].Value
	}
	return h, nil
}
