package broker

import (
	"encoding/binary"
	"fmt"
	"net"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// received reads n MSGs from each client in turn order and returns, per
// client, the payloads it got.
func collect(t *testing.T, c *rawClient, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, string(c.expectMsg().Payload))
	}
	return out
}

// TestRotationRoundRobinWithJoinsAndLeaves pins 7.4-7.6 over the wire, for
// both a queue group and the /queue prefix.
func TestRotationRoundRobinWithJoinsAndLeaves(t *testing.T) {
	for _, tc := range []struct{ name, pattern, group string }{
		{"group", "/jobs", "workers"},
		{"queue-prefix", "/queue/jobs", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, addr := startServer(t, DefaultConfig())
			w := map[string]*rawClient{}
			join := func(name string) {
				w[name] = connect(t, addr)
				w[name].subQueue(1, tc.pattern, tc.group, 0)
				w[name].sync()
			}
			pub := connect(t, addr)
			n := 0
			send := func(k int) {
				for i := 0; i < k; i++ {
					n++
					pub.pub(tc.pattern, []byte(fmt.Sprint(n)))
				}
				pub.sync()
			}
			join("A")
			join("B")
			join("C")
			send(6)
			assert.Equal(t, []string{"1", "4"}, collect(t, w["A"], 2))
			assert.Equal(t, []string{"2", "5"}, collect(t, w["B"], 2))
			assert.Equal(t, []string{"3", "6"}, collect(t, w["C"], 2))
			join("D") // goes last
			send(4)
			assert.Equal(t, []string{"7"}, collect(t, w["A"], 1))
			assert.Equal(t, []string{"8"}, collect(t, w["B"], 1))
			assert.Equal(t, []string{"9"}, collect(t, w["C"], 1))
			assert.Equal(t, []string{"10"}, collect(t, w["D"], 1))
			w["B"].send((&wire.Unsub{Sid: 1}).Append(nil))
			w["B"].sync()
			send(6)
			assert.Equal(t, []string{"11", "14"}, collect(t, w["A"], 2))
			assert.Equal(t, []string{"12", "15"}, collect(t, w["C"], 2))
			assert.Equal(t, []string{"13", "16"}, collect(t, w["D"], 2))
			w["C"].nc.Close() // a member whose connection ends leaves too
			require.Eventually(t, func() bool { return srv.Router().Count() == 2 }, waitFor, tenMillis,
				"the server removes the closed member")
			send(4)
			assert.Equal(t, []string{"17", "19"}, collect(t, w["A"], 2))
			assert.Equal(t, []string{"18", "20"}, collect(t, w["D"], 2))
		})
	}
}

// TestThreeWorkersShareExactly: with nothing skipped, shares differ by at most
// one and follow strict rotation.
func TestThreeWorkersShareExactly(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	var ws []*rawClient
	for i := 0; i < 3; i++ {
		c := connect(t, addr)
		c.subQueue(uint32(i+1), "/queue/work", "", 0)
		c.sync()
		ws = append(ws, c)
	}
	pub := connect(t, addr)
	const total = 3000
	for i := 0; i < total; i++ {
		pub.pub("/queue/work", []byte(fmt.Sprint(i)))
	}
	for i, c := range ws {
		for k := 0; k < total/3; k++ {
			m := c.expectMsg()
			require.Equal(t, fmt.Sprint(3*k+i), string(m.Payload))
			require.Equal(t, uint64(k+1), m.Seq)
		}
	}
}

// TestPrefetchCredit pins 6.5, 6.10 and 7.11.
func TestPrefetchCredit(t *testing.T) {
	_, addr := startServer(t, DefaultConfig())
	a := connect(t, addr)
	require.True(t, a.welcome.Has(wire.CapPrefetch))
	a.subQueue(1, "/p", "g", 1)
	a.sync()
	b := connect(t, addr)
	b.subQueue(1, "/p", "g", 0)
	b.sync()
	pub := connect(t, addr)
	for i := 1; i <= 5; i++ {
		pub.pub("/p", []byte(fmt.Sprint(i)))
	}
	pub.sync()
	assert.Equal(t, []string{"1"}, collect(t, a, 1))
	assert.Equal(t, []string{"2", "3", "4", "5"}, collect(t, b, 4), "A has no credit: skipped")
	a.send((&wire.Ack{Sid: 1, Count: 5}).Append(nil)) // surplus discarded: credit stays 1
	a.sync()
	for i := 6; i <= 9; i++ {
		pub.pub("/p", []byte(fmt.Sprint(i)))
	}
	pub.sync()
	assert.Equal(t, []string{"6"}, collect(t, a, 1), "cursor was on A")
	assert.Equal(t, []string{"7", "8", "9"}, collect(t, b, 3), "credit never exceeds prefetch")

	a.send((&wire.Ack{Sid: 1, Count: 0}).Append(nil))
	assert.Equal(t, wire.OpAck, a.expectErr(wire.CodeInvalidSubscription).RefOp)
	b.send((&wire.Ack{Sid: 1, Count: 1}).Append(nil))
	b.expectErr(wire.CodeInvalidSubscription)
	b.send((&wire.Ack{Sid: 7, Count: 1}).Append(nil))
	b.expectErr(wire.CodeUnknownSid)
	b.send((&wire.Sub{Sid: 2, Pattern: []byte("/plain"), Prefetch: 3}).Append(nil))
	assert.Equal(t, uint32(2), b.expectErr(wire.CodeInvalidSubscription).RefSid)
}

// indexed builds a payload of size bytes starting with the big-endian i.
func indexed(i, size int) []byte {
	p := make([]byte, size)
	binary.BigEndian.PutUint32(p, uint32(i))
	return p
}

// drain reads everything a stalled client was sent up to a PONG, returning
// the indexes of its MSG payloads and its NOTICEs.
func drain(t *testing.T, c *rawClient) (got []int, notices []wire.Notice) {
	t.Helper()
	c.send(wire.AppendPing(nil))
	for {
		f := c.next()
		switch f.op {
		case wire.OpPong:
			return got, notices
		case wire.OpMsg:
			var m wire.Msg
			require.NoError(t, m.Decode(f.body))
			got = append(got, int(binary.BigEndian.Uint32(m.Payload)))
		case wire.OpNotice:
			var n wire.Notice
			require.NoError(t, n.Decode(f.body))
			notices = append(notices, n)
		default:
			t.Fatalf("unexpected %v", f.op)
		}
	}
}

// checkSeqs verifies that MSG seqs and NOTICE ranges of one subscription
// together cover 1..n without gap or overlap, in order.
func checkSeqs(t *testing.T, c *rawClient) (msgs int, noticed int) {
	t.Helper()
	next := uint64(1)
	c.send(wire.AppendPing(nil))
	for {
		f := c.next()
		switch f.op {
		case wire.OpPong:
			return msgs, noticed
		case wire.OpMsg:
			var m wire.Msg
			require.NoError(t, m.Decode(f.body))
			require.Equal(t, next, m.Seq, "seq gap without NOTICE")
			next++
			msgs++
		case wire.OpNotice:
			var n wire.Notice
			require.NoError(t, n.Decode(f.body))
			require.Equal(t, next, n.First, "NOTICE must start where delivery stopped")
			require.Equal(t, n.Last-n.First+1, n.Count)
			next = n.Last + 1
			noticed += int(n.Count)
		}
	}
}

// TestAllMembersFullChargesWithNotice pins 7.7 and 8.4 for rotation sets.
func TestAllMembersFullChargesWithNotice(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 10
	_, addr := startServer(t, cfg)
	a, b := connect(t, addr), connect(t, addr)
	a.subQueue(1, "/queue/full", "", 0)
	b.subQueue(1, "/queue/full", "", 0)
	a.sync()
	b.sync()
	pub := connect(t, addr)
	const total = 600 // 600 × 32 KiB ≈ 19 MiB: more than both sockets absorb
	for i := 0; i < total; i++ {
		pub.pub("/queue/full", indexed(i, 32<<10))
	}
	pub.sync()
	ma, na := checkSeqs(t, a)
	mb, nb := checkSeqs(t, b)
	assert.Equal(t, total, ma+na+mb+nb, "every message delivered or charged exactly once")
	assert.Positive(t, na+nb, "some messages were charged")
	t.Logf("delivered %d+%d, charged %d+%d", ma, mb, na, nb)
}

// TestLeavingMemberFramesGoToOthers pins 7.8: frames queued but unwritten for
// a member that leaves are delivered to the remaining members.
func TestLeavingMemberFramesGoToOthers(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 4 << 20
	srv, addr := startServer(t, cfg)
	// Tiny socket buffers on A's connection keep the kernel from absorbing
	// its share (loopback receive buffers can grow to tens of MiB here), so
	// frames really are queued for A when it leaves.
	a := connectSmallRcvBuf(t, addr, "A")
	require.NoError(t, connNamed(t, srv, "A").nc.(*net.TCPConn).SetWriteBuffer(4096))
	b := connect(t, addr)
	a.subQueue(1, "/queue/leave", "", 0)
	a.sync()
	b.subQueue(1, "/queue/leave", "", 0)
	b.sync()
	pub := connect(t, addr)
	const total = 2000 // 2000 × 8 KiB: A's share (8 MiB) overflows its socket buffers
	fromB := make(chan int, total)
	var noticedB atomic.Int64 // B's own losses, charged to it by the re-offer (7.7) and reported
	go func() {
		for {
			f, err := b.read()
			if err != nil {
				close(fromB)
				return
			}
			var m wire.Msg
			var n wire.Notice
			switch {
			case f.op == wire.OpMsg && m.Decode(f.body) == nil:
				fromB <- int(binary.BigEndian.Uint32(m.Payload))
			case f.op == wire.OpNotice && n.Decode(f.body) == nil:
				noticedB.Add(int64(n.Count))
			}
		}
	}()
	for i := 0; i < total; i++ {
		pub.pub("/queue/leave", indexed(i, 8<<10))
	}
	pub.sync()
	require.Positive(t, srv.Stats().PendingBytes, "A has frames queued behind its full socket")
	a.send((&wire.Unsub{Sid: 1}).Append(nil))
	gotA, noticesA := drain(t, a)
	noticedA := 0 // A's own charges while both were full (7.7), reported to A
	for _, n := range noticesA {
		noticedA += int(n.Count)
	}
	var gotB []int
	deadline := timeAfter(waitFor)
	for len(gotA)+noticedA+len(gotB)+int(noticedB.Load()) < total {
		select {
		case i, ok := <-fromB:
			require.True(t, ok, "B's connection ended after %d messages", len(gotB))
			gotB = append(gotB, i)
		case <-deadline:
			t.Fatalf("lost messages: A read %d and was told of %d, B got %d and was told of %d, of %d", len(gotA), noticedA, len(gotB), noticedB.Load(), total)
		}
	}
	count := make([]int, total)
	for _, i := range append(gotA, gotB...) {
		count[i]++
	}
	for i, n := range count {
		require.LessOrEqual(t, n, 1, "message %d delivered %d times", i, n)
	}
	require.Equal(t, total, len(gotA)+noticedA+len(gotB)+int(noticedB.Load()), "every message delivered once or reported")
	// Frames B got after later ones were A's, handed back when it left.
	handedBack := 0
	for i, top := 1, 0; i < len(gotB); i++ {
		if gotB[i] < gotB[top] {
			handedBack++
		} else {
			top = i
		}
	}
	assert.Positive(t, handedBack, "A's unwritten frames went to B")
	t.Logf("A read %d before leaving, B got %d, %d of them handed back from A; B was told of %d it lost",
		len(gotA), len(gotB), handedBack, noticedB.Load())
}
