package broker

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/heraldmq/herald/broker/internal/outq"
	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// conn is one client connection: a reader goroutine (serve), a writer
// goroutine (writeLoop), and the connection's Outbox state.
type conn struct {
	srv    *Server
	nc     net.Conn
	id     uint64
	remote string
	log    *slog.Logger

	// Set by HELLO in the reader goroutine under mu, before any
	// subscription exists; read-only afterwards.
	name         string
	echo         bool
	headers      bool
	noResponders bool
	ready        bool

	auth      atomic.Pointer[authState]
	permCache permCache       // reader-owned
	classic   bool            // speaks the classic profile (PROTOCOL.md 14); set before serving
	rc        syscall.RawConn // the raw socket for inline writes; nil for TLS

	// Inline writes (inline.go). inline, touched, round and scratchInline
	// are reader-owned; touchBy and touchRound are guarded by mu.
	inline        bool
	touched       []*conn
	round         uint64
	scratchInline inlineScratch
	touchBy       *conn
	touchRound    uint64

	// Reader-owned.
	rd        *wire.Reader
	pub       router.Publisher
	batch     []router.Message
	frameEnds []int  // end offset of each batch message's frame in arena
	arena     []byte // MSG templates of the current batch

	subMu sync.Mutex
	subs  map[uint32]*router.Sub

	// Outbound state, guarded by mu.
	mu           sync.Mutex
	q            outq.Queue
	held         outq.Queue // unsent frames set aside when failing as a slow consumer
	msgQueued    int        // MSG bytes in q
	ctrlQueued   int        // control bytes in q
	msgInflight  int        // MSG bytes being written
	ctrlInflight int        // control bytes being written
	dropped      []*router.Sub
	writing      bool // a writer goroutine runs
	wclosed      bool // wdone is closed
	wexit        bool // the writer must exit once q is empty
	closing      bool // accept no more MSG frames
	failErr      *wire.Error
	slow         bool
	shedHold     bool   // paid for MaxPendingTotal: takes no MSG until it has written everything
	writeSince   int64  // server time the current write began; 0 when none is under way
	slowDrops    uint64 // drops since the connection became slow
	draining     bool
	drainedOnce  bool
	scratch      []byte // for building control frames
	flushes      uint64
	outMsgs      uint64
	outBytes     uint64
	dropCount    uint64

	wdone   chan struct{} // closed once the writer has finished for good
	drained chan struct{}
	ended   chan struct{} // closed once the connection is doomed (fatal ERR or write failure)
	endOnce sync.Once

	inMsgs  atomic.Uint64
	inBytes atomic.Uint64
	lastIn  atomic.Int64 // monotonic nanoseconds of the last frame received
	stopRd  atomic.Bool  // the reader must stop (shutdown or failure)

	timerMu   sync.Mutex
	timer     *time.Timer
	pingBase  int64
	pingCount int
	closeOnce sync.Once
	reason    string
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{
		srv:     s,
		nc:      nc,
		id:      s.nextID.Add(1),
		remote:  nc.RemoteAddr().String(),
		echo:    true,
		headers: true,
		subs:    make(map[uint32]*router.Sub),
		wdone:   make(chan struct{}),
		drained: make(chan struct{}),
		ended:   make(chan struct{}),
	}
	if sc, ok := nc.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			c.rc = rc
		}
	}
	c.q.SetAccount(&s.held)
	c.held.SetAccount(&s.held)
	c.log = s.log.With("cid", c.id, "remote", c.remote)
	c.rd = wire.NewReader(nc, wire.MaxHelloFrame)
	c.lastIn.Store(s.now())
	return c
}

// now returns monotonic nanoseconds since the server started.
func (s *Server) now() int64 { return int64(time.Since(s.start)) }

// serve is the reader goroutine: it reads and handles frames until the
// connection ends, then tears it down.
func (c *conn) serve() {
	c.inline = true // this reader flushes what its batches queue (flushBatch)
	c.armTimer(c.srv.cfg.HelloTimeout)
	defer c.teardown()
	defer c.awaitShutdown()
	for {
		fresh := !c.rd.Buffered()
		body, err := c.rd.Next()
		if err != nil {
			c.flushBatch()
			c.readFailed(err)
			return
		}
		if fresh {
			c.lastIn.Store(c.srv.now())
		}
		if c.stopRd.Load() {
			c.flushBatch()
			return
		}
		c.inBytes.Add(uint64(len(body) + wire.HeaderLen))
		if ferr := c.handle(body); ferr != nil {
			c.flushBatch()
			c.fail(ferr, false)
			return
		}
		if !c.rd.Buffered() {
			c.flushBatch()
		}
	}
}

// awaitShutdown holds a connection whose reader stopped for a graceful
// shutdown until the server ends it, so what is queued keeps being written.
func (c *conn) awaitShutdown() {
	c.mu.Lock()
	draining := c.draining
	c.mu.Unlock()
	if draining {
		<-c.ended
	}
}

func (c *conn) endLocked() { c.endOnce.Do(func() { close(c.ended) }) }

// readFailed decides what a read error means.
func (c *conn) readFailed(err error) {
	var we *wire.Error
	switch {
	case errors.As(err, &we):
		c.fail(we, false)
	case c.stopRd.Load():
		// Woken on purpose: shutdown or a failure elsewhere.
	case errors.Is(err, io.EOF):
		c.setReason("client closed")
	case errors.Is(err, io.ErrUnexpectedEOF):
		c.setReason("client closed mid-frame")
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.setReason("read deadline")
	default:
		c.setReason("read error: " + err.Error())
	}
}

// clientName returns the name the client gave in HELLO.
func (c *conn) clientName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name
}

func (c *conn) setReason(r string) {
	c.mu.Lock()
	if c.reason == "" {
		c.reason = r
	}
	c.mu.Unlock()
}

// wakeReader makes the reader's blocked Read return so it can stop.
func (c *conn) wakeReader() {
	c.stopRd.Store(true)
	c.nc.SetReadDeadline(time.Unix(1, 0))
}

// stopReading is Shutdown's first step: no more frames are read; what is
// queued keeps being written, and drained is closed once the queue is empty.
func (c *conn) stopReading() {
	c.wakeReader()
	c.mu.Lock()
	c.draining = true
	c.checkDrainedLocked()
	c.mu.Unlock()
}

// checkDrainedLocked closes drained once a draining connection has nothing
// left to write, or is ending anyway.
func (c *conn) checkDrainedLocked() {
	if c.shedHold && c.q.Empty() && c.msgInflight == 0 && c.ctrlInflight == 0 {
		c.shedHold = false // it has read everything: it takes messages again
	}
	if c.draining && !c.drainedOnce && (c.wexit || c.q.Empty() && c.msgInflight == 0 && c.ctrlInflight == 0) {
		c.drainedOnce = true
		close(c.drained)
	}
}

// fail ends the connection with a fatal ERR (PROTOCOL.md 10.2). With discard,
// frames not yet being written are set aside first, so the ERR goes out right
// after the frame in progress (8.5). It is safe from any goroutine.
func (c *conn) fail(e *wire.Error, discard bool) {
	c.mu.Lock()
	c.failLocked(e, discard)
	c.mu.Unlock()
}

func (c *conn) failLocked(e *wire.Error, discard bool) {
	defer c.endLocked()
	if c.failErr != nil || c.wexit {
		return
	}
	c.failErr = e
	c.closing = true
	if c.reason == "" {
		c.reason = string(e.Code)
		if e.Message != "" {
			c.reason += ": " + e.Message
		}
	}
	if discard {
		c.held, c.q = c.q, c.held
		c.msgQueued, c.ctrlQueued = 0, 0
	}
	if !c.classic { // the classic profile has no ERR (PROTOCOL.md 14.5)
		c.scratch = e.Append(c.scratch[:0])
		c.appendControlLocked(c.scratch, true)
	}
	c.kickLocked()
	c.wakeReader()
}

// teardown runs once, in the reader goroutine, when the connection ends:
// it removes the subscriptions, offers unwritten queue frames to the other
// members of their rotation sets, lets the writer finish what it owes (bounded
// by WriteGrace), closes the socket and logs why.
func (c *conn) teardown() {
	c.closeOnce.Do(func() {
		c.stopTimer()
		c.removeAllSubs()
		c.mu.Lock()
		graceful := c.failErr != nil
		if !graceful {
			c.q.Discard()
			c.msgQueued, c.ctrlQueued = 0, 0
		}
		c.held.Discard()
		c.closing, c.wexit = true, true
		c.endLocked()
		c.checkDrainedLocked()
		c.kickLocked()
		reason := c.reason
		drops := c.dropCount
		c.mu.Unlock()
		if graceful {
			grace := c.srv.cfg.WriteGrace
			if c.srv.closed.Load() {
				grace = min(grace, shutdownGrace)
			}
			c.nc.SetWriteDeadline(time.Now().Add(grace))
			<-c.wdone
			closeGracefully(c.nc)
		} else {
			c.nc.Close()
			<-c.wdone
		}
		c.rd.Release()
		name := c.clientName()
		if reason == "" {
			reason = "closed"
		}
		c.log.Info("client disconnected", "name", name, "reason", reason, "dropped", drops)
		c.srv.removeConn(c)
	})
}
