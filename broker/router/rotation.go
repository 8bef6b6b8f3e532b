package router

import (
	"sync"
	"sync/atomic"
)

// rotSet is a rotation set (PROTOCOL.md 7.4): members in a ring in join
// order, and a cursor naming whose turn it is.
type rotSet struct {
	mu     sync.Mutex
	stats  *QueueStats
	group  string
	node   *node
	head   *Sub // earliest-joined member; head.prev is the last joined
	cursor *Sub
	n      int
}

// join appends s as the last member (7.5).
func (r *rotSet) join(s *Sub) {
	r.mu.Lock()
	if r.head == nil {
		s.next, s.prev = s, s
		r.head, r.cursor = s, s
	} else {
		last := r.head.prev
		s.prev, s.next = last, r.head
		last.next = s
		r.head.prev = s
	}
	r.n++
	r.mu.Unlock()
}

// leave removes s; the cursor moves on if it named s.
func (r *rotSet) leave(s *Sub) {
	r.mu.Lock()
	if r.n == 1 {
		r.head, r.cursor = nil, nil
	} else {
		if r.cursor == s {
			r.cursor = s.next
		}
		if r.head == s {
			r.head = s.next
		}
		s.prev.next = s.next
		s.next.prev = s.prev
	}
	s.next, s.prev = nil, nil
	r.n--
	r.mu.Unlock()
}

// deliver routes one message to the set (7.5-7.7) and reports whether any
// member was assigned it, and which member expired as a result (nil if none).
// When charge is false, a message no member can take is dropped rather than
// charged (7.8 under the disconnect policy); it then reports false.
func (r *rotSet) deliver(m *Message, charge bool) (assigned bool, expired *Sub) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 {
		return false, nil
	}
	s := r.cursor
	var first *Sub // first member not excluded by echo, to charge
	for k := 0; k < r.n; k, s = k+1, s.next {
		if m.excludes(s) {
			continue
		}
		if first == nil {
			first = s
		}
		taken, exp := s.Out.Offer(s, m)
		if taken {
			r.stats.Delivered.Add(1)
			r.cursor = s.next
			if exp {
				expired = s
			}
			return true, expired
		}
		r.stats.Skipped.Add(1)
	}
	if first == nil || !charge {
		return false, nil
	}
	r.stats.Charged.Add(1)
	if first.Out.Charge(first, m) {
		expired = first
	}
	r.cursor = first.next
	return true, expired
}

// QueueStats counts rotation-set deliveries since the Router was made.
type QueueStats struct {
	Delivered atomic.Uint64 // messages a member took
	Skipped   atomic.Uint64 // times a member was passed over (full or without credit)
	Charged   atomic.Uint64 // messages charged to a member because none could take them (7.7)
}
