package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// source yields the payloads pub publishes, one at a time, until ok is
// false. The slice is valid until the next call.
type source func(ctx context.Context) (data []byte, ok bool, err error)

// repeated yields data n times.
func repeated(data []byte, n int) source {
	return func(context.Context) ([]byte, bool, error) {
		if n == 0 {
			return nil, false, nil
		}
		n--
		return data, true, nil
	}
}

// generated yields n payloads of size bytes: the message's number, from 1,
// in decimal padded with zeros (its last size digits when it has more), so
// that a subscriber can tell them apart.
func generated(size, n int) source {
	buf := make([]byte, size)
	i := 0
	return func(context.Context) ([]byte, bool, error) {
		if i == n {
			return nil, false, nil
		}
		i++
		v := i
		for j := size - 1; j >= 0; j-- {
			buf[j] = byte('0' + v%10)
			v /= 10
		}
		return buf, true, nil
	}
}

// line is one line read from stdin, or the error that ended reading.
type line struct {
	data []byte
	err  error
}

// lines yields the lines of r, without their "\n" or "\r\n", each one
// message (an empty line is an empty message). Reading runs on a goroutine
// of its own, so that an interrupt is not held up by a read that waits for
// the terminal; it exits at the end of r, or once stop is closed and its
// current read returns. A line longer than maxLine bytes is an error.
func lines(r io.Reader, maxLine int, stop <-chan struct{}) source {
	ch := make(chan line, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), maxLine+2)
		n := 0
		for sc.Scan() {
			n++
			b := append([]byte(nil), sc.Bytes()...)
			if len(b) > 0 && b[len(b)-1] == '\r' {
				b = b[:len(b)-1]
			}
			if len(b) > maxLine {
				select {
				case ch <- line{err: tooLong(n, maxLine)}:
				case <-stop:
				}
				return
			}
			select {
			case ch <- line{data: b}:
			case <-stop:
				return
			}
		}
		err := sc.Err()
		if errors.Is(err, bufio.ErrTooLong) {
			err = tooLong(n+1, maxLine)
		} else if err != nil {
			err = fmt.Errorf("reading stdin: %w", err)
		}
		if err != nil {
			select {
			case ch <- line{err: err}:
			case <-stop:
			}
		}
	}()
	return func(ctx context.Context) ([]byte, bool, error) {
		select {
		case l, ok := <-ch:
			if !ok {
				return nil, false, nil
			}
			return l.data, l.err == nil, l.err
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}

func tooLong(n, maxLine int) error {
	return fmt.Errorf("line %d of stdin is longer than the broker's max_payload (%d bytes)", n, maxLine)
}

// pacer spaces publishes at most rate per second apart; a zero pacer does
// not wait. A publish that comes late (a slow source) is not made up for.
type pacer struct {
	interval time.Duration
	next     time.Time
}

func newPacer(rate float64) pacer {
	if rate <= 0 {
		return pacer{}
	}
	return pacer{interval: time.Duration(float64(time.Second) / rate)}
}

// wait returns when the next publish is due, or with ctx's error.
func (p *pacer) wait(ctx context.Context) error {
	if p.interval == 0 {
		return nil
	}
	now := time.Now()
	if d := p.next.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		now = p.next
	}
	p.next = now.Add(p.interval)
	return nil
}
