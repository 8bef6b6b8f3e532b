package router

import "sync"

// Router is the subscription index. It is safe for concurrent use.
type Router struct {
	mu    sync.RWMutex
	root  node
	count int
	queue QueueStats
}

// Queue returns the rotation-set counters.
func (r *Router) Queue() *QueueStats { return &r.queue }

// New returns an empty Router.
func New() *Router { return &Router{} }

// Subscribe adds s. Its Pattern must be a valid pattern (wire.ValidPattern)
// and its Queue empty or a valid group name; the caller checks both. Cost:
// O(segments).
func (r *Router) Subscribe(s *Sub) {
	r.mu.Lock()
	n := r.root.insert(s.Pattern)
	s.node = n
	s.removed = false
	if s.Rotating() {
		set := n.sets[s.Queue]
		if set == nil {
			if n.sets == nil {
				n.sets = make(map[string]*rotSet)
			}
			set = &rotSet{group: s.Queue, node: n, stats: &r.queue}
			n.sets[s.Queue] = set
		}
		s.set = set
		set.join(s)
	} else {
		s.idx = len(n.subs)
		n.subs = append(n.subs, s)
	}
	r.count++
	r.mu.Unlock()
}

// Unsubscribe removes s and reports whether it was present (removal is
// idempotent). Cost: O(segments). Messages already handed to s's Outbox stay
// there; a rotation member's unwritten frames can be offered again with
// Reoffer.
func (r *Router) Unsubscribe(s *Sub) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.removed || s.node == nil {
		return false
	}
	s.removed = true
	n := s.node
	if s.set != nil {
		set := s.set
		set.leave(s)
		if set.n == 0 && n.sets[set.group] == set {
			delete(n.sets, set.group)
		}
	} else {
		last := len(n.subs) - 1
		moved := n.subs[last]
		n.subs[s.idx] = moved
		moved.idx = s.idx
		n.subs[last] = nil
		n.subs = n.subs[:last]
	}
	n.prune()
	r.count--
	return true
}

// Count returns the number of live subscriptions.
func (r *Router) Count() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.count
}

// Publisher holds one publishing goroutine's scratch space, so that Publish
// allocates nothing in steady state. The zero value is ready to use; a
// Publisher must not be used by two goroutines at once.
type Publisher struct {
	subs    []*Sub
	sets    []*rotSet
	expired []*Sub
}

func (p *Publisher) take(n *node) {
	p.subs = append(p.subs, n.subs...)
	for _, set := range n.sets {
		p.sets = append(p.sets, set)
	}
}

// Publish routes a batch of messages, all published to channel ch by one
// publisher in this order, and returns how many subscriptions and rotation
// sets received (or were charged) the batch's last message: 0 means no
// subscriber at all (7.10).
func (r *Router) Publish(p *Publisher, ch []byte, msgs []Message) int {
	if len(msgs) == 0 {
		return 0
	}
	r.mu.RLock()
	r.root.collect(ch, 1, p)
	r.mu.RUnlock()

	matched := 0
	last := &msgs[len(msgs)-1]
	for _, s := range p.subs {
		batch := msgs
		if last.NoEcho && last.Origin == s.Out {
			continue // a batch shares its origin and echo setting
		}
		if s.Out.Deliver(s, batch) {
			p.expired = append(p.expired, s)
		}
		matched++
	}
	for _, set := range p.sets {
		any := false
		for i := range msgs {
			ok, exp := set.deliver(&msgs[i], true)
			any = any || ok
			if exp != nil {
				p.expired = append(p.expired, exp)
			}
		}
		if any {
			matched++
		}
	}
	clear(p.subs)
	clear(p.sets)
	p.subs, p.sets = p.subs[:0], p.sets[:0]
	r.expire(p)
	return matched
}

// Reoffer routes again, to s's rotation set, messages that were queued for s
// but never written (7.8), after s has left. With charge false, a message no
// member can take is dropped (and the count of those is returned) instead of
// being charged to a member.
func (r *Router) Reoffer(p *Publisher, s *Sub, msgs []Message, charge bool) (dropped int) {
	if s.set == nil {
		return len(msgs)
	}
	for i := range msgs {
		ok, exp := s.set.deliver(&msgs[i], charge)
		if !ok {
			dropped++
		}
		if exp != nil {
			p.expired = append(p.expired, exp)
		}
	}
	r.expire(p)
	return dropped
}

// expire removes subscriptions that reached their auto-unsubscribe limit
// and tells their Outboxes.
func (r *Router) expire(p *Publisher) {
	for i, s := range p.expired {
		if r.Unsubscribe(s) {
			s.Out.Expired(s)
		}
		p.expired[i] = nil
	}
	p.expired = p.expired[:0]
}
