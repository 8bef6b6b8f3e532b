package steps

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// This file is the suite's client of the classic profile (PROTOCOL.md 14):
// raw frames, a 4-byte length plus bytes, with no codec beyond that.

// probeData starts every probe the suite sends to learn that a classic
// subscription is in effect; classic listeners drop such frames on arrival.
// Scenario data never starts with a 0x00 byte.
var probeData = []byte("\x00herald-conformance probe")

func isClassicProbe(b []byte) bool { return len(b) > 0 && b[0] == 0 }

// classicFrame encodes one classic frame.
func classicFrame(body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(body)), uint32(len(body))), body...)
}

// classicPair encodes a (destination, data) pair.
func classicPair(channel string, data []byte) []byte {
	return append(classicFrame([]byte(channel)), classicFrame(data)...)
}

// classicConn is one connection to the classic profile's port. A goroutine
// reads frames into an inbox, dropping probes, unless the connection is
// paused; onData, when set, takes data frames instead of the inbox.
type classicConn struct {
	name    string
	nc      net.Conn
	timeout time.Duration

	writeMu sync.Mutex

	mu      sync.Mutex
	changed chan struct{}
	inbox   [][]byte
	probes  int
	end     error // why reading ended; io.EOF when the server closed
	started bool
	paused  bool
	resume  chan struct{}
	onData  func([]byte)
}

func dialClassic(addr, name string, timeout time.Duration) (*classicConn, error) {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("classic client %s: connect to %s: %w", name, addr, err)
	}
	return &classicConn{name: name, nc: nc, timeout: timeout, changed: make(chan struct{})}, nil
}

func (c *classicConn) send(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(c.timeout))
	if _, err := c.nc.Write(b); err != nil {
		return fmt.Errorf("classic client %s: write: %w", c.name, err)
	}
	return nil
}

// start begins reading.
func (c *classicConn) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return
	}
	c.started = true
	go c.readLoop()
}

// pause stops reading (after the frame being read, if any) and shrinks the
// socket's receive buffer, so that the server's outbound buffer fills.
func (c *classicConn) pause() {
	if tc, ok := c.nc.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(smallReadBuffer)
	}
	c.mu.Lock()
	c.paused = true
	c.resume = make(chan struct{})
	c.mu.Unlock()
}

func (c *classicConn) resumeReading() {
	c.mu.Lock()
	if c.paused {
		c.paused = false
		close(c.resume)
	}
	c.mu.Unlock()
}

func (c *classicConn) readLoop() {
	rd := wire.NewReader(c.nc, 1<<30)
	rd.AllowEmpty(true)
	for {
		c.mu.Lock()
		for c.paused {
			r := c.resume
			c.mu.Unlock()
			<-r
			c.mu.Lock()
		}
		c.mu.Unlock()
		b, err := rd.Next()
		c.mu.Lock()
		switch {
		case err != nil:
			c.end = err
		case isClassicProbe(b):
			c.probes++
		case c.onData != nil:
			c.onData(b)
		default:
			c.inbox = append(c.inbox, append([]byte{}, b...))
		}
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// wait waits until cond, called with mu held, returns true, or d passes.
func (c *classicConn) wait(d time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	c.mu.Lock()
	for !cond() {
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			c.mu.Lock()
			ok := cond()
			c.mu.Unlock()
			return ok
		}
		c.mu.Lock()
	}
	c.mu.Unlock()
	return true
}

// next takes the next data frame.
func (c *classicConn) next(what string) ([]byte, error) {
	c.start()
	if !c.wait(c.timeout, func() bool { return len(c.inbox) > 0 || c.end != nil }) {
		return nil, fmt.Errorf("classic client %s expected %s and nothing arrived within %v", c.name, what, c.timeout)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.inbox) == 0 {
		return nil, fmt.Errorf("classic client %s expected %s and the connection ended (%s)", c.name, what, describeClassicEnd(c.end))
	}
	b := c.inbox[0]
	c.inbox = c.inbox[1:]
	return b, nil
}

// untilEnd returns the data frames that arrive until the connection ends,
// and fails if it does not end within the timeout.
func (c *classicConn) untilEnd() ([][]byte, error) {
	c.start()
	if !c.wait(c.timeout, func() bool { return c.end != nil }) {
		return nil, fmt.Errorf("classic client %s: the server did not close the connection within %v", c.name, c.timeout)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	frames := c.inbox
	c.inbox = nil
	return frames, nil
}

// ended returns why reading ended, or nil.
func (c *classicConn) ended() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.end
}

func (c *classicConn) probeCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.probes
}

func (c *classicConn) close() { _ = c.nc.Close() }

// describeClassicEnd says how a connection ended.
func describeClassicEnd(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "closed by the server"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "closed by the server in the middle of a frame"
	default:
		return err.Error()
	}
}

// classicQuote shows a payload in a message.
func classicQuote(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%q... (%d bytes)", b[:40], len(b))
	}
	return fmt.Sprintf("%q", b)
}
