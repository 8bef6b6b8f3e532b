package broker

import (
	"net"

	"github.com/heraldmq/herald/broker/internal/outq"
)

// kickLocked wakes the writer if it is waiting for frames.
func (c *conn) kickLocked() {
	if c.waiting && (!c.q.Empty() || c.wexit || len(c.dropped) > 0) {
		c.waiting = false
		c.kick <- struct{}{}
	}
}

// writeLoop is the writer goroutine. Each round it takes everything queued,
// writes it with one writev (net.Buffers), returns the blocks to the pool,
// and reports pending drops once there is room. A write that blocks holds up
// only this connection: publishers keep queueing until the budget is spent.
func (c *conn) writeLoop() {
	defer close(c.wdone)
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
		c.flushes++
		c.mu.Unlock()

		iov = append(iov[:0], blocks...)
		_, err := iov.WriteTo(c.nc)
		outq.Release(blocks)

		c.mu.Lock()
		c.msgInflight, c.ctrlInflight = 0, 0
		if err != nil {
			if c.reason == "" {
				c.reason = "write error: " + err.Error()
			}
			c.closing, c.wexit = true, true
			c.q.Discard()
			c.msgQueued, c.ctrlQueued = 0, 0
			c.checkDrainedLocked()
			c.endLocked()
			c.mu.Unlock()
			c.wakeReader()
			// Drain kicks until teardown, which waits on wdone.
			return
		}
		c.recoveredLocked()
		c.checkDrainedLocked()
		c.mu.Unlock()
	}
}
