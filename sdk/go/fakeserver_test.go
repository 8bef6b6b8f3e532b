package herald

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// fakeServer is a scripted Herald server for behaviour a correct broker
// never shows (sequence gaps without NOTICE, silence) or shows only under
// load (NOTICE bursts).
type fakeServer struct {
	t  *testing.T
	ln net.Listener
}

func startFake(t *testing.T) *fakeServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &fakeServer{t: t, ln: ln}
}

func (f *fakeServer) URL() string { return "herald://" + f.ln.Addr().String() }

// fakeConn is one accepted client connection.
type fakeConn struct {
	t  *testing.T
	nc net.Conn
	r  *wire.Reader
}

// accept accepts a client and reads its HELLO; with welcome, it answers
// WELCOME.
func (f *fakeServer) accept(welcome bool) *fakeConn {
	f.t.Helper()
	if tl, ok := f.ln.(*net.TCPListener); ok {
		tl.SetDeadline(time.Now().Add(5 * time.Second))
	}
	nc, err := f.ln.Accept()
	if err != nil {
		f.t.Fatalf("accept: %v", err)
	}
	f.t.Cleanup(func() { nc.Close() })
	fc := &fakeConn{t: f.t, nc: nc, r: wire.NewReader(nc, 1<<20)}
	fc.expect(wire.OpHello)
	if welcome {
		fc.welcome()
	}
	return fc
}

func (fc *fakeConn) welcome() {
	fc.send((&wire.Welcome{Version: 1, ServerID: "fake", ServerName: "fake", ServerVersion: "0", MaxPayload: 1 << 20,
		MaxFrame: 2 << 20, MaxHeaderBytes: 1 << 14, PingIntervalMs: 30000, MaxPingsOut: 2, MaxPendingBytes: 1 << 20,
		Overflow: "drop", Capabilities: []string{"headers", "no_responders", "prefetch"}}).Append(nil))
}

func (fc *fakeConn) send(frames ...[]byte) {
	fc.t.Helper()
	for _, f := range frames {
		if _, err := fc.nc.Write(f); err != nil {
			fc.t.Fatalf("fake write: %v", err)
		}
	}
}

// expect reads frames until one of op arrives, answering PINGs, and returns
// its body.
func (fc *fakeConn) expect(op wire.Op) []byte {
	fc.t.Helper()
	fc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		body, err := fc.r.Next()
		if err != nil {
			fc.t.Fatalf("fake read waiting for %v: %v", op, err)
		}
		got, _ := wire.PeekOp(body)
		if got == op {
			return append([]byte(nil), body...)
		}
		if got == wire.OpPing {
			fc.send(wire.AppendPong(nil))
		}
	}
}

func msgFrame(sid uint32, seq uint64, data string) []byte {
	return (&wire.Msg{Sid: sid, Seq: seq, Channel: []byte("/g"), Payload: []byte(data)}).Append(nil)
}

func TestSeqGapsWithoutNoticeAreReported(t *testing.T) {
	f := startFake(t)
	errs := newErrorLog()
	accepted := make(chan *fakeConn, 1)
	go func() { accepted <- f.accept(true) }()
	c := connect(t, f.URL(), WithErrorHandler(errs.handler))
	fc := <-accepted
	sub, err := c.SubscribePull("/g")
	if err != nil {
		t.Fatal(err)
	}
	var s wire.Sub
	if err := s.Decode(fc.expect(wire.OpSub)); err != nil {
		t.Fatal(err)
	}
	fc.send(msgFrame(s.Sid, 1, "a"), msgFrame(s.Sid, 2, "b"), msgFrame(s.Sid, 5, "c"),
		(&wire.Notice{Sid: s.Sid, Count: 3, First: 6, Last: 8, Reason: wire.ReasonSlowConsumer}).Append(nil),
		msgFrame(s.Sid, 9, "d"), msgFrame(s.Sid, 12, "e"))
	ctx := ctxT(t, 5*time.Second)
	for _, want := range []string{"a", "b", "c", "d", "e"} {
		m, err := sub.Next(ctx)
		if err != nil || string(m.Data) != want {
			t.Fatalf("got %v %v, want %q", m, err, want)
		}
	}
	eventually(t, "7 losses reported", func() bool {
		var n uint64
		for _, e := range errs.all() {
			var le *LossError
			if errors.As(e, &le) {
				n += le.Count
			}
		}
		return n == 7
	})
	if d := sub.Dropped(); d.Gaps != 4 || d.Notified != 3 || d.Total() != 7 {
		t.Fatalf("Dropped: %+v", d)
	}
	var gaps, notices []*LossError
	for _, e := range errs.all() {
		var le *LossError
		if !errors.As(e, &le) {
			t.Fatalf("unexpected error %v", e)
		}
		switch le.Source {
		case LossGap:
			gaps = append(gaps, le)
		case LossNotice:
			notices = append(notices, le)
		}
	}
	// Reports may merge; what they cover may not change.
	var gapCount uint64
	for _, g := range gaps {
		gapCount += g.Count
	}
	if gapCount != 4 || gaps[0].First != 3 || gaps[len(gaps)-1].Last != 11 {
		t.Fatalf("gap reports: %+v", gaps)
	}
	if len(notices) != 1 || notices[0].First != 6 || notices[0].Last != 8 || notices[0].Reason != "slow_consumer" {
		t.Fatalf("notice reports: %+v", notices)
	}
}

func TestNoticeBurstIsCoalesced(t *testing.T) {
	f := startFake(t)
	block := make(chan struct{})
	reports := make(chan *LossError, 16)
	accepted := make(chan *fakeConn, 1)
	go func() { accepted <- f.accept(true) }()
	c := connect(t, f.URL(), WithErrorHandler(func(_ *Conn, _ *Subscription, err error) {
		var le *LossError
		if errors.As(err, &le) {
			reports <- le
		}
		<-block
	}))
	fc := <-accepted
	sub, _ := c.SubscribePull("/g")
	var s wire.Sub
	s.Decode(fc.expect(wire.OpSub))
	var seq uint64
	notice := func() {
		fc.send((&wire.Notice{Sid: s.Sid, Count: 10, First: seq + 1, Last: seq + 10, Reason: wire.ReasonSlowConsumer}).Append(nil))
		seq += 10
	}
	notice()
	first := waitChan(t, reports, "the first report") // the handler is now busy
	for range 5 {
		notice()
	}
	eventually(t, "60 notified", func() bool { return sub.Dropped().Notified == 60 })
	close(block)
	merged := waitChan(t, reports, "the merged report")
	if first.Count != 10 || merged.Count != 50 || merged.Reports != 5 || merged.First != 11 || merged.Last != 60 {
		t.Fatalf("reports: %+v then %+v", first, merged)
	}
	select {
	case extra := <-reports:
		t.Fatalf("a third report: %+v", extra)
	case <-time.After(50 * time.Millisecond): // nothing more should come; a bounded look
	}
}

func TestServerPingIsAnswered(t *testing.T) {
	f := startFake(t)
	accepted := make(chan *fakeConn, 1)
	go func() { accepted <- f.accept(true) }()
	connect(t, f.URL())
	fc := <-accepted
	fc.send(wire.AppendPing(nil))
	fc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	body, err := fc.r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if op, _ := wire.PeekOp(body); op != wire.OpPong {
		t.Fatalf("answered PING with %v", op)
	}
}

func TestStaleServerIsDetected(t *testing.T) {
	f := startFake(t)
	accepted := make(chan *fakeConn, 1)
	go func() { accepted <- f.accept(true) }()
	lc := newLifecycle()
	connect(t, f.URL(), append(lc.options(), WithPingInterval(20*time.Millisecond, 2))...)
	<-accepted // never reads: the client's PINGs go unanswered
	err := waitChan(t, lc.disconnected, "a stale disconnect")
	if !errors.Is(err, ErrStaleConnection) {
		t.Fatalf("disconnected with %v", err)
	}
}

func TestHelloIsPipelinedWithRestoredSubs(t *testing.T) {
	f := startFake(t)
	accepted := make(chan *fakeConn, 1)
	go func() { accepted <- f.accept(true) }()
	c := connect(t, f.URL())
	fc := <-accepted
	if _, err := c.SubscribePull("/a", WithQueueGroup("g"), WithPrefetch(3)); err != nil {
		t.Fatal(err)
	}
	sub, _ := c.SubscribePull("/b")
	sub.AutoUnsubscribe(5)
	fc.expect(wire.OpUnsub)
	fc.nc.Close()
	// The new session: HELLO, then the SUBs, before any WELCOME.
	go func() { accepted <- f.accept(false) }()
	fc = <-accepted
	var s1, s2 wire.Sub
	var u wire.Unsub
	s1.Decode(fc.expect(wire.OpSub))
	s2.Decode(fc.expect(wire.OpSub))
	u.Decode(fc.expect(wire.OpUnsub))
	if string(s1.Pattern) != "/a" || string(s1.Queue) != "g" || s1.Prefetch != 3 || string(s2.Pattern) != "/b" || u.Sid != s2.Sid || u.Max != 5 {
		t.Fatalf("restored %+v %+v %+v", s1, s2, u)
	}
	fc.welcome()
	eventually(t, "connected", func() bool { return c.Status() == Connected })
}
