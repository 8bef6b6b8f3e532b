// Package probe is the conformance suite's raw Herald client: a TCP
// connection, the reference codec (spec/wire) and nothing else, so that the
// suite judges the server alone and never an SDK.
//
// A Conn reads every frame the server sends on a goroutine of its own and
// files it in an inbox; the suite's steps wait on that inbox with deadlines
// (PROTOCOL.md 13.3), never by sleeping:
//
//	c, _ := probe.Dial("127.0.0.1:7420", "alice", probe.Options{Timeout: 5 * time.Second})
//	_ = c.Handshake(probe.DefaultHello())
//	c.Start()
//	_ = c.Send((&wire.Sub{Sid: 1, Pattern: []byte("/news")}).Append(nil))
//	_ = c.Barrier() // PING, then wait for PONG: the SUB is now in effect (9.2)
//	f, _ := c.Next(probe.MsgOn(1))
//
// A Conn that is never started, or that is paused, reads nothing: that is how
// the suite plays a subscriber that stalls.
package probe
