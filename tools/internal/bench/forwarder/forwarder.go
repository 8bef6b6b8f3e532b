// Package forwarder is the benchmark's baseline: the least work a broker can
// do for fan-out on this machine. It reads length-prefixed frames from a
// publisher's connection into a 64 KiB buffer and writes each frame unchanged
// to every subscriber through a 64 KiB bufio.Writer per subscriber, flushing
// them all when the read buffer holds no further whole frame. It has one
// topic, no queue groups and no flow control: a subscriber that does not read
// blocks it. One publisher at a time is supported. The protocol is described by driver.Baseline.
//
//	f, _ := forwarder.Start("127.0.0.1:0")
//	defer f.Close()
//	sys := driver.Baseline(f.Addr())
package forwarder

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

const bufSize = 64 << 10

// maxFrame bounds a frame the forwarder accepts (it grows its read buffer for
// frames beyond 64 KiB).
const maxFrame = 16 << 20

// Forwarder is a running baseline forwarder.
type Forwarder struct {
	ln    net.Listener
	subs  atomic.Pointer[[]*sub]
	mu    sync.Mutex // guards subs updates and conns
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// sub is one subscriber: its writer is used only by publisher goroutines.
type sub struct {
	nc   net.Conn
	w    *bufio.Writer
	dead bool
}

// Start listens on addr (use "127.0.0.1:0") and serves until Close.
func Start(addr string) (*Forwarder, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	f := &Forwarder{ln: ln, conns: make(map[net.Conn]struct{})}
	f.subs.Store(&[]*sub{})
	f.wg.Add(1)
	go f.accept()
	return f, nil
}

// Addr returns the address the forwarder listens on.
func (f *Forwarder) Addr() string { return f.ln.Addr().String() }

// Close stops listening, closes every connection and waits for the
// forwarder's goroutines.
func (f *Forwarder) Close() error {
	err := f.ln.Close()
	f.mu.Lock()
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
	return err
}

func (f *Forwarder) accept() {
	defer f.wg.Done()
	for {
		nc, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns[nc] = struct{}{}
		f.mu.Unlock()
		f.wg.Add(1)
		go f.serve(nc)
	}
}

func (f *Forwarder) serve(nc net.Conn) {
	defer f.wg.Done()
	defer func() {
		nc.Close()
		f.mu.Lock()
		delete(f.conns, nc)
		f.mu.Unlock()
	}()
	var hdr [4]byte
	if _, err := io.ReadFull(nc, hdr[:]); err != nil {
		return
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > 16 {
		return
	}
	role := make([]byte, n)
	if _, err := io.ReadFull(nc, role); err != nil {
		return
	}
	switch string(role) {
	case "sub":
		f.subscriber(nc)
	case "pub":
		f.publisher(nc)
	}
}

// subscriber registers nc, answers with an empty frame, then waits for the
// connection to end. Subscribers join while no publisher is sending.
func (f *Forwarder) subscriber(nc net.Conn) {
	s := &sub{nc: nc, w: bufio.NewWriterSize(nc, bufSize)}
	f.mu.Lock()
	list := append(append([]*sub(nil), *f.subs.Load()...), s)
	f.subs.Store(&list)
	f.mu.Unlock()
	// The answer goes out after the registration, so a publisher that starts
	// once it is read reaches this subscriber. It is written outside the
	// subscriber's writer: subscribers join while no publisher is sending.
	if _, err := nc.Write([]byte{0, 0, 0, 0}); err == nil {
		_, _ = io.Copy(io.Discard, nc)
	}
	f.mu.Lock()
	old := *f.subs.Load()
	list = make([]*sub, 0, len(old))
	for _, o := range old {
		if o != s {
			list = append(list, o)
		}
	}
	f.subs.Store(&list)
	f.mu.Unlock()
}

// publisher forwards nc's frames.
func (f *Forwarder) publisher(nc net.Conn) {
	buf := make([]byte, bufSize)
	r, w := 0, 0
	for {
		m, err := nc.Read(buf[w:])
		if m == 0 && err != nil {
			return
		}
		w += m
		subs := *f.subs.Load()
		for w-r >= 4 {
			n := int(binary.BigEndian.Uint32(buf[r:]))
			if n > maxFrame {
				return
			}
			if w-r-4 < n {
				if 4+n > len(buf) {
					nb := make([]byte, 4+n)
					w = copy(nb, buf[r:w])
					r, buf = 0, nb
				}
				break
			}
			frame := buf[r : r+4+n]
			r += 4 + n
			if n == 0 {
				// A ping: everything before it goes out first.
				flush(subs)
				if _, err := nc.Write(frame); err != nil {
					return
				}
				continue
			}
			for _, s := range subs {
				if !s.dead {
					if _, err := s.w.Write(frame); err != nil {
						s.dead = true
					}
				}
			}
		}
		flush(subs)
		if r == w {
			r, w = 0, 0
		} else if r > 0 {
			w = copy(buf, buf[r:w])
			r = 0
		}
	}
}

// flush flushes every live subscriber's writer.
func flush(subs []*sub) {
	for _, s := range subs {
		if !s.dead && s.w.Buffered() > 0 {
			if err := s.w.Flush(); err != nil {
				s.dead = true
			}
		}
	}
}
