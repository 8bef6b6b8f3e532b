package broker

import (
	"syscall"
	"unsafe"

	"github.com/heraldmq/herald/broker/router"
)

// This file writes subscribers' frames from the publisher's reader
// goroutine, right after it routes a batch: one non-blocking writev per
// subscriber it touched. The frames are written while they are still in the
// CPU's cache, and no goroutine hand-off delays them. It never waits: a
// subscriber whose socket is full takes EAGAIN at once, and what is left
// goes to a writer goroutine as before, so no subscriber can slow the
// publisher beyond the cost of one syscall.
//
// It uses syscall and unsafe for the writev (the standard library has no
// non-blocking vectored write on a net.Conn). TLS connections, which have no
// raw socket, always use a writer goroutine.

// inlineScratch is a publishing reader's reusable space for inline writes.
type inlineScratch struct {
	blocks [][]byte
	iov    []syscall.Iovec
}

// scheduleLocked arranges for c's queued frames to be written: by origin's
// reader right after its batch, when origin is a Herald connection's reader
// and c has a raw socket, or else by a writer goroutine.
func (c *conn) scheduleLocked(origin router.Outbox) {
	if o, ok := origin.(*conn); ok && o != c && o.inline && c.rc != nil && !c.writing && !c.wexit {
		if c.touchBy != o || c.touchRound != o.round {
			c.touchBy, c.touchRound = o, o.round
			o.touched = append(o.touched, c)
		}
		return
	}
	c.kickLocked()
}

// flushTouched writes, inline, what the last batch queued for each
// connection it touched. Reader-owned.
func (c *conn) flushTouched() {
	for i, t := range c.touched {
		t.inlineFlush(&c.scratchInline)
		c.touched[i] = nil
	}
	c.touched = c.touched[:0]
	c.round++
}

// inlineFlush tries to write everything queued for c without blocking.
// What the socket does not take stays queued, and a writer goroutine takes
// over, starting with the unwritten end of the block the kernel stopped in.
func (c *conn) inlineFlush(scr *inlineScratch) {
	c.mu.Lock()
	if c.writing || c.wexit || c.q.Empty() {
		c.kickLocked()
		c.mu.Unlock()
		return
	}
	c.noticesLocked(false)
	blocks, taken := c.q.Take(scr.blocks[:0])
	c.toInflightLocked(taken)
	c.writing = true
	c.writeSince = c.srv.now()
	c.flushes++
	c.mu.Unlock()

	n, err := writevNow(c.rc, blocks, &scr.iov)

	c.mu.Lock()
	c.accountWrittenLocked(n)
	if err != nil {
		c.q.Release(blocks)
		c.writeFailedLocked(err)
		c.writing = false
		c.writerDoneLocked()
		c.mu.Unlock()
		c.wakeReader()
		scr.blocks = blocks[:0]
		return
	}
	i, off := 0, n
	for i < len(blocks) && off >= len(blocks[i]) {
		off -= len(blocks[i])
		i++
	}
	c.q.Release(blocks[:i])
	if i == len(blocks) {
		c.writing = false
		c.writeSince = 0
		c.recoveredLocked()
		c.checkDrainedLocked()
		c.kickLocked() // frames another publisher queued meanwhile
		c.mu.Unlock()
		scr.blocks = blocks[:0]
		return
	}
	// The kernel stopped inside blocks[i]: its end is being written; the
	// blocks after it were not touched and go back to the queue.
	block := blocks[i]
	rest := block[off:]
	if untouched := blocks[i+1:]; len(untouched) > 0 {
		back := 0
		for _, b := range untouched {
			back += len(b)
		}
		c.q.PushFront(append([][]byte(nil), untouched...))
		c.toQueuedLocked(back)
	}
	c.recoveredLocked()
	c.mu.Unlock()
	clear(blocks)
	scr.blocks = blocks[:0]
	go c.writeLoopFrom(rest, block)
}

// writevNow writes blocks to the socket with writev until everything is
// written or the socket would block, and returns how many bytes it wrote.
func writevNow(rc syscall.RawConn, blocks [][]byte, scratch *[]syscall.Iovec) (int, error) {
	iov := (*scratch)[:0]
	for _, b := range blocks {
		if len(b) > 0 {
			v := syscall.Iovec{Base: &b[0]}
			v.SetLen(len(b))
			iov = append(iov, v)
		}
	}
	total := 0
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for len(iov) > 0 {
			k := min(len(iov), 1024) // IOV_MAX
			r, _, e := syscall.Syscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(k))
			switch e {
			case 0:
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return true
			default:
				werr = e
				return true
			}
			n := int(r)
			total += n
			for n > 0 {
				if l := int(iov[0].Len); n >= l {
					n -= l
					iov = iov[1:]
				} else {
					iov[0].Base = (*byte)(unsafe.Add(unsafe.Pointer(iov[0].Base), n))
					iov[0].SetLen(l - n)
					n = 0
				}
			}
		}
		return true
	})
	clear(*scratch)
	*scratch = iov[:0]
	if err != nil {
		return total, err
	}
	return total, werr
}
