package router

// Outbox receives the messages the router routes to a subscription. A
// network connection, a classic-protocol connection and an in-process sink
// each implement it. Every method must return without blocking; an Outbox
// guards the SubState of its subscriptions with its own lock, and must not
// call back into the Router while holding it.
type Outbox interface {
	// Deliver queues msgs for s, advancing s's seq once per message and
	// dropping (and counting) whole messages that do not fit. It reports
	// whether s reached its auto-unsubscribe limit.
	Deliver(s *Sub, msgs []Message) (expired bool)
	// Offer queues m for s only if s is eligible (room for the frame and,
	// with prefetch, credit), and reports whether it did.
	Offer(s *Sub, m *Message) (taken, expired bool)
	// Charge records m as dropped for s (7.7): its seq advances and the loss
	// is reported (NOTICE reason queue_full) or, by policy, s's connection is
	// disconnected.
	Charge(s *Sub, m *Message) (expired bool)
	// Expired tells the Outbox that the router has removed s because it
	// reached its auto-unsubscribe limit. It is called with no lock held.
	Expired(s *Sub)
}

// Sub is one subscription. The caller fills Out, Sid, Pattern, Queue and
// Prefetch before Subscribe and must not change them afterwards.
type Sub struct {
	Out      Outbox
	Sid      uint32
	Pattern  string
	Queue    string // queue group; "" for none (a "/queue" pattern still rotates)
	Prefetch uint32 // 0: no prefetch limit

	// State is owned by Out and guarded by Out's lock.
	State SubState

	node    *node
	set     *rotSet
	idx     int  // index in node.subs for plain subscriptions
	next    *Sub // ring links for rotation members
	prev    *Sub
	removed bool // guarded by the router's lock
}

// SubState is the per-subscription delivery state an Outbox keeps: sequence
// numbers, the pending dropped range, prefetch credit and the auto-unsubscribe
// countdown.
type SubState struct {
	Seq       uint64 // seq of the last message routed to the subscription
	DropFirst uint64 // first seq of the dropped range not yet reported; 0: none
	DropLast  uint64 // last seq of that range
	Credit    uint32 // prefetch credit left
	Remaining uint64 // messages left before auto-unsubscribe; 0: no limit
	Closed    bool   // no further message may be routed to it
	Queued    bool   // on its Outbox's list of subscriptions with drops to report
	Dropped   uint64 // total messages dropped, for statistics
	Delivered uint64 // total messages queued for writing, for statistics
}

// Rotating reports whether s is a member of a rotation set.
func (s *Sub) Rotating() bool { return s.Queue != "" || isQueuePattern(s.Pattern) }

// Group returns the rotation set's group name, "" for a "/queue" set.
func (s *Sub) Group() string { return s.Queue }

func isQueuePattern(p string) bool { return len(p) >= 6 && p[:6] == "/queue" }

// Message is one published message as the router carries it. The byte
// slices belong to the publisher and are valid only during the Publish call:
// an Outbox copies what it keeps.
type Message struct {
	Channel []byte
	ReplyTo []byte // nil when absent
	Headers []byte // encoded headers map; nil when absent
	Payload []byte
	// Frame is an optional prebuilt MSG frame (wire.AppendMsgTemplate) with
	// sid and seq zero, which network outboxes copy and patch.
	Frame []byte
	// Value is an optional Go value for in-process outboxes.
	Value any
	// Origin is the Outbox of the connection that published the message, or
	// nil; NoEcho set means it must not be routed back to Origin (7.9).
	Origin Outbox
	NoEcho bool
}

func (m *Message) excludes(s *Sub) bool { return m.NoEcho && m.Origin == s.Out && s.Out != nil }
