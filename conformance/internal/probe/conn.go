package probe

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// Options configures a Conn.
type Options struct {
	// Timeout bounds every wait and every write (PROTOCOL.md 13.3 gives 5 s,
	// times the runner's --timeout-scale).
	Timeout time.Duration
	// ReadBuffer, when non-zero, shrinks the socket's receive buffer so that
	// a client that stops reading makes the server notice sooner.
	ReadBuffer int
}

// Conn is one raw connection to the server under test. Its methods are safe
// for concurrent use, except that Start, Pause and Resume belong to the
// goroutine that drives the scenario.
type Conn struct {
	Name string
	// Welcome is the WELCOME received by Handshake.
	Welcome wire.Welcome

	nc      net.Conn
	rd      *wire.Reader
	timeout time.Duration

	writeMu sync.Mutex

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced whenever the state below changes
	inbox       []Frame       // MSG, ERR, NOTICE and WELCOME frames not yet taken
	pings       []time.Time   // when each PING from the server arrived
	pingsSent   int
	pongs       int
	arrivals    int   // frames filed so far, PONGs included
	pongAt      []int // arrival number of each PONG
	closed      bool
	readErr     error // why reading ended; io.EOF for an orderly close
	fault       error // the server broke the protocol
	answerPings bool
	onMsg       func(*wire.Msg) bool

	started   bool
	paused    bool
	resume    chan struct{}
	done      chan struct{}
	keepEvery time.Duration // PING period while paused; 0 for none
}

// Dial opens a TCP connection to addr. It sends nothing.
func Dial(addr, name string, o Options) (*Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, o.Timeout)
	if err != nil {
		return nil, fmt.Errorf("%s: connect to %s: %w", name, addr, err)
	}
	c := &Conn{
		Name:        name,
		nc:          nc,
		rd:          wire.NewReader(nc, wire.MaxHelloFrame),
		timeout:     o.Timeout,
		changed:     make(chan struct{}),
		answerPings: true,
		done:        make(chan struct{}),
	}
	if o.ReadBuffer > 0 {
		c.ShrinkReadBuffer(o.ReadBuffer)
	}
	return c, nil
}

// Timeout returns the deadline every wait of this Conn uses.
func (c *Conn) Timeout() time.Duration { return c.timeout }

// Handshake sends HELLO, starts the reader and waits for WELCOME, which it
// stores in c.Welcome. Any other first frame is an error (4.4).
func (c *Conn) Handshake(h wire.Hello) error {
	if err := c.Send(h.Append(nil)); err != nil {
		return err
	}
	c.Start()
	return c.ExpectWelcome()
}

// ExpectWelcome waits for the first frame, which must be WELCOME.
func (c *Conn) ExpectWelcome() error {
	f, err := c.Next("WELCOME", Any)
	if err != nil {
		return err
	}
	if f.Op != wire.OpWelcome {
		return fmt.Errorf("%s: the server answered HELLO with %s instead of WELCOME", c.Name, f)
	}
	c.mu.Lock()
	c.Welcome = f.Welcome
	c.mu.Unlock()
	return nil
}

// ShrinkReadBuffer makes the socket's receive buffer small, so that once the
// client stops reading the server soon finds the connection blocked.
func (c *Conn) ShrinkReadBuffer(n int) {
	if tc, ok := c.nc.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(n)
	}
}

// SetAnswerPings chooses whether the reader answers the server's PINGs
// (default true). A client that does not answer plays a dead peer (9.3).
func (c *Conn) SetAnswerPings(on bool) {
	c.mu.Lock()
	c.answerPings = on
	c.mu.Unlock()
}

// SetOnMsg installs a fast path for MSG frames, called on the reader
// goroutine with a MSG that aliases the read buffer. When it returns true the
// MSG is consumed; otherwise it is filed in the inbox. Set it before Start.
func (c *Conn) SetOnMsg(fn func(*wire.Msg) bool) {
	c.mu.Lock()
	c.onMsg = fn
	c.mu.Unlock()
}

// Send writes b, which holds whole frames, with a write deadline.
func (c *Conn) Send(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.timeout))
	if _, err := c.nc.Write(b); err != nil {
		return fmt.Errorf("%s: write: %w", c.Name, err)
	}
	return nil
}

// Start begins reading frames into the inbox. Calling it twice is a no-op.
func (c *Conn) Start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return
	}
	c.started = true
	go c.readLoop()
}

// SetPauseKeepalive makes a paused Conn send a PING every d, so that a server
// with a short ping interval does not close it as stale while it reads
// nothing (9.3: frames that keep arriving keep a connection alive). Zero, the
// default, sends nothing.
func (c *Conn) SetPauseKeepalive(d time.Duration) {
	c.mu.Lock()
	c.keepEvery = d
	c.mu.Unlock()
}

// Pause stops the reader before its next read (a read already under way
// completes): from then on the server's frames pile up in the kernel and in
// the server's outbound buffer.
func (c *Conn) Pause() {
	c.mu.Lock()
	if !c.paused {
		c.paused = true
		c.resume = make(chan struct{})
		if c.keepEvery > 0 {
			go c.keepalive(c.resume, c.keepEvery)
		}
	}
	c.mu.Unlock()
}

// keepalive sends PINGs until resume is closed; their PONGs are counted like
// any other, so a later Barrier still waits for its own.
func (c *Conn) keepalive(resume chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-resume:
			return
		case <-t.C:
			c.SentPing()
			if c.Send(wire.AppendPing(nil)) != nil {
				return
			}
		}
	}
}

// Resume undoes Pause, or starts a Conn never started.
func (c *Conn) Resume() {
	c.mu.Lock()
	if c.paused {
		c.paused = false
		close(c.resume)
	}
	started := c.started
	c.mu.Unlock()
	if !started {
		c.Start()
	}
}

// Close closes the connection and waits for the reader to stop.
func (c *Conn) Close() {
	_ = c.nc.Close()
	c.mu.Lock()
	started := c.started
	if c.paused {
		c.paused = false
		close(c.resume)
	}
	c.mu.Unlock()
	if started {
		<-c.done
	}
}

// Abort closes the socket at once, as a client that disappears does, without
// waiting for the reader; Close still reaps the reader afterwards.
func (c *Conn) Abort() { _ = c.nc.Close() }

func (c *Conn) readLoop() {
	defer close(c.done)
	for {
		c.mu.Lock()
		paused, resume := c.paused, c.resume
		c.mu.Unlock()
		if paused {
			<-resume
		}
		body, err := c.rd.Next()
		now := time.Now()
		if err != nil {
			c.finish(err)
			return
		}
		if len(body) > 0 && body[0] == 0x97 && len(body) > 1 && body[1] == byte(wire.OpMsg) {
			c.mu.Lock()
			fn := c.onMsg
			c.mu.Unlock()
			if fn != nil {
				if err := checkMsgLayout(body); err != nil {
					c.setFault(err)
					return
				}
				var m wire.Msg
				if err := m.Decode(body); err != nil {
					c.setFault(fmt.Errorf("undecodable MSG: %w", err))
					return
				}
				if fn(&m) {
					continue
				}
			}
		}
		f, err := decode(body, now)
		if err != nil {
			c.setFault(err)
			return
		}
		if f.Op == wire.OpWelcome {
			// From now on the server accepts max_frame; the frames it sends
			// are bounded the same way in practice, and a larger bound
			// costs nothing until a frame needs it.
			c.rd.SetMaxFrame(int(min(f.Welcome.MaxFrame, 1<<31-1)))
		}
		c.file(f)
	}
}

func (c *Conn) file(f Frame) {
	c.mu.Lock()
	answer := false
	c.arrivals++
	f.N = c.arrivals
	switch f.Op {
	case wire.OpPing:
		c.pings = append(c.pings, f.At)
		answer = c.answerPings
	case wire.OpPong:
		c.pongs++
		c.pongAt = append(c.pongAt, f.N)
	default:
		c.inbox = append(c.inbox, f)
	}
	c.notifyLocked()
	c.mu.Unlock()
	if answer {
		_ = c.Send(wire.AppendPong(nil))
	}
}

func (c *Conn) finish(err error) {
	c.mu.Lock()
	c.closed = true
	c.readErr = err
	var we *wire.Error
	if errors.As(err, &we) && c.fault == nil {
		c.fault = fmt.Errorf("the server sent a frame this client may not accept: %w", err)
	}
	c.notifyLocked()
	c.mu.Unlock()
}

func (c *Conn) setFault(err error) {
	c.mu.Lock()
	if c.fault == nil {
		c.fault = err
	}
	c.closed = true
	c.readErr = err
	c.notifyLocked()
	c.mu.Unlock()
	_ = c.nc.Close()
}

func (c *Conn) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Closed reports whether the reader has seen the end of the connection.
func (c *Conn) Closed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// orderly reports whether err is an ordinary end of a TCP stream.
func orderly(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)
}
