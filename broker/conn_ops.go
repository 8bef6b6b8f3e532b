package broker

import (
	"bytes"
	"strconv"

	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// handle acts on one frame body. It returns a fatal error, or nil; non-fatal
// errors are sent from here.
func (c *conn) handle(body []byte) *wire.Error {
	op, err := wire.PeekOp(body)
	if err != nil {
		we := err.(*wire.Error)
		if !c.ready {
			return &wire.Error{Code: wire.CodeProtocolViolation, Message: "the first frame must be HELLO"}
		}
		if we.Code == wire.CodeUnknownOp {
			if berr := wire.CheckBody(body); berr != nil {
				return berr.(*wire.Error)
			}
			c.flushBatch()
			c.sendError(we)
			return nil
		}
		return we
	}
	if op == wire.OpPub && c.ready {
		return c.handlePub(body)
	}
	c.flushBatch()
	if !c.ready {
		if op != wire.OpHello {
			return &wire.Error{Code: wire.CodeProtocolViolation, Message: "the first frame must be HELLO, not " + op.String(), RefOp: op}
		}
		return c.handleHello(body)
	}
	switch op {
	case wire.OpSub:
		return c.handleSub(body)
	case wire.OpUnsub:
		return c.handleUnsub(body)
	case wire.OpAck:
		return c.handleAck(body)
	case wire.OpPing:
		if err := wire.DecodeEmpty(op, body); err != nil {
			return err.(*wire.Error)
		}
		c.sendPong()
		return nil
	case wire.OpPong:
		if err := wire.DecodeEmpty(op, body); err != nil {
			return err.(*wire.Error)
		}
		return nil
	case wire.OpHello:
		return &wire.Error{Code: wire.CodeProtocolViolation, Message: "HELLO was already received", RefOp: op}
	}
	if op.FromServer() {
		return &wire.Error{Code: wire.CodeProtocolViolation, Message: op.String() + " is sent by servers only", RefOp: op}
	}
	if berr := wire.CheckBody(body); berr != nil {
		return berr.(*wire.Error)
	}
	c.sendError(&wire.Error{Code: wire.CodeUnknownOp, Message: "unknown op " + strconv.Itoa(int(op)), RefOp: op})
	return nil
}

var pongFrame = wire.AppendPong(nil)

func (c *conn) handleHello(body []byte) *wire.Error {
	var h wire.Hello
	if err := h.Decode(body); err != nil {
		return err.(*wire.Error)
	}
	if h.Version != wire.Version {
		return &wire.Error{Code: wire.CodeUnsupportedVersion, RefOp: wire.OpHello,
			Message: "unsupported protocol version " + strconv.FormatUint(h.Version, 10) + "; supported: " + strconv.Itoa(wire.Version)}
	}
	if err := c.authenticate(&h); err != nil {
		return err
	}
	c.mu.Lock()
	c.name, c.echo, c.headers, c.noResponders = h.Name, h.Echo, h.Headers, h.NoResponders
	c.mu.Unlock()
	c.ready = true
	c.rd.SetMaxFrame(c.srv.cfg.maxFrame())
	c.sendControl(c.srv.welcome)
	c.lastIn.Store(c.srv.now())
	c.armTimer(c.srv.cfg.PingInterval)
	c.log.Info("client connected", "name", c.name)
	return nil
}

// handlePub validates a PUB and adds it to the current batch; consecutive
// PUBs to one channel are routed together when the read buffer runs dry.
func (c *conn) handlePub(body []byte) *wire.Error {
	var p wire.Pub
	if err := p.Decode(body); err != nil {
		return err.(*wire.Error)
	}
	cfg := &c.srv.cfg
	switch {
	case !wire.ValidChannel(p.Channel):
		c.flushBatch()
		c.sendError(&wire.Error{Code: wire.CodeInvalidChannel, Message: "invalid channel", RefOp: wire.OpPub, RefChannel: string(p.Channel)})
		return nil
	case p.ReplyTo != nil && !wire.ValidChannel(p.ReplyTo):
		c.flushBatch()
		c.sendError(&wire.Error{Code: wire.CodeInvalidChannel, Message: "invalid reply-to channel", RefOp: wire.OpPub, RefChannel: string(p.ReplyTo)})
		return nil
	case len(p.Payload) > cfg.MaxPayload:
		c.flushBatch()
		c.sendError(&wire.Error{Code: wire.CodePayloadTooLarge, RefOp: wire.OpPub, RefChannel: string(p.Channel),
			Message: "payload of " + strconv.Itoa(len(p.Payload)) + " bytes exceeds max_payload " + strconv.Itoa(cfg.MaxPayload)})
		return nil
	case len(p.Headers) > cfg.MaxHeaderBytes:
		c.flushBatch()
		c.sendError(&wire.Error{Code: wire.CodeHeadersTooLarge, RefOp: wire.OpPub, RefChannel: string(p.Channel),
			Message: "headers of " + strconv.Itoa(len(p.Headers)) + " bytes exceed max_header_bytes " + strconv.Itoa(cfg.MaxHeaderBytes)})
		return nil
	}
	if !c.mayPublish(p.Channel) {
		c.flushBatch()
		c.denied(wire.OpPub, 0, p.Channel)
		return nil
	}
	if len(c.batch) > 0 && (!bytes.Equal(c.batch[0].Channel, p.Channel) || len(c.batch) >= maxBatch || len(c.arena) >= maxArena) {
		c.flushBatch()
	}
	c.arena = wire.AppendMsgTemplate(c.arena, p.Channel, p.ReplyTo, p.Headers, p.Payload)
	c.frameEnds = append(c.frameEnds, len(c.arena))
	c.batch = append(c.batch, router.Message{
		Channel: p.Channel, ReplyTo: p.ReplyTo, Headers: p.Headers, Payload: p.Payload,
		Origin: c, NoEcho: !c.echo,
	})
	return nil
}

// Batch bounds: a batch is routed when it reaches either.
const (
	maxBatch = 1024
	maxArena = 256 << 10
)

// flushBatch routes the batched PUBs.
func (c *conn) flushBatch() {
	if len(c.batch) == 0 {
		return
	}
	// Frames keep the arena's capacity beyond their end, so that an outbox
	// can tell adjacent frames apart and copy a run of them at once.
	start := 0
	for i := range c.batch {
		c.batch[i].Frame = c.arena[start:c.frameEnds[i]]
		start = c.frameEnds[i]
	}
	n := c.srv.router.Publish(&c.pub, c.batch[0].Channel, c.batch)
	c.inMsgs.Add(uint64(len(c.batch)))
	if n == 0 && c.noResponders {
		for i := range c.batch {
			if c.batch[i].ReplyTo != nil {
				c.noResponder(c.batch[i].ReplyTo)
			}
		}
	}
	c.flushTouched()
	clear(c.batch)
	c.batch, c.frameEnds, c.arena = c.batch[:0], c.frameEnds[:0], c.arena[:0]
	if cap(c.arena) > maxArena*2 {
		c.arena = nil
	}
}

var noRespondersHeaders = wire.EncodeHeaders(map[string]string{"status": "no_responders"})

// noResponder tells this connection's subscriptions matching replyTo that a
// request reached no subscriber (PROTOCOL.md 7.10).
func (c *conn) noResponder(replyTo []byte) {
	c.subMu.Lock()
	var targets []*router.Sub
	for _, s := range c.subs {
		if wire.Match([]byte(s.Pattern), replyTo) {
			targets = append(targets, s)
		}
	}
	c.subMu.Unlock()
	msg := []router.Message{{Channel: replyTo, Headers: noRespondersHeaders, Payload: []byte{}}}
	for _, s := range targets {
		if c.Deliver(s, msg) {
			if c.srv.router.Unsubscribe(s) {
				c.Expired(s)
			}
		}
	}
}

func (c *conn) handleSub(body []byte) *wire.Error {
	var m wire.Sub
	if err := m.Decode(body); err != nil {
		we := err.(*wire.Error)
		if we.Fatal() {
			return we
		}
		c.sendError(we)
		return nil
	}
	ref := func(code wire.Code, msg string) *wire.Error {
		return &wire.Error{Code: code, Message: msg, RefOp: wire.OpSub, RefSid: m.Sid}
	}
	switch {
	case m.Sid == 0:
		c.sendError(ref(wire.CodeInvalidSubscription, "sid must be between 1 and 4294967295"))
		return nil
	case !wire.ValidPattern(m.Pattern):
		e := ref(wire.CodeInvalidChannel, "invalid pattern")
		e.RefChannel = string(m.Pattern)
		c.sendError(e)
		return nil
	case m.Queue != nil && !wire.ValidQueue(m.Queue):
		c.sendError(ref(wire.CodeInvalidSubscription, "invalid queue group name"))
		return nil
	case m.Prefetch > 0 && m.Queue == nil && !wire.IsQueuePattern(m.Pattern):
		c.sendError(ref(wire.CodeInvalidSubscription, "prefetch applies only to rotation set members"))
		return nil
	}
	s := &router.Sub{Out: c, Sid: m.Sid, Pattern: string(m.Pattern), Queue: string(m.Queue), Prefetch: m.Prefetch}
	s.State.Credit = m.Prefetch
	c.subMu.Lock()
	// Checked under subMu: SetAuthenticator stores new permissions and then
	// sweeps the subscriptions under subMu, so a SUB either sees the new
	// permissions here or is seen by the sweep.
	if !c.maySubscribe(m.Pattern) {
		c.subMu.Unlock()
		c.denied(wire.OpSub, m.Sid, m.Pattern)
		return nil
	}
	if _, dup := c.subs[m.Sid]; dup {
		c.subMu.Unlock()
		c.sendError(ref(wire.CodeInvalidSubscription, "sid "+strconv.FormatUint(uint64(m.Sid), 10)+" is already in use"))
		return nil
	}
	if max := c.srv.cfg.MaxSubscriptions; max > 0 && len(c.subs) >= max {
		c.subMu.Unlock()
		c.sendError(ref(wire.CodeTooManySubscriptions, "limit of "+strconv.Itoa(max)+" subscriptions reached"))
		return nil
	}
	c.subs[m.Sid] = s
	c.subMu.Unlock()
	c.srv.router.Subscribe(s)
	return nil
}

func (c *conn) lookup(sid uint32) *router.Sub {
	c.subMu.Lock()
	defer c.subMu.Unlock()
	return c.subs[sid]
}

func (c *conn) handleUnsub(body []byte) *wire.Error {
	var u wire.Unsub
	if err := u.Decode(body); err != nil {
		we := err.(*wire.Error)
		if we.Fatal() {
			return we
		}
		c.sendError(we)
		return nil
	}
	s := c.lookup(u.Sid)
	if s == nil {
		c.sendError(&wire.Error{Code: wire.CodeUnknownSid, Message: "no subscription has sid " + strconv.FormatUint(uint64(u.Sid), 10), RefOp: wire.OpUnsub, RefSid: u.Sid})
		return nil
	}
	if u.Max == 0 {
		c.removeSub(s)
		return nil
	}
	// max is the last seq the subscription gets (6.8).
	c.mu.Lock()
	done := s.State.Seq >= u.Max
	if !done {
		s.State.Remaining = u.Max - s.State.Seq
	}
	c.mu.Unlock()
	if done {
		c.removeSub(s)
	}
	return nil
}

func (c *conn) handleAck(body []byte) *wire.Error {
	var a wire.Ack
	if err := a.Decode(body); err != nil {
		we := err.(*wire.Error)
		if we.Fatal() {
			return we
		}
		c.sendError(we)
		return nil
	}
	s := c.lookup(a.Sid)
	switch {
	case s == nil:
		c.sendError(&wire.Error{Code: wire.CodeUnknownSid, Message: "no subscription has sid " + strconv.FormatUint(uint64(a.Sid), 10), RefOp: wire.OpAck, RefSid: a.Sid})
	case s.Prefetch == 0:
		c.sendError(&wire.Error{Code: wire.CodeInvalidSubscription, Message: "subscription has no prefetch", RefOp: wire.OpAck, RefSid: a.Sid})
	case a.Count == 0:
		c.sendError(&wire.Error{Code: wire.CodeInvalidSubscription, Message: "ACK count must be positive", RefOp: wire.OpAck, RefSid: a.Sid})
	default:
		c.mu.Lock()
		s.State.Credit = uint32(min(uint64(s.State.Credit)+uint64(a.Count), uint64(s.Prefetch)))
		c.mu.Unlock()
	}
	return nil
}
