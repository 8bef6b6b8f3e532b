// Package outq is the byte queue behind every connection's outbound buffer:
// frames appended into pooled 64 KiB blocks, taken by the writer all at once
// for a single writev (net.Buffers), and returned to the pool once written.
//
// A Queue is not safe for concurrent use; its owner guards it. Frames never
// span blocks, so a queued frame can be found, filtered out or discarded
// whole.
package outq

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
)

// BlockSize is the size of a pooled block. A frame larger than a block gets a
// block of its own, which is not pooled.
const BlockSize = 64 << 10

// SmallBlockSize is the size of the first block of an empty queue when the
// frame is small: a connection that receives a message now and then, or a
// lone NOTICE for a stalled subscriber, holds 4 KiB rather than 64.
const SmallBlockSize = 4 << 10

var (
	pool      = sync.Pool{New: func() any { b := make([]byte, 0, BlockSize); return &b }}
	smallPool = sync.Pool{New: func() any { b := make([]byte, 0, SmallBlockSize); return &b }}
)

func getBlock() []byte      { return (*pool.Get().(*[]byte))[:0] }
func getSmallBlock() []byte { return (*smallPool.Get().(*[]byte))[:0] }

// pooled reports whether a block came from one of the pools.
func pooled(b []byte) bool { return cap(b) == BlockSize || cap(b) == SmallBlockSize }

// Queue is an ordered sequence of frames in blocks. When given an account
// (SetAccount), it adds the capacity of every block it allocates to it and
// subtracts it when the block is released, so that the memory held by many
// queues can be bounded together.
type Queue struct {
	blocks [][]byte
	bytes  int
	acct   *atomic.Int64
}

// SetAccount makes the queue count its blocks' memory in a. Call it before
// the first Reserve.
func (q *Queue) SetAccount(a *atomic.Int64) { q.acct = a }

func (q *Queue) charge(n int) {
	if q.acct != nil {
		q.acct.Add(int64(n))
	}
}

// Release returns blocks taken from this queue (by Take) to the pool, takes
// their memory off the account, and clears the slice's references. It does
// not touch the queue's contents, so it needs no lock shared with them.
func (q *Queue) Release(blocks [][]byte) {
	held := 0
	for i, b := range blocks {
		held += cap(b)
		switch cap(b) {
		case BlockSize:
			b = b[:0]
			pool.Put(&b)
		case SmallBlockSize:
			b = b[:0]
			smallPool.Put(&b)
		}
		blocks[i] = nil
	}
	q.charge(-held)
}

// Len returns the number of queued bytes.
func (q *Queue) Len() int { return q.bytes }

// Empty reports whether nothing is queued.
func (q *Queue) Empty() bool { return q.bytes == 0 }

// Reserve appends n bytes to the queue and returns them for the caller to
// fill. The slice is valid until the next Take, Filter or Discard.
func (q *Queue) Reserve(n int) []byte {
	q.bytes += n
	if k := len(q.blocks); k > 0 {
		t := q.blocks[k-1]
		if l := len(t); cap(t)-l >= n && pooled(t) {
			t = t[:l+n]
			q.blocks[k-1] = t
			return t[l:]
		}
	}
	var b []byte
	switch {
	case n > BlockSize:
		b = make([]byte, n)
	case len(q.blocks) == 0 && n <= SmallBlockSize/4:
		b = getSmallBlock()[:n]
	default:
		b = getBlock()[:n]
	}
	q.charge(cap(b))
	q.blocks = append(q.blocks, b)
	return b
}

// TailFree returns how many bytes the last block can still take without a
// new block (0 when there is none).
func (q *Queue) TailFree() int {
	if k := len(q.blocks); k > 0 {
		if t := q.blocks[k-1]; pooled(t) {
			return cap(t) - len(t)
		}
	}
	return 0
}

// NewBlockCost returns the memory a Reserve of n bytes would allocate: 0
// when the last block has room.
func (q *Queue) NewBlockCost(n int) int {
	if q.TailFree() >= n {
		return 0
	}
	switch {
	case n > BlockSize:
		return n
	case len(q.blocks) == 0 && n <= SmallBlockSize/4:
		return SmallBlockSize
	}
	return BlockSize
}

// Fresh starts a new, empty pooled block, so that the next Reserve of up to
// BlockSize bytes is contiguous.
func (q *Queue) Fresh() {
	q.charge(BlockSize)
	q.blocks = append(q.blocks, getBlock())
}

// Append copies frame to the end of the queue.
func (q *Queue) Append(frame []byte) { copy(q.Reserve(len(frame)), frame) }

// Take moves every queued block to the end of dst, empties the queue, and
// returns dst and the number of bytes taken. The caller writes the blocks
// and then Releases them.
func (q *Queue) Take(dst [][]byte) ([][]byte, int) {
	dst = append(dst, q.blocks...)
	n := q.bytes
	clear(q.blocks)
	q.blocks, q.bytes = q.blocks[:0], 0
	return dst, n
}

// TakeUpTo is Take for the first whole blocks holding at most max bytes (at
// least one block), so that what is not yet being written stays queued.
func (q *Queue) TakeUpTo(dst [][]byte, max int) ([][]byte, int) {
	n, k := 0, 0
	for k < len(q.blocks) && (k == 0 || n+len(q.blocks[k]) <= max) {
		n += len(q.blocks[k])
		k++
	}
	dst = append(dst, q.blocks[:k]...)
	rest := copy(q.blocks, q.blocks[k:])
	clear(q.blocks[rest:])
	q.blocks = q.blocks[:rest]
	q.bytes -= n
	return dst, n
}

// PushFront puts blocks taken from this queue (whole frames, not yet
// written) back at its front, in order.
func (q *Queue) PushFront(blocks [][]byte) {
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	q.blocks = append(append(make([][]byte, 0, len(blocks)+len(q.blocks)), blocks...), q.blocks...)
	q.bytes += n
}

// Discard drops everything queued and returns the blocks to the pool.
func (q *Queue) Discard() {
	q.Release(q.blocks)
	q.blocks, q.bytes = q.blocks[:0], 0
}

// Filter calls remove for every queued frame (4-byte length prefix included)
// and deletes the frames for which it returns true, keeping the others in
// order. It returns the number of bytes removed. remove must copy what it
// keeps: the frame's bytes are overwritten afterwards.
func (q *Queue) Filter(remove func(frame []byte) bool) int {
	removed := 0
	keep := q.blocks[:0]
	for _, b := range q.blocks {
		w := 0
		for r := 0; r+4 <= len(b); {
			n := 4 + int(binary.BigEndian.Uint32(b[r:]))
			frame := b[r : r+n]
			if remove(frame) {
				removed += n
			} else {
				if w != r {
					copy(b[w:], frame)
				}
				w += n
			}
			r += n
		}
		b = b[:w]
		if w == 0 {
			q.Release([][]byte{b})
			continue
		}
		keep = append(keep, b)
	}
	clear(q.blocks[len(keep):])
	q.blocks = keep
	q.bytes -= removed
	return removed
}
