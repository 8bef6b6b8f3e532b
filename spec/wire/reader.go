package wire

import (
	"encoding/binary"
	"errors"
	"io"
	"sync"
)

// Reader buffer sizes: a Reader starts with a small buffer, grows through
// pooled size classes while reads keep filling it, and falls back to the small
// buffer when traffic stops, so an idle connection holds little memory.
const (
	smallBuf = 512
	largeBuf = 64 << 10
)

var bufClasses = [...]int{2 << 10, 8 << 10, 32 << 10, largeBuf}

var bufPools [len(bufClasses)]sync.Pool

func getBuf(class int) []byte {
	if p, ok := bufPools[class].Get().(*[]byte); ok {
		return *p
	}
	return make([]byte, bufClasses[class])
}

func putBuf(class int, b []byte) {
	b = b[:cap(b)]
	bufPools[class].Put(&b)
}

// Reader reads length-prefixed frames from a stream and returns their bodies
// in place, without copying or allocating per frame. It is not safe for
// concurrent use.
type Reader struct {
	src        io.Reader
	buf        []byte
	r, w       int // unread bytes are buf[r:w]
	class      int // pool class of buf; -1 for the small buffer, -2 for a one-off
	max        int
	lastRead   int
	filled     bool   // the last read filled all the free space
	small      []byte // the small buffer, kept once allocated
	allowEmpty bool
}

// NewReader returns a Reader over src that accepts frames up to max bytes of
// body. No buffer is allocated until the first read.
func NewReader(src io.Reader, max int) *Reader {
	return &Reader{src: src, max: max, class: -1}
}

// SetMaxFrame changes the largest accepted body length (after WELCOME it is
// the announced max_frame).
func (fr *Reader) SetMaxFrame(max int) { fr.max = max }

// AllowEmpty makes zero-length frames valid (the classic profile, 14.1)
// instead of bad_frame.
func (fr *Reader) AllowEmpty(ok bool) { fr.allowEmpty = ok }

// Buffered reports whether a whole frame (or a frame header that Next will
// reject) is already buffered, so that Next will return without reading from
// the stream. A server uses it to route a batch of frames at once.
func (fr *Reader) Buffered() bool {
	if fr.w-fr.r < HeaderLen {
		return false
	}
	n := int(binary.BigEndian.Uint32(fr.buf[fr.r:]))
	if (n == 0 && !fr.allowEmpty) || n > fr.max {
		return true
	}
	return fr.w-fr.r-HeaderLen >= n
}

// BufferedBytes returns how many unread bytes are buffered.
func (fr *Reader) BufferedBytes() int { return fr.w - fr.r }

// Next returns the body of the next frame. The body aliases the Reader's
// buffer and is valid only until the next call to Next or Release. Errors: a
// bad_frame or frame_too_large *Error for a zero or oversize length (without
// reading the body), io.EOF at a frame boundary, io.ErrUnexpectedEOF inside a
// frame, or the stream's own error.
func (fr *Reader) Next() ([]byte, error) {
	for {
		avail := fr.w - fr.r
		need := HeaderLen
		if avail >= HeaderLen {
			n := int(binary.BigEndian.Uint32(fr.buf[fr.r:]))
			if n == 0 && !fr.allowEmpty {
				return nil, &Error{Code: CodeBadFrame, Message: "zero-length frame"}
			}
			if n > fr.max || n < 0 {
				return nil, &Error{Code: CodeFrameTooLarge, Message: "frame of " + uitoa(uint64(n)) + " bytes exceeds the limit of " + uitoa(uint64(fr.max))}
			}
			if avail-HeaderLen >= n {
				body := fr.buf[fr.r+HeaderLen : fr.r+HeaderLen+n : fr.r+HeaderLen+n]
				fr.r += HeaderLen + n
				return body, nil
			}
			need = HeaderLen + n
		}
		if err := fr.fill(need); err != nil {
			if errors.Is(err, io.EOF) && fr.w > fr.r {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// fill makes room for need unread bytes and reads once from the stream.
func (fr *Reader) fill(need int) error {
	if fr.r == fr.w {
		fr.r, fr.w = 0, 0
		fr.maybeShrink()
	}
	if fr.buf == nil {
		fr.useSmall()
	}
	if need > len(fr.buf) || (fr.filled && fr.class < len(bufClasses)-1 && fr.class != -2) {
		fr.grow(need)
	} else if len(fr.buf)-fr.r < need || fr.w == len(fr.buf) {
		fr.w = copy(fr.buf, fr.buf[fr.r:fr.w])
		fr.r = 0
	}
	free := len(fr.buf) - fr.w
	n, err := fr.src.Read(fr.buf[fr.w:])
	fr.lastRead, fr.filled = n, n == free
	fr.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// grow moves the unread bytes into a larger buffer: the next pooled class that
// holds need bytes (and is larger than the current one), or a one-off buffer of
// exactly need bytes for frames beyond the largest class.
func (fr *Reader) grow(need int) {
	var nb []byte
	class := -2
	for c, size := range bufClasses {
		if size >= need && size > len(fr.buf) {
			class = c
			break
		}
	}
	if class >= 0 {
		nb = getBuf(class)
	} else if need <= len(fr.buf) {
		// Already the largest class and the frame fits: just compact.
		fr.w = copy(fr.buf, fr.buf[fr.r:fr.w])
		fr.r = 0
		return
	} else {
		nb = make([]byte, need)
	}
	fr.w = copy(nb, fr.buf[fr.r:fr.w])
	fr.r = 0
	fr.release()
	fr.buf, fr.class = nb, class
}

// maybeShrink returns to the small buffer when the buffer is empty and the
// last read used little of it.
func (fr *Reader) maybeShrink() {
	if fr.class == -1 || fr.buf == nil {
		return
	}
	if fr.class == -2 || fr.lastRead < len(fr.buf)/8 {
		fr.release()
		fr.useSmall()
	}
}

func (fr *Reader) useSmall() {
	if fr.small == nil {
		fr.small = make([]byte, smallBuf)
	}
	fr.buf, fr.class, fr.filled = fr.small, -1, false
}

func (fr *Reader) release() {
	if fr.class >= 0 && fr.buf != nil {
		putBuf(fr.class, fr.buf)
	}
	fr.buf, fr.class = nil, -1
}

// Release returns the Reader's buffer to the pool. Bodies returned earlier
// become invalid; the Reader may be used again and allocates anew.
func (fr *Reader) Release() {
	fr.release()
	fr.r, fr.w, fr.lastRead, fr.filled = 0, 0, 0, false
}
