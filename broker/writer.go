package broker

import "net"

// kickLocked wakes the writer if it is waiting for frames.
func (c *conn) kickLocked() {
	if c.waiting && (!c.q.Empty() || c.wexit || len(c.dropped) > 0) {
		c.waiting = false
		c.kick <- struct{}{}
	}
}

// writeLoop is the writer goroutine. Each round it takes everything queued
// and writes it in chunks of up to writeChunk bytes, one writev
// (net.Buffers) per chunk, returning each chunk's blocks to the pool and its
// bytes to the budget as soon as the kernel has them: counting a long write
// as pending until its very end would make a reader that keeps up look
// full. Pending drops are reported once there is room. A write that blocks
// holds up only this connection: publishers keep queueing until the budget
// is spent.
func (c *conn) writeLoop() {
	defer close(c.wdone)
	chunk := min(max(c.srv.cfg.MaxPendingBytes/8, 64<<10), 256<<10)
	var blocks [][]byte
	var iov net.Buffers
	for {
		c.mu.Lock()
		c.noticesLocked(false)
		for c.q.Empty() {
			if c.wexit {
				c.mu.Unlock()
				return
			}
			c.checkDrainedLocked()
			c.waiting = true
			c.mu.Unlock()
			<-c.kick
			c.mu.Lock()
			c.noticesLocked(false)
		}
		blocks, _ = c.q.Take(blocks[:0])
		c.msgInflight, c.ctrlInflight = c.msgQueued, c.ctrlQueued
		c.msgQueued, c.ctrlQueued = 0, 0
		c.mu.Unlock()

		for i := 0; i < len(blocks); {
			size, j := len(blocks[i]), i+1
			for j < len(blocks) && size+len(blocks[j]) <= chunk {
				size += len(blocks[j])
				j++
			}
			iov = append(iov[:0], blocks[i:j]...)
			_, err := iov.WriteTo(c.nc)
			c.q.Release(blocks[i:j])
			i = j
			c.mu.Lock()
			c.flushes++
			if err != nil {
				c.q.Release(blocks[i:])
				c.writeFailedLocked(err)
				c.mu.Unlock()
				c.wakeReader()
				return
			}
			// Control bytes count as written first: the split only matters
			// for the budget, and both kinds are bounded.
			ctrl := min(size, c.ctrlInflight)
			c.ctrlInflight -= ctrl
			c.msgInflight = max(c.msgInflight-(size-ctrl), 0)
			c.recoveredLocked()
			c.checkDrainedLocked()
			c.mu.Unlock()
		}
		c.mu.Lock()
		c.msgInflight, c.ctrlInflight = 0, 0
		c.checkDrainedLocked()
		c.mu.Unlock()
	}
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
