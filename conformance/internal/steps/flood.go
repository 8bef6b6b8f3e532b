package steps

import (
	"encoding/binary"
	"fmt"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec/wire"
)

// kernelAllowance is what the suite assumes the kernel can hold for one
// stalled loopback connection (the server's send buffer plus the client's
// small receive buffer), with room to spare. PROTOCOL.md 13.1 speaks of about
// 4 MiB.
const kernelAllowance = 8 << 20

// floodVolume is how much a publisher sends to be sure a subscriber that does
// not read overflows: the kernel's share plus twice max_pending_bytes.
func (w *world) floodVolume() int64 {
	return kernelAllowance + 2*int64(w.welcome.MaxPendingBytes)
}

// bigPayload is the payload size of flood messages: large, to keep the
// number of frames low, within max_payload.
func (w *world) bigPayload(want int) int {
	return int(min(uint64(want), w.welcome.MaxPayload))
}

// indexed returns a payload of n bytes (at least 8) that starts with i.
func indexed(i uint64, n int) []byte {
	p := pattern(max(n, 8))
	binary.BigEndian.PutUint64(p, i)
	return p
}

// indexOf reads the index indexed wrote, or reports a payload too short.
func indexOf(p []byte) (uint64, bool) {
	if len(p) < 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(p), true
}

// flood publishes count messages of size bytes, numbered first..first+count-1,
// to the wire channel ch, in writes of about 1 MiB, then syncs.
func (w *world) flood(pubName, ch string, first uint64, count, size int) error {
	c, err := w.conn(pubName)
	if err != nil {
		return err
	}
	var b []byte
	for i := 0; i < count; i++ {
		b = (&wire.Pub{Channel: []byte(ch), Payload: indexed(first+uint64(i), size)}).Append(b)
		if len(b) >= 1<<20 || i == count-1 {
			if err := c.Send(b); err != nil {
				return fmt.Errorf("%s could not publish message %d of %d: %w (a server must never slow a publisher, 8.1)", pubName, i+1, count, err)
			}
			b = b[:0]
		}
	}
	w.published[ch] += count
	return w.sendAndSync(c, nil, true)
}

// accounting is what account saw.
type accounting struct {
	delivered, dropped, notices int
	lastNotice                  int // arrival number of the last NOTICE
}

// catchUp reads a subscription until every message published to what it
// matches is accounted for (see account).
func (w *world) catchUp(name string, sid uint32) error {
	_, err := w.account(name, sid, false)
	return err
}

// account reads a subscription until every message published to what it
// matches is accounted for, as a MSG or inside a NOTICE, checking that the
// two together number the messages 1, 2, 3, ... with no hole or overlap
// (7.3, 8.3, 8.4). With whole, each MSG must also carry the index its seq
// says, written by flood (8.2: never part of a frame).
func (w *world) account(name string, sid uint32, whole bool) (accounting, error) {
	var st accounting
	c, err := w.conn(name)
	if err != nil {
		return st, err
	}
	total, err := w.expectMatching(name, sid)
	if err != nil {
		return st, err
	}
	next := w.lastSeq[name][sid] + 1
	for next <= uint64(total) {
		f, err := c.Next(fmt.Sprintf("seq %d of %d on sid %d", next, total, sid), probe.MsgOrNoticeOn(sid))
		if err != nil {
			return st, err
		}
		switch f.Op {
		case wire.OpMsg:
			if f.Msg.Seq != next {
				return st, fmt.Errorf("%s expected seq %d on sid %d and got %s: a hole or a repeat without a NOTICE (7.3, 8.4)", name, next, sid, f)
			}
			if idx, ok := indexOf(f.Msg.Payload); whole && (!ok || idx != next) {
				return st, fmt.Errorf("%s expected message %d, whole, with seq %d and got %s (8.2)", name, next, next, f)
			}
			st.delivered++
			next++
		case wire.OpNotice:
			n := f.Notice
			if n.First != next || n.Last < n.First || n.Count != n.Last-n.First+1 || n.Reason != wire.ReasonSlowConsumer {
				return st, fmt.Errorf("%s expected a NOTICE slow_consumer starting at seq %d with a count that matches its range, and got %s (8.4)", name, next, f)
			}
			st.notices++
			st.dropped += int(n.Count)
			st.lastNotice = f.N
			next = n.Last + 1
		}
		w.setSeq(name, sid, next-1)
	}
	if next-1 > uint64(total) {
		return st, fmt.Errorf("%s accounted for %d messages on sid %d but only %d were published (7.3)", name, next-1, sid, total)
	}
	return st, nil
}
