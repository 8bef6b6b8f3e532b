package outq

import (
	"encoding/binary"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func frame(tag byte, size int) []byte {
	f := make([]byte, 4+size)
	binary.BigEndian.PutUint32(f, uint32(size))
	for i := 4; i < len(f); i++ {
		f[i] = tag
	}
	return f
}

func TestFramesNeverSpanBlocks(t *testing.T) {
	var q Queue
	for i := 0; i < 1000; i++ {
		q.Append(frame(byte(i), 300))
	}
	blocks, n := q.Take(nil)
	assert.Equal(t, 1000*304, n)
	assert.True(t, q.Empty())
	count := 0
	for _, b := range blocks {
		for r := 0; r < len(b); {
			l := int(binary.BigEndian.Uint32(b[r:]))
			require.LessOrEqual(t, r+4+l, len(b), "frame spans a block")
			assert.Equal(t, byte(count), b[r+4])
			count++
			r += 4 + l
		}
	}
	assert.Equal(t, 1000, count)
	q.Release(blocks)
}

func TestLargeFrameGetsItsOwnBlock(t *testing.T) {
	var q Queue
	q.Append(frame(1, 2000))
	q.Append(frame(2, BlockSize+10))
	q.Append(frame(3, 10))
	blocks, n := q.Take(nil)
	require.Len(t, blocks, 3)
	assert.Equal(t, 2004+BlockSize+14+14, n)
	q.Release(blocks)
}

func TestFilterRemovesAndCompacts(t *testing.T) {
	var q Queue
	for i := 0; i < 600; i++ {
		q.Append(frame(byte(i%3), 200))
	}
	var got int
	removed := q.Filter(func(f []byte) bool {
		if f[4] == 1 {
			got++
			return true
		}
		return false
	})
	assert.Equal(t, 200, got)
	assert.Equal(t, 200*204, removed)
	assert.Equal(t, 400*204, q.Len())
	blocks, _ := q.Take(nil)
	var tags []byte
	for _, b := range blocks {
		for r := 0; r < len(b); r += 204 {
			tags = append(tags, b[r+4])
		}
	}
	require.Len(t, tags, 400)
	for i, tag := range tags {
		assert.Equal(t, byte((i%2)*2), tag, "order kept")
	}
	q.Release(blocks)
}

func TestDiscard(t *testing.T) {
	var q Queue
	q.Append(frame(1, 100))
	q.Discard()
	assert.True(t, q.Empty())
	q.Append(frame(2, 100))
	assert.Equal(t, 104, q.Len())
}

func BenchmarkReserve(b *testing.B) {
	var q Queue
	f := frame(1, 160)
	var blocks [][]byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q.Append(f)
		if q.Len() > 1<<20 {
			blocks, _ = q.Take(blocks[:0])
			q.Release(blocks)
		}
	}
}

func TestAccountFollowsBlocks(t *testing.T) {
	var acct atomic.Int64
	var q Queue
	q.SetAccount(&acct)
	q.Append(frame(1, 100))
	assert.Equal(t, int64(SmallBlockSize), acct.Load(), "a small first frame takes a small block")
	q.Append(frame(2, BlockSize+1)) // its own block
	assert.Equal(t, int64(SmallBlockSize+BlockSize+5), acct.Load())
	q.Append(frame(3, 2000)) // the large block is not pooled: a new 64 KiB one
	assert.Equal(t, int64(SmallBlockSize+2*BlockSize+5), acct.Load())
	blocks, _ := q.Take(nil)
	assert.Equal(t, int64(SmallBlockSize+2*BlockSize+5), acct.Load(), "taken blocks are held until released")
	q.Release(blocks)
	assert.Zero(t, acct.Load())
	q.Append(frame(3, 10))
	q.Filter(func([]byte) bool { return true })
	assert.Zero(t, acct.Load(), "emptied blocks are released")
	q.Append(frame(4, 10))
	q.Discard()
	assert.Zero(t, acct.Load())
}

func TestTakeUpToAndPushFront(t *testing.T) {
	var q Queue
	for i := 0; i < 1000; i++ { // 1000 × 304 B: five blocks
		q.Append(frame(byte(i), 300))
	}
	total := q.Len()
	first, n := q.TakeUpTo(nil, 2*BlockSize)
	assert.Len(t, first, 2)
	assert.Equal(t, total-n, q.Len())
	one, m := q.TakeUpTo(nil, 10) // always at least one block
	assert.Len(t, one, 1)
	q.PushFront(one)
	q.PushFront(first)
	assert.Equal(t, total, q.Len())
	assert.Zero(t, m-len(one[0]))
	all, _ := q.Take(nil)
	tag := 0
	for _, b := range all {
		for r := 0; r < len(b); r += 304 {
			require.Equal(t, byte(tag), b[r+4], "order kept")
			tag++
		}
	}
	assert.Equal(t, 1000, tag)
	q.Release(all)
}

func TestSmallFirstBlockGrows(t *testing.T) {
	var q Queue
	assert.Equal(t, SmallBlockSize, q.NewBlockCost(100))
	q.Append(frame(1, 100))
	assert.Zero(t, q.NewBlockCost(100), "room left in the small block")
	for i := 0; i < 100; i++ {
		q.Append(frame(2, 100))
	}
	blocks, _ := q.Take(nil)
	require.Greater(t, len(blocks), 1)
	assert.Equal(t, SmallBlockSize, cap(blocks[0]))
	assert.Equal(t, BlockSize, cap(blocks[1]), "later blocks are full-size")
	q.Release(blocks)
}
