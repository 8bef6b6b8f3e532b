package broker

import (
	"bytes"
	"errors"
	"io"

	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// A classic connection (PROTOCOL.md 14) is a *conn with classic set: the same
// writer, inline writes, outbox, teardown and router as a Herald connection,
// with its own read loop below. The outbox frames each delivery as a bare data frame and
// never queues NOTICE or ERR for it.

// classicEndCode ends a classic session that sent an empty destination frame
// (14.8). It is never sent: a classic connection carries no ERR.
const classicEndCode wire.Code = "classic_end_of_session"

// classicSid is the sid of a classic connection's one subscription.
const classicSid = 1

// serveClassic is the reader goroutine of a classic connection: it reads the
// subscription frame, then routes (destination, data) pairs until the
// session ends, then tears the connection down.
func (c *conn) serveClassic() {
	c.inline = true // this reader writes what its batches queue (classicBatch.flush)
	defer c.teardown()
	defer c.awaitShutdown()
	cfg := &c.srv.cfg
	c.rd.SetMaxFrame(cfg.maxFrame())
	c.rd.AllowEmpty(true)
	r := classicReader{rd: c.rd, maxPayload: cfg.MaxPayload}
	b := classicBatch{c: c}
	var invalid uint64
	defer func() {
		if invalid > 0 {
			c.log.Info("classic client: invalid publishes dropped", "count", invalid)
		}
	}()
	for {
		if !c.rd.Buffered() {
			b.flush()
		}
		ev, err := r.next()
		if err != nil {
			b.flush()
			c.classicReadFailed(err)
			return
		}
		c.lastIn.Store(c.srv.now())
		if c.stopRd.Load() {
			b.flush()
			return
		}
		c.inBytes.Add(uint64(ev.wire))
		switch ev.kind {
		case classicSubscribe:
			c.classicSubscribe(ev.channel)
		case classicPublish:
			b.add(ev.channel, ev.data)
		case classicInvalid:
			invalid++
			c.srv.stats.classicDropped.Add(1)
			if invalid == 1 {
				c.log.Warn("classic client: publish dropped", "reason", ev.why, "channel", string(ev.channel))
			}
		case classicEnd:
			b.flush()
			c.setReason("classic session ended by an empty destination frame")
			c.fail(&wire.Error{Code: classicEndCode, Message: "empty destination frame"}, false)
			return
		}
	}
}

// classicSubscribe makes the subscription a classic client's first frame
// names (14.2, 14.4); a nil channel makes a send-only client.
func (c *conn) classicSubscribe(channel []byte) {
	if channel == nil {
		c.log.Info("classic client connected", "send_only", true)
		return
	}
	s := &router.Sub{Out: c, Sid: classicSid, Pattern: string(channel)}
	c.subMu.Lock()
	c.subs[classicSid] = s
	c.subMu.Unlock()
	c.srv.router.Subscribe(s)
	c.log.Info("classic client connected", "channel", s.Pattern, "rotating", s.Rotating())
}

// classicReadFailed closes a classic connection whose read failed: oversize
// and truncated frames are logged (14.6), a clean close is not.
func (c *conn) classicReadFailed(err error) {
	var we *wire.Error
	switch {
	case c.stopRd.Load():
		// Woken on purpose: shutdown or a failure elsewhere.
	case errors.As(err, &we):
		c.log.Warn("classic client sent an oversize frame; closing it", "err", we.Message)
		c.fail(we, false)
	case errors.Is(err, errClassicCutPair):
		c.log.Warn("classic client closed between a destination frame and its data frame; that pair is dropped")
		c.setReason("client closed mid-pair")
	case errors.Is(err, io.ErrUnexpectedEOF):
		c.log.Warn("classic client closed in the middle of a frame; the partial frame is dropped")
		c.setReason("client closed mid-frame")
	default:
		c.readFailed(err)
	}
}

// Classic batch bounds: a batch is routed when it reaches either.
const (
	classicMaxBatch = 1024
	classicMaxArena = 256 << 10
)

// classicBatch gathers consecutive pairs to one destination and routes them
// together when the read buffer runs dry, like a Herald connection's PUBs.
// Each message is copied into a MSG template in the arena, which Herald
// subscribers copy and patch; its payload is the template's tail, which
// classic subscribers copy.
type classicBatch struct {
	c       *conn
	pub     router.Publisher
	channel []byte
	msgs    []router.Message
	ends    []int // end offset of each message's template in arena
	sizes   []int // payload length of each message
	arena   []byte
}

func (b *classicBatch) add(channel, data []byte) {
	if len(b.msgs) > 0 && (!bytes.Equal(b.channel, channel) || len(b.msgs) >= classicMaxBatch || len(b.arena) >= classicMaxArena) {
		b.flush()
	}
	if len(b.msgs) == 0 {
		b.channel = append(b.channel[:0], channel...)
	}
	b.arena = wire.AppendMsgTemplate(b.arena, channel, nil, nil, data)
	b.ends = append(b.ends, len(b.arena))
	b.sizes = append(b.sizes, len(data))
	b.msgs = append(b.msgs, router.Message{Origin: b.c})
}

// flush routes the batch (14.3).
func (b *classicBatch) flush() {
	if len(b.msgs) == 0 {
		return
	}
	start := 0
	for i := range b.msgs {
		end := b.ends[i]
		m := &b.msgs[i]
		m.Channel = b.channel
		// Frames keep the arena's capacity beyond their end, as a Herald
		// connection's do, so that an outbox can copy adjacent ones at once.
		m.Frame = b.arena[start:end]
		m.Payload = b.arena[end-b.sizes[i] : end : end]
		start = end
	}
	b.c.srv.router.Publish(&b.pub, b.channel, b.msgs)
	b.c.inMsgs.Add(uint64(len(b.msgs)))
	b.c.flushTouched()
	clear(b.msgs)
	b.msgs, b.ends, b.sizes, b.arena = b.msgs[:0], b.ends[:0], b.sizes[:0], b.arena[:0]
	if cap(b.arena) > 2*classicMaxArena {
		b.arena = nil
	}
}
