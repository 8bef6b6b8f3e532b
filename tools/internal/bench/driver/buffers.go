package driver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// bufSize is the size of every driver's input and output buffers.
const bufSize = 64 << 10

// ErrTooLarge is returned when the broker sends a message larger than the
// limit a driver accepts (16 MiB).
var ErrTooLarge = errors.New("frame larger than 16 MiB")

const maxIn = 16 << 20

// out is the output buffer every driver writes through: protocol encodings are
// appended to b and written when it passes bufSize, on Flush, or when asked.
// All methods take mu, so that Read may answer a broker's ping while another
// goroutine publishes.
type out struct {
	mu sync.Mutex
	w  io.Writer
	b  []byte
}

// newOut starts small: the buffer grows to bufSize on a publisher and stays
// small on the thousands of idle connections of the conns workload.
func newOut(w io.Writer) *out { return &out{w: w, b: make([]byte, 0, 512)} }

// flushLocked writes the buffered bytes. mu must be held.
func (o *out) flushLocked() error {
	if len(o.b) == 0 {
		return nil
	}
	_, err := o.w.Write(o.b)
	o.b = o.b[:0]
	return err
}

// maybeFlushLocked writes when the buffer is full. mu must be held.
func (o *out) maybeFlushLocked() error {
	if len(o.b) >= bufSize {
		return o.flushLocked()
	}
	return nil
}

// Flush writes the buffered bytes.
func (o *out) Flush() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.flushLocked()
}

// send appends p and flushes.
func (o *out) send(p []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.b = append(o.b, p...)
	return o.flushLocked()
}

// in is the input buffer every driver parses in place. It starts at 4 KiB and
// grows to bufSize the first time a read fills it.
type in struct {
	src  io.Reader
	buf  []byte
	r, w int
	full bool // the last read filled the buffer
}

func newIn(src io.Reader) *in { return &in{src: src, buf: make([]byte, 4<<10)} }

// need makes at least n unread bytes available, reading as needed. Slices
// returned earlier may move.
func (i *in) need(n int) error {
	if n > maxIn {
		return ErrTooLarge
	}
	for i.w-i.r < n {
		if n > len(i.buf) || (i.full && len(i.buf) < bufSize) {
			nb := make([]byte, max(n, bufSize))
			i.w = copy(nb, i.buf[i.r:i.w])
			i.r, i.buf = 0, nb
		} else if len(i.buf)-i.r < n {
			i.w = copy(i.buf, i.buf[i.r:i.w])
			i.r = 0
		}
		m, err := i.src.Read(i.buf[i.w:])
		i.w += m
		i.full = i.w == len(i.buf)
		if m == 0 && err == nil {
			err = io.ErrNoProgress
		}
		if err != nil && i.w-i.r < n {
			if errors.Is(err, io.EOF) && i.w > i.r {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// peek returns the next n unread bytes without consuming them; need(n) must
// have succeeded.
func (i *in) peek(n int) []byte { return i.buf[i.r : i.r+n : i.r+n] }

// take consumes and returns the next n bytes; need(n) must have succeeded.
func (i *in) take(n int) []byte {
	b := i.buf[i.r : i.r+n : i.r+n]
	i.r += n
	return b
}

// line consumes and returns the next line without its "\r\n" (or "\n").
func (i *in) line() ([]byte, error) {
	scanned := 0
	for {
		if k := bytes.IndexByte(i.buf[i.r+scanned:i.w], '\n'); k >= 0 {
			end := i.r + scanned + k
			l := i.buf[i.r:end:end]
			i.r = end + 1
			return bytes.TrimSuffix(l, []byte{'\r'}), nil
		}
		scanned = i.w - i.r
		if scanned >= 64<<10 {
			return nil, errors.New("protocol line longer than 64 KiB")
		}
		if err := i.need(scanned + 1); err != nil {
			return nil, err
		}
	}
}

// base is what every driver holds: the connection and its two buffers.
type base struct {
	nc  net.Conn
	out *out
	in  *in
}

func newBase(nc net.Conn) base { return base{nc: nc, out: newOut(nc), in: newIn(nc)} }

// Flush writes what Publish buffered.
func (b *base) Flush() error { return b.out.Flush() }

// Close closes the connection.
func (b *base) Close() error { return b.nc.Close() }

// dialTCP opens a TCP connection within the context's deadline.
func dialTCP(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// handshake runs fn with the connection's deadline set from ctx (or 10 s),
// then clears it.
func handshake(ctx context.Context, nc net.Conn, fn func() error) error {
	dl, ok := ctx.Deadline()
	if !ok {
		dl = time.Now().Add(10 * time.Second)
	}
	_ = nc.SetDeadline(dl)
	if err := fn(); err != nil {
		return err
	}
	return nc.SetDeadline(time.Time{})
}
