package router

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// box is a test Outbox: it records what each subscription receives, and can
// be made full (no room) to exercise skipping and charging.
type box struct {
	mu      sync.Mutex
	name    string
	full    bool
	got     []string // "sid:payload"
	charged []string
}

func (b *box) Deliver(s *Sub, msgs []Message) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range msgs {
		if s.State.Closed {
			break
		}
		s.State.Seq++
		if !b.full {
			b.got = append(b.got, fmt.Sprintf("%d:%s", s.Sid, msgs[i].Payload))
		}
		if s.State.Remaining > 0 {
			s.State.Remaining--
			if s.State.Remaining == 0 {
				s.State.Closed = true
				return true
			}
		}
	}
	return false
}

func (b *box) Offer(s *Sub, m *Message) (bool, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.full || s.State.Closed || (s.Prefetch > 0 && s.State.Credit == 0) {
		return false, false
	}
	if s.Prefetch > 0 {
		s.State.Credit--
	}
	s.State.Seq++
	b.got = append(b.got, fmt.Sprintf("%d:%s", s.Sid, m.Payload))
	return true, false
}

func (b *box) Charge(s *Sub, m *Message) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	s.State.Seq++
	b.charged = append(b.charged, fmt.Sprintf("%d:%s", s.Sid, m.Payload))
	return false
}

func (b *box) Expired(*Sub) {}

func (b *box) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	g := b.got
	b.got = nil
	return g
}

func publish(r *Router, ch string, payloads ...string) int {
	var p Publisher
	msgs := make([]Message, len(payloads))
	for i, pl := range payloads {
		msgs[i] = Message{Channel: []byte(ch), Payload: []byte(pl)}
	}
	return r.Publish(&p, []byte(ch), msgs)
}

func TestWildcardMatching(t *testing.T) {
	patterns := []string{"/a", "/a/b", "/a/*", "/a/>", "/*/b", "/>", "/*", "/a/b/c", "/a/*/c", "/x/y"}
	cases := map[string][]string{
		"/a":       {"/a", "/>", "/*"},
		"/a/b":     {"/a/b", "/a/*", "/a/>", "/*/b", "/>"},
		"/a/b/c":   {"/a/>", "/>", "/a/b/c", "/a/*/c"},
		"/z/b":     {"/*/b", "/>"},
		"/x":       {"/>", "/*"},
		"/a/q/c/d": {"/a/>", "/>"},
	}
	r := New()
	b := &box{}
	for i, p := range patterns {
		r.Subscribe(&Sub{Out: b, Sid: uint32(i + 1), Pattern: p})
	}
	for ch, want := range cases {
		n := publish(r, ch, "m")
		var got []string
		for _, g := range b.take() {
			var sid int
			fmt.Sscanf(g, "%d:", &sid)
			got = append(got, patterns[sid-1])
		}
		sort.Strings(got)
		sort.Strings(want)
		assert.Equal(t, want, got, "channel %s", ch)
		assert.Equal(t, len(want), n, "matched count for %s", ch)
	}
}

func TestUnsubscribePrunesAndIsIdempotent(t *testing.T) {
	r := New()
	b := &box{}
	subs := []*Sub{
		{Out: b, Sid: 1, Pattern: "/a/b/c"},
		{Out: b, Sid: 2, Pattern: "/a/b/c"},
		{Out: b, Sid: 3, Pattern: "/a/*/c"},
		{Out: b, Sid: 4, Pattern: "/a/>"},
		{Out: b, Sid: 5, Pattern: "/queue/x"},
		{Out: b, Sid: 6, Pattern: "/j", Queue: "g"},
	}
	for _, s := range subs {
		r.Subscribe(s)
	}
	assert.Equal(t, 6, r.Count())
	assert.True(t, r.Unsubscribe(subs[0]))
	assert.False(t, r.Unsubscribe(subs[0]))
	publish(r, "/a/b/c", "x")
	assert.ElementsMatch(t, []string{"2:x", "3:x", "4:x"}, b.take())
	for _, s := range subs[1:] {
		assert.True(t, r.Unsubscribe(s))
	}
	assert.Equal(t, 0, r.Count())
	assert.True(t, r.root.empty(), "trie pruned back to an empty root")
	assert.Zero(t, publish(r, "/a/b/c", "y"))
}

func TestQueuePatternAndGroupsRotate(t *testing.T) {
	r := New()
	b := &box{}
	// ("", "/queue/jobs") rotates; group "g" on /jobs rotates separately;
	// a plain subscriber of /> gets everything.
	r.Subscribe(&Sub{Out: b, Sid: 1, Pattern: "/queue/jobs"})
	r.Subscribe(&Sub{Out: b, Sid: 2, Pattern: "/queue/jobs"})
	r.Subscribe(&Sub{Out: b, Sid: 3, Pattern: "/>"})
	publish(r, "/queue/jobs", "1", "2", "3", "4")
	assert.Equal(t, []string{"3:1", "3:2", "3:3", "3:4", "1:1", "2:2", "1:3", "2:4"}, sortPlainFirst(b.take(), 3))
}

// sortPlainFirst puts the plain subscriber's deliveries first (the router
// does plain subscriptions before sets), keeping each one's order.
func sortPlainFirst(got []string, plainSid int) []string {
	var plain, rest []string
	prefix := fmt.Sprintf("%d:", plainSid)
	for _, g := range got {
		if len(g) >= len(prefix) && g[:len(prefix)] == prefix {
			plain = append(plain, g)
		} else {
			rest = append(rest, g)
		}
	}
	return append(plain, rest...)
}

func TestRotationOrderWithJoinsLeavesAndSkips(t *testing.T) {
	r := New()
	bs := map[string]*box{"A": {name: "A"}, "B": {name: "B"}, "C": {name: "C"}, "D": {name: "D"}}
	subs := map[string]*Sub{}
	join := func(name string, sid uint32) {
		s := &Sub{Out: bs[name], Sid: sid, Pattern: "/work", Queue: "w"}
		subs[name] = s
		r.Subscribe(s)
	}
	who := func(n int) string {
		out := ""
		for i := 0; i < n; i++ {
			publish(r, "/work", fmt.Sprint(i))
			for name, b := range bs {
				if len(b.take()) > 0 {
					out += name
				}
			}
		}
		return out
	}
	join("A", 1)
	join("B", 2)
	join("C", 3)
	assert.Equal(t, "ABCABC", who(6), "strict round-robin")
	assert.Equal(t, "A", who(1))
	join("D", 4) // joins last: after C
	assert.Equal(t, "BCDABCD", who(7))
	r.Unsubscribe(subs["B"]) // cursor was on A
	assert.Equal(t, "ACDAC", who(5))
	bs["D"].full = true // D is skipped, keeps its place
	assert.Equal(t, "ACAC", who(4), "cursor after D's skip moves past the receiver")
	bs["D"].full = false
	assert.Equal(t, "DAC", who(3))
	r.Unsubscribe(subs["D"]) // leaving the cursor's member moves the cursor on
	assert.Equal(t, "AC", who(2))
}

func TestAllFullChargesTheMemberWhoseTurnItWas(t *testing.T) {
	r := New()
	a, b := &box{full: true}, &box{full: true}
	sa := &Sub{Out: a, Sid: 1, Pattern: "/queue"}
	sb := &Sub{Out: b, Sid: 2, Pattern: "/queue"}
	r.Subscribe(sa)
	r.Subscribe(sb)
	publish(r, "/queue", "1", "2", "3")
	assert.Equal(t, []string{"1:1", "1:3"}, a.charged)
	assert.Equal(t, []string{"2:2"}, b.charged)
	assert.Equal(t, uint64(2), sa.State.Seq)
	b.full = false
	publish(r, "/queue", "4", "5")
	assert.Equal(t, []string{"2:4", "2:5"}, b.take(), "B gets both: A is still full")
	q := r.Queue()
	assert.Equal(t, uint64(3), q.Charged.Load())
	assert.Equal(t, uint64(2), q.Delivered.Load())
	assert.Equal(t, uint64(3*2+1), q.Skipped.Load(), "two skips per charged message; then B at the cursor takes 4, A is skipped for 5")
}

func TestPrefetchCreditMakesMembersIneligible(t *testing.T) {
	r := New()
	a, b := &box{}, &box{}
	sa := &Sub{Out: a, Sid: 1, Pattern: "/queue/p", Prefetch: 1}
	sa.State.Credit = 1
	r.Subscribe(sa)
	r.Subscribe(&Sub{Out: b, Sid: 2, Pattern: "/queue/p"})
	publish(r, "/queue/p", "1", "2", "3", "4")
	assert.Equal(t, []string{"1:1"}, a.take())
	assert.Equal(t, []string{"2:2", "2:3", "2:4"}, b.take())
}

func TestEchoExclusion(t *testing.T) {
	r := New()
	me, other := &box{}, &box{}
	r.Subscribe(&Sub{Out: me, Sid: 1, Pattern: "/e"})
	r.Subscribe(&Sub{Out: other, Sid: 2, Pattern: "/e"})
	r.Subscribe(&Sub{Out: me, Sid: 3, Pattern: "/queue/e"})
	r.Subscribe(&Sub{Out: other, Sid: 4, Pattern: "/queue/e"})
	var p Publisher
	m := []Message{{Channel: []byte("/e"), Payload: []byte("x"), Origin: me, NoEcho: true}}
	assert.Equal(t, 1, r.Publish(&p, []byte("/e"), m))
	assert.Empty(t, me.take())
	assert.Equal(t, []string{"2:x"}, other.take())
	for i := 0; i < 3; i++ {
		q := []Message{{Channel: []byte("/queue/e"), Payload: []byte("q"), Origin: me, NoEcho: true}}
		r.Publish(&p, []byte("/queue/e"), q)
	}
	assert.Empty(t, me.take(), "an echo-excluded member is not eligible")
	assert.Equal(t, []string{"4:q", "4:q", "4:q"}, other.take())
}

func TestAutoUnsubscribeExpires(t *testing.T) {
	r := New()
	b := &box{}
	s := &Sub{Out: b, Sid: 1, Pattern: "/n"}
	s.State.Remaining = 2
	r.Subscribe(s)
	publish(r, "/n", "1", "2", "3")
	publish(r, "/n", "4")
	assert.Equal(t, []string{"1:1", "1:2"}, b.take())
	assert.Equal(t, 0, r.Count())
}

func TestReofferGoesToRemainingMembers(t *testing.T) {
	r := New()
	a, b := &box{}, &box{}
	sa := &Sub{Out: a, Sid: 1, Pattern: "/queue/r"}
	r.Subscribe(sa)
	r.Subscribe(&Sub{Out: b, Sid: 2, Pattern: "/queue/r"})
	r.Unsubscribe(sa)
	var p Publisher
	dropped := r.Reoffer(&p, sa, []Message{{Payload: []byte("x")}, {Payload: []byte("y")}}, true)
	assert.Zero(t, dropped)
	assert.Equal(t, []string{"2:x", "2:y"}, b.take())
	b.full = true
	assert.Equal(t, 1, r.Reoffer(&p, sa, []Message{{Payload: []byte("z")}}, false), "no charge: dropped")
}

// TestConcurrentSubscribePublish exercises the index under -race.
func TestConcurrentSubscribePublish(t *testing.T) {
	r := New()
	b := &box{}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				s := &Sub{Out: b, Sid: uint32(i), Pattern: fmt.Sprintf("/c/%d/*", i%7)}
				if i%3 == 0 {
					s.Queue = "q"
				}
				r.Subscribe(s)
				publish(r, fmt.Sprintf("/c/%d/x", i%7), "m")
				r.Unsubscribe(s)
			}
		}(g)
	}
	wg.Wait()
	require.Equal(t, 0, r.Count())
	require.True(t, r.root.empty())
}
