package exchange_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker/exchange"
)

func TestFanOut(t *testing.T) {
	reg := newRegistry(t)
	news := reg.Get("/news")
	sinks := []*recorder{{}, {}, {}}
	for _, s := range sinks {
		require.True(t, news.Attach(s))
	}
	assert.Equal(t, 3, news.Sinks())
	sendAll(t, news, 0, 100)
	flush(t, reg)
	for _, s := range sinks {
		assert.Equal(t, seq(0, 100, 1), s.values(), "every sink gets every message, in order")
		assert.Equal(t, "/news", s.messages()[0].Exchange)
	}
	st := reg.Stats()
	assert.Equal(t, exchange.Stats{Sinks: 3, Sent: 100, Delivered: 300}, st)
}

// TestQueueRotation: a "/queue" exchange hands each message to one sink in
// strict rotation, in the order sinks attached (PROTOCOL.md 7.4, 7.5).
func TestQueueRotation(t *testing.T) {
	reg := newRegistry(t)
	jobs := reg.Get("/queue/jobs")
	a, b, c := &recorder{}, &recorder{}, &recorder{}
	jobs.AttachAll(a, b, c)
	sendAll(t, jobs, 0, 9)
	flush(t, reg)
	assert.Equal(t, []int{0, 3, 6}, a.values())
	assert.Equal(t, []int{1, 4, 7}, b.values())
	assert.Equal(t, []int{2, 5, 8}, c.values())

	require.True(t, jobs.Detach(b))
	sendAll(t, jobs, 9, 13)
	flush(t, reg)
	assert.Equal(t, []int{0, 3, 6, 9, 11}, a.values())
	assert.Equal(t, []int{2, 5, 8, 10, 12}, c.values())
}

// TestPatternsAcrossNames: a sink attached to a pattern receives from every
// exchange the pattern matches, under that exchange's name.
func TestPatternsAcrossNames(t *testing.T) {
	reg := newRegistry(t)
	one, more := &recorder{}, &recorder{}
	reg.Get("/orders/*").Attach(one)
	reg.Get("/orders/>").Attach(more)
	for i, name := range []string{"/orders/eu", "/orders/us", "/orders/eu/new", "/other", "/orders"} {
		reg.Get(name).Send(exchange.Message{Value: i})
	}
	flush(t, reg)
	names := func(r *recorder) []string {
		var out []string
		for _, m := range r.messages() {
			out = append(out, m.Exchange)
		}
		return out
	}
	assert.Equal(t, []string{"/orders/eu", "/orders/us"}, names(one))
	assert.Equal(t, []string{"/orders/eu", "/orders/us", "/orders/eu/new"}, names(more))
}

func TestRegistryNames(t *testing.T) {
	reg := newRegistry(t)
	assert.Same(t, reg.Get("/a/b"), reg.Get("/a/b"), "created on first use, then found")
	assert.Equal(t, "/a/b", reg.Get("/a/b").Name())
	for _, bad := range []string{"", "a", "/a/", "//", "/a b", "/a*"} {
		_, err := reg.Open(bad)
		assert.ErrorIs(t, err, exchange.ErrInvalidName, "%q", bad)
		assert.Panics(t, func() { reg.Get(bad) }, "%q", bad)
	}
	assert.Panics(t, func() { reg.Get("/a/*").Send(exchange.Message{}) }, "a pattern cannot be sent to")
	assert.Same(t, exchange.Get("/default/x"), exchange.Default().Get("/default/x"))
}

func TestAttachRules(t *testing.T) {
	reg := newRegistry(t)
	e := reg.Get("/rules")
	s := &recorder{}
	assert.True(t, e.Attach(s))
	assert.False(t, e.Attach(s), "already attached")
	assert.True(t, e.Detach(s))
	assert.False(t, e.Detach(s), "not attached")
	assert.Panics(t, func() { e.Attach(sliceSink{}) }, "a sink must be comparable")
	_, ok := e.SinkStats(s)
	assert.False(t, ok)

	reg.Close()
	assert.False(t, e.Attach(s), "the registry is closed")
	e.Send(exchange.Message{Value: 1}) // to no one, without blocking
}

type sliceSink []int

func (sliceSink) Send(exchange.Message) {}

// TestDetachFromSend: a sink may detach itself from its own Send, and gets
// nothing after.
func TestDetachFromSend(t *testing.T) {
	reg := newRegistry(t)
	e := reg.Get("/self")
	var got []int
	var s exchange.Sink
	s = exchange.Func(func(m exchange.Message) {
		got = append(got, m.Value.(int))
		if len(got) == 3 {
			e.Detach(s)
		}
	})
	e.Attach(s)
	sendAll(t, e, 0, 10)
	flush(t, reg)
	assert.Equal(t, []int{0, 1, 2}, got)
	assert.Equal(t, 0, e.Sinks())
	assert.Equal(t, uint64(3), reg.Stats().Delivered)
}

func TestSubscribeUntilContextEnds(t *testing.T) {
	reg := newRegistry(t)
	e := reg.Get("/scoped")
	ctx, cancel := context.WithCancel(context.Background())
	a, b := &recorder{}, &recorder{}
	e.Subscribe(ctx, a, b)
	assert.Equal(t, 2, e.Sinks())
	e.Send(exchange.Message{Value: 1})
	flush(t, reg)
	cancel()
	require.Eventually(t, func() bool { return e.Sinks() == 0 }, waitFor, time.Millisecond)
	e.Send(exchange.Message{Value: 2})
	flush(t, reg)
	assert.Equal(t, []int{1}, a.values())
	assert.Equal(t, []int{1}, b.values())
}

func TestAttachAllReturnsDetach(t *testing.T) {
	reg := newRegistry(t)
	e := reg.Get("/deferred")
	mine, theirs := &recorder{}, &recorder{}
	e.Attach(theirs)
	detach := e.AttachAll(mine, theirs)
	assert.Equal(t, 2, e.Sinks())
	detach()
	detach() // idempotent
	assert.Equal(t, 1, e.Sinks(), "a sink attached before is left alone")
	_, ok := e.SinkStats(theirs)
	assert.True(t, ok)
}

// TestTap: a Tap on "/>" logs every message of every exchange.
func TestTap(t *testing.T) {
	reg := newRegistry(t)
	var logs logBuffer
	tap := exchange.NewTap(logs.logger())
	defer reg.Get("/>").AttachAll(tap)()
	reg.Get("/orders/eu").Send(exchange.Message{Value: 42})
	reg.Get("/audit").Send(exchange.Message{Data: []byte("bytes too")})
	flush(t, reg)
	assert.Equal(t, uint64(2), tap.Seen())
	assert.Contains(t, logs.String(), "msg=tap exchange=/orders/eu n=1 value=42")
	assert.Contains(t, logs.String(), `msg=tap exchange=/audit n=2 data="bytes too"`)
}

// TestExchangeIsASink: an exchange attached to another forwards under its
// own name.
func TestExchangeIsASink(t *testing.T) {
	reg := newRegistry(t)
	in, out := reg.Get("/in"), reg.Get("/out")
	s := &recorder{}
	out.Attach(s)
	in.Attach(out)
	in.Send(exchange.Message{Value: 7})
	flush(t, reg) // the forward reaches out's buffer during in's sink's Send
	flush(t, reg)
	require.Len(t, s.messages(), 1)
	assert.Equal(t, exchange.Message{Exchange: "/out", Value: 7}, s.messages()[0])
}
