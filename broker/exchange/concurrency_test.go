package exchange_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker/exchange"
)

// stamp identifies one message of the stress test: who sent it, and its
// number in that sender's sequence.
type stamp struct{ sender, n int }

// orderSink checks that each sender's messages arrive in order, and counts
// what it got.
type orderSink struct {
	mu   sync.Mutex
	last map[int]int
	got  []stamp
	bad  error
}

func newOrderSink() *orderSink { return &orderSink{last: map[int]int{}} }

func (s *orderSink) Send(m exchange.Message) {
	st := m.Value.(stamp)
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.last[st.sender]; ok && st.n <= prev && s.bad == nil {
		s.bad = fmt.Errorf("sender %d: %d after %d", st.sender, st.n, prev)
	}
	s.last[st.sender] = st.n
	s.got = append(s.got, st)
}

// TestConcurrentAttachDetachSend runs senders against sinks that attach and
// detach all the time, on a fan-out exchange, a pattern and a "/queue"
// exchange. Every sink sees each sender's messages in order; sinks attached
// throughout see everything; on the queue every message is handled exactly
// once, whoever held it when its sink left. Run it with -race -count=20.
func TestConcurrentAttachDetachSend(t *testing.T) {
	reg := newRegistry(t, exchange.WithBuffer(1<<16)) // large enough that nothing is dropped
	fan, queue := reg.Get("/stress/fan"), reg.Get("/queue/stress")
	const senders, perSender, churners, rounds = 4, 500, 4, 50

	stable, pattern := newOrderSink(), newOrderSink()
	fan.Attach(stable)
	reg.Get("/stress/*").Attach(pattern)
	members := []*orderSink{newOrderSink(), newOrderSink()}
	for _, m := range members {
		queue.Attach(m)
	}

	var churnedFan, churnedQueue []*orderSink
	var churnMu sync.Mutex
	var wg sync.WaitGroup
	for c := 0; c < churners; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				s, q := newOrderSink(), newOrderSink()
				churnMu.Lock()
				churnedFan, churnedQueue = append(churnedFan, s), append(churnedQueue, q)
				churnMu.Unlock()
				if r%2 == 0 {
					fan.Attach(s)
					queue.Attach(q)
					fan.Detach(s)
					queue.Detach(q)
				} else {
					detach := fan.AttachAll(s, stable) // stable is attached already: left alone
					detachQ := queue.AttachAll(q)
					detachQ()
					detach()
				}
			}
		}()
	}
	for p := 0; p < senders; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < perSender; n++ {
				fan.Send(exchange.Message{Value: stamp{p, n}})
				queue.Send(exchange.Message{Value: stamp{p, n}})
			}
		}()
	}
	wg.Wait()
	flush(t, reg)
	// Close waits for every sink goroutine, including those of detached sinks
	// still handing over the message they had taken.
	reg.Close()

	total := senders * perSender
	for name, s := range map[string]*orderSink{"stable": stable, "pattern": pattern} {
		require.NoError(t, s.bad, name)
		assert.Equal(t, total, len(s.got), name)
	}
	for _, s := range churnedFan {
		require.NoError(t, s.bad, "a sink that came and went still sees each sender in order")
	}
	// On the queue, a departing sink's buffered messages go to the others,
	// so order per sink is not kept; exactly-once delivery is.
	seen := map[stamp]int{}
	for _, s := range append(members, churnedQueue...) {
		for _, st := range s.got {
			seen[st]++
		}
	}
	assert.Equal(t, total, len(seen))
	for st, n := range seen {
		require.Equal(t, 1, n, "queue message %v handled %d times", st, n)
	}
	assert.Equal(t, uint64(0), reg.Stats().Dropped)
	assert.Equal(t, uint64(2*total), reg.Stats().Sent)
}
