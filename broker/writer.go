package broker

import "net"

// kickLocked makes sure a writer goroutine runs when there is something to
// do: frames to write, drops to report, or an exit to signal. The writer
// exists only while it has work, so an idle connection costs one goroutine
// (its reader), not two.
func (c *conn) kickLocked() {
	if c.writing || !(!c.q.Empty() || c.wexit || len(c.dropped) > 0) {
		return
	}
	if c.wexit && c.q.Empty() {
		c.writerDoneLocked()
		return
	}
	c.writing = true
	go c.writeLoop()
}

// writerDoneLocked marks the writer finished for good (teardown waits on it).
func (c *conn) writerDoneLocked() {
	if !c.wclosed {
		c.wclosed = true
		close(c.wdone)
	}
}

// writeLoop is the writer goroutine, started by kickLocked. Each round it
// takes everything queued and writes it in chunks of up to writeChunk bytes,
// one writev (net.Buffers) per chunk, returning each chunk's blocks to the
// pool and its bytes to the budget as soon as the kernel has them: counting a
// long write as pending until its very end would make a reader that keeps up
// look full. Pending drops are reported once there is room. It returns when
// the queue is empty. A write that blocks holds up only this connection:
// publishers keep queueing until the budget is spent.
func (c *conn) writeLoop() { c.writeLoopFrom(nil, 0) }

// writeLoopFrom is writeLoop that first finishes blocks an inline write
// left, the first of them from byte skip on.
func (c *conn) writeLoopFrom(blocks [][]byte, skip int) {
	chunk := min(max(c.srv.cfg.MaxPendingBytes/8, 64<<10), 256<<10)
	var iov net.Buffers
	for {
		if len(blocks) > 0 {
			if !c.writeBlocks(blocks, skip, chunk, &iov) {
				return
			}
			blocks, skip = blocks[:0], 0
		}
		c.mu.Lock()
		c.noticesLocked(false)
		if c.q.Empty() {
			c.writing = false
			c.checkDrainedLocked()
			if c.wexit {
				c.writerDoneLocked()
			}
			c.mu.Unlock()
			return
		}
		blocks, _ = c.q.Take(blocks[:0])
		c.msgInflight, c.ctrlInflight = c.msgQueued, c.ctrlQueued
		c.msgQueued, c.ctrlQueued = 0, 0
		c.mu.Unlock()
		if !c.writeBlocks(blocks, 0, chunk, &iov) {
			return
		}
		blocks = blocks[:0]
	}
}

// writeBlocks writes taken blocks (the first from byte skip on) in chunks,
// blocking as long as the peer makes us, releasing blocks and budget as
// each chunk lands. It reports false when the connection failed (the writer
// must stop).
func (c *conn) writeBlocks(blocks [][]byte, skip, chunk int, iov *net.Buffers) bool {
	for i := 0; i < len(blocks); {
		size, j := len(blocks[i])-skip, i+1
		for j < len(blocks) && size+len(blocks[j]) <= chunk {
			size += len(blocks[j])
			j++
		}
		*iov = append((*iov)[:0], blocks[i][skip:])
		*iov = append(*iov, blocks[i+1:j]...)
		skip = 0
		_, err := iov.WriteTo(c.nc)
		c.q.Release(blocks[i:j])
		i = j
		c.mu.Lock()
		c.flushes++
		if err != nil {
			c.q.Release(blocks[i:])
			c.writeFailedLocked(err)
			c.writing = false
			c.writerDoneLocked()
			c.mu.Unlock()
			c.wakeReader()
			return false
		}
		c.accountWrittenLocked(size)
		c.recoveredLocked()
		c.checkDrainedLocked()
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.msgInflight, c.ctrlInflight = 0, 0
	c.checkDrainedLocked()
	c.mu.Unlock()
	return true
}

// writeFailedLocked ends the connection after a failed write: nothing more
// can reach the peer.
func (c *conn) writeFailedLocked(err error) {
	if c.reason == "" {
		c.reason = "write error: " + err.Error()
	}
	c.msgInflight, c.ctrlInflight = 0, 0
	c.closing, c.wexit = true, true
	c.q.Discard()
	c.msgQueued, c.ctrlQueued = 0, 0
	c.checkDrainedLocked()
	c.endLocked()
}
