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
// takes one chunk (whole blocks, up to writeChunk bytes) and writes it with
// one writev (net.Buffers), blocking as long as the peer makes it; the blocks
// go back to the pool and their bytes leave the budget as soon as the kernel
// has them. Taking one chunk at a time keeps everything else queued: the
// budget then counts only what is really pending, and a departing rotation
// member's frames that no write has begun can still go to the others (7.8).
// Pending drops are reported once there is room. It returns when the queue
// is empty. A write that blocks holds up only this connection: publishers
// keep queueing until the budget is spent.
func (c *conn) writeLoop() { c.writeLoopFrom(nil, nil) }

// writeLoopFrom is writeLoop that first finishes rest, the unwritten end of
// block, which an inline write began.
func (c *conn) writeLoopFrom(rest, block []byte) {
	chunk := min(max(c.srv.cfg.MaxPendingBytes/8, 64<<10), 256<<10)
	var blocks [][]byte
	var iov net.Buffers
	if rest != nil {
		iov = append(iov[:0], rest)
		if !c.writeChunk(iov, [][]byte{block}, len(rest)) {
			return
		}
	}
	for {
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
		var n int
		blocks, n = c.q.TakeUpTo(blocks[:0], chunk)
		c.toInflightLocked(n)
		c.writeSince = c.srv.now()
		c.mu.Unlock()
		iov = append(iov[:0], blocks...)
		if !c.writeChunk(iov, blocks, n) {
			return
		}
		clear(blocks)
	}
}

// writeChunk writes iov (n bytes, from the given blocks), then releases the
// blocks and accounts the bytes. It reports false when the connection failed
// and the writer must stop.
func (c *conn) writeChunk(iov net.Buffers, blocks [][]byte, n int) bool {
	_, err := iov.WriteTo(c.nc)
	c.q.Release(blocks)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushes++
	if err != nil {
		c.writeFailedLocked(err)
		c.writing = false
		c.writerDoneLocked()
		c.wakeReader()
		return false
	}
	c.accountWrittenLocked(n)
	c.writeSince = 0
	c.recoveredLocked()
	c.checkDrainedLocked()
	return true
}

// toInflightLocked moves n bytes just taken from the queue to the in-flight
// counters. Which bytes are control frames is not tracked per block; they
// are counted as taken, and written, first. The split only matters for the
// two budgets, and both kinds are bounded.
func (c *conn) toInflightLocked(n int) {
	ctrl := min(n, c.ctrlQueued)
	c.ctrlQueued -= ctrl
	c.ctrlInflight += ctrl
	c.msgQueued -= n - ctrl
	c.msgInflight += n - ctrl
}

// toQueuedLocked moves n bytes put back into the queue from the in-flight
// counters (the reverse of toInflightLocked: MSG bytes first).
func (c *conn) toQueuedLocked(n int) {
	msg := min(n, c.msgInflight)
	c.msgInflight -= msg
	c.msgQueued += msg
	c.ctrlInflight -= n - msg
	c.ctrlQueued += n - msg
}

// accountWrittenLocked takes n written bytes off the in-flight counters,
// control bytes first.
func (c *conn) accountWrittenLocked(n int) {
	ctrl := min(n, c.ctrlInflight)
	c.ctrlInflight -= ctrl
	c.msgInflight = max(c.msgInflight-(n-ctrl), 0)
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
