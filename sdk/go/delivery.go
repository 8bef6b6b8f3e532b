package herald

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/heraldmq/herald/spec/wire"
)

// This file holds a subscription's side of delivery: sequence accounting
// and loss reports as frames arrive (on the reader goroutine), the pending
// queue, and the consumers that empty it.

// receive accounts for and queues one MSG of this subscription.
func (s *Subscription) receive(wm *wire.Msg, gen uint64) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	gap := s.advance(wm.Seq, wm.Seq)
	var drop *LossError
	var dropped *Msg
	var bad error
	if s.endSeq == 0 || wm.Seq <= s.endSeq {
		m, err := newMsg(s, wm, gen)
		switch {
		case err != nil:
			bad = fmt.Errorf("herald: %s: undecodable headers in message seq %d: %w", s.pattern, wm.Seq, err)
		case s.full(m.size):
			s.dropped.Add(1)
			drop = &LossError{Sub: s, Source: LossClient, Count: 1, First: wm.Seq, Last: wm.Seq, Reports: 1}
			dropped = m
		default:
			s.q = append(s.q, m)
			s.bytes += m.size
		}
	}
	ending := s.reachedEnd()
	s.mu.Unlock()
	s.signal()
	if dropped != nil {
		dropped.Ack() // the credit it took must come back
	}
	s.afterArrival(ending, gap, drop, bad)
}

// notice accounts for a NOTICE of this subscription.
func (s *Subscription) notice(n *wire.Notice) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	gap := s.advance(n.First, n.Last)
	s.notified.Add(n.Count)
	ending := s.reachedEnd()
	s.mu.Unlock()
	loss := &LossError{Sub: s, Source: LossNotice, Count: n.Count, First: n.First, Last: n.Last, Reason: n.Reason, Reports: 1}
	s.afterArrival(ending, gap, loss, nil)
}

// advance moves lastSeq past first..last and returns the gap before first,
// if any. s.mu is held.
func (s *Subscription) advance(first, last uint64) *LossError {
	var gap *LossError
	if exp := s.lastSeq + 1; first > exp {
		n := first - exp
		s.gaps.Add(n)
		gap = &LossError{Sub: s, Source: LossGap, Count: n, First: exp, Last: first - 1, Reports: 1}
	}
	if last > s.lastSeq {
		s.lastSeq = last
	}
	return gap
}

// reachedEnd ends the subscription's input once its auto-unsubscribe count
// is reached. s.mu is held.
func (s *Subscription) reachedEnd() bool {
	if s.endSeq == 0 || s.lastSeq < s.endSeq {
		return false
	}
	s.endLocked(nil)
	return true
}

// afterArrival reports what receive or notice found, outside s.mu.
func (s *Subscription) afterArrival(ending bool, losses ...any) {
	if ending {
		s.c.removeSub(s, false)
		s.stopContext()
	}
	for _, l := range losses {
		switch l := l.(type) {
		case *LossError:
			if l != nil {
				s.c.events.errorf(s, l)
			}
		case error:
			if l != nil {
				s.c.events.errorf(s, l)
			}
		}
	}
}

// full reports whether a message of size bytes is over the pending limits.
// s.mu is held.
func (s *Subscription) full(size int) bool {
	n := len(s.q) - s.head
	return (s.maxMsgs > 0 && n >= s.maxMsgs) || (s.maxBytes > 0 && s.bytes+size > s.maxBytes)
}

func (s *Subscription) signal() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// end ends the subscription's input with err (nil for a normal end), and
// discards what is pending when asked. It reports whether it was live.
func (s *Subscription) end(err error, discard bool) bool {
	s.mu.Lock()
	was := !s.ended
	if was {
		s.endLocked(err)
	}
	if discard {
		clear(s.q)
		s.q, s.head, s.bytes = s.q[:0], 0, 0
		s.checkFinished()
	}
	s.mu.Unlock()
	s.stopContext()
	return was
}

// endLocked marks the end of input. s.mu is held.
func (s *Subscription) endLocked(err error) {
	s.ended = true
	s.err = err
	close(s.endCh)
	s.checkFinished()
}

func (s *Subscription) stopContext() {
	s.mu.Lock()
	stop := s.stopCtx
	s.stopCtx = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// checkFinished closes finCh once nothing is left to do. s.mu is held.
func (s *Subscription) checkFinished() {
	if s.ended && !s.finished && s.head == len(s.q) && s.inFlight == 0 {
		s.finished = true
		close(s.finCh)
	}
}

// next takes the next pending message, waiting up to ctx. With track, the
// message counts as in flight until done is called.
func (s *Subscription) next(ctx context.Context, track bool) (*Msg, error) {
	for {
		s.mu.Lock()
		if s.head < len(s.q) {
			m := s.q[s.head]
			s.q[s.head] = nil
			s.head++
			if s.head == len(s.q) {
				s.q, s.head = s.q[:0], 0
			} else if s.head >= 1024 && s.head*2 >= len(s.q) {
				n := copy(s.q, s.q[s.head:])
				clear(s.q[n:])
				s.q, s.head = s.q[:n], 0
			}
			s.bytes -= m.size
			if track {
				s.inFlight++
			}
			more := s.head < len(s.q)
			s.checkFinished()
			s.mu.Unlock()
			if more {
				s.signal()
			}
			return m, nil
		}
		if s.ended {
			err := s.errLocked()
			s.mu.Unlock()
			return nil, err
		}
		s.mu.Unlock()
		select {
		case <-s.notify:
		case <-s.endCh:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// done ends the processing of a message taken with next(ctx, true).
func (s *Subscription) done() {
	s.mu.Lock()
	s.inFlight--
	s.checkFinished()
	s.mu.Unlock()
}

// deliverLoop hands messages to h until the subscription ends.
func (s *Subscription) deliverLoop(h MsgHandler) {
	for {
		m, err := s.next(context.Background(), true)
		if err != nil {
			return
		}
		s.c.callHandler(s, h, m)
		m.Ack()
		s.done()
	}
}

// callHandler runs h, reporting a panic instead of dying of it.
func (c *Conn) callHandler(s *Subscription, h MsgHandler, m *Msg) {
	defer func() {
		if r := recover(); r != nil {
			c.opts.logger.Debug("herald: handler panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.events.errorf(s, fmt.Errorf("%w on %s seq %d: %v", ErrHandlerPanic, m.Channel, m.Seq, r))
		}
	}()
	h(m)
}

// restore prepares the subscription for a new session and reports whether it
// is to be subscribed again, and with what auto-unsubscribe count. Conn.mu
// is held.
func (s *Subscription) restore(gen uint64) (remaining uint64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended || s.draining {
		return 0, false
	}
	if s.endSeq > 0 {
		remaining = s.endSeq - s.lastSeq
		s.endSeq = remaining
	}
	s.lastSeq = 0
	return remaining, true
}

// connectionLost notes that the session this subscription lived in is gone.
func (s *Subscription) connectionLost() {
	s.mu.Lock()
	if !s.ended {
		s.wasLive = true
	}
	s.mu.Unlock()
}

// reportReconnectGap reports, after a reconnect, that whatever was published
// meanwhile is lost, in a number nobody knows.
func (s *Subscription) reportReconnectGap() {
	s.mu.Lock()
	report := s.wasLive && !s.ended && !s.internal
	s.wasLive = false
	s.mu.Unlock()
	if report {
		s.reconnects.Add(1)
		s.c.events.errorf(s, &LossError{Sub: s, Source: LossReconnect, Reports: 1})
	}
}
