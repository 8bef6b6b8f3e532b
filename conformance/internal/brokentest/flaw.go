// Package brokentest holds small Herald brokers, built on the reference codec,
// each broken in exactly one deliberate way. The conformance suite's own
// tests run each against the scenarios that must catch its flaw, to prove
// that they do. It is test code: nothing shipped imports it.
//
//	b := brokentest.New(brokentest.QueueToAll)
//	ln, _ := net.Listen("tcp", "127.0.0.1:0")
//	go b.Serve(ln)
//	defer b.Close()
//
// Apart from its flaw, a broker here does what the scenarios it is run
// against need: HELLO and WELCOME, SUB with queue groups and the /queue rule,
// UNSUB with max, PUB, PING and PONG as a barrier, a bounded outbound buffer
// per connection under the drop policy, NOTICEs, and rotation with skip and
// charge. It checks no grammar and announces no optional capability.
package brokentest

// Flaw is the one defect a broker is built with.
type Flaw int

// The flaws of issue 5, (a) to (g).
const (
	// None is a broker without a flaw, for checking the brokers themselves.
	None Flaw = iota
	// BlockingFanout writes each MSG to each subscriber in turn and waits
	// for the write to finish, as the seed's first design did (a).
	BlockingFanout
	// QueueToAll delivers a rotation set's messages to every member (b).
	QueueToAll
	// RotationRestarts offers every message to the first member first,
	// instead of the member at the cursor (c).
	RotationRestarts
	// CursorStuckAfterSkip leaves the cursor where it was when the member at
	// the cursor was skipped (d).
	CursorStuckAfterSkip
	// SilentDrops drops messages on a full buffer without a NOTICE (e).
	SilentDrops
	// SeqStallsOnDrop does not advance seq for dropped messages (f).
	SeqStallsOnDrop
	// PubBeforeHello routes a PUB sent before HELLO (g).
	PubBeforeHello
)

var flawNames = [...]string{
	None: "none", BlockingFanout: "blocking-fanout", QueueToAll: "queue-to-all",
	RotationRestarts: "rotation-restarts", CursorStuckAfterSkip: "cursor-stuck-after-skip",
	SilentDrops: "silent-drops", SeqStallsOnDrop: "seq-stalls-on-drop", PubBeforeHello: "pub-before-hello",
}

// String names the flaw.
func (f Flaw) String() string {
	if int(f) < len(flawNames) {
		return flawNames[f]
	}
	return "flaw?"
}
