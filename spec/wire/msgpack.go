package wire

import (
	"encoding/binary"
	"math"
)

// This file holds the hand-written MessagePack primitives the codec is built
// on. Decoding reads from a byte slice through a cursor that never allocates
// except to report an error; encoding appends the smallest encoding of each
// value (PROTOCOL.md 2.6 requires receivers to accept every encoding).

// maxDepth bounds nesting when skipping unknown values, so hostile input
// cannot exhaust the stack.
const maxDepth = 32

// dec is a decoding cursor over one frame body. The first failure is kept in
// err and every later read returns a zero value.
type dec struct {
	b   []byte
	i   int
	err *Error
}

func (d *dec) fail(msg string) {
	if d.err == nil {
		d.err = badFrame(msg)
	}
}

func (d *dec) need(n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.b)-d.i < n {
		d.fail("truncated MessagePack value")
		return false
	}
	return true
}

func (d *dec) peek() byte {
	if !d.need(1) {
		return 0
	}
	return d.b[d.i]
}

// readLen reads a big-endian length of size bytes (1, 2 or 4).
func (d *dec) readLen(size int) int {
	if !d.need(size) {
		return 0
	}
	var n uint32
	switch size {
	case 1:
		n = uint32(d.b[d.i])
	case 2:
		n = uint32(binary.BigEndian.Uint16(d.b[d.i:]))
	default:
		n = binary.BigEndian.Uint32(d.b[d.i:])
	}
	d.i += size
	// A length larger than what is left fails at the first read past the
	// end; nothing is ever allocated from it.
	return int(n)
}

// arrayLen reads an array header.
func (d *dec) arrayLen() int {
	c := d.peek()
	if d.err != nil {
		return 0
	}
	switch {
	case c >= 0x90 && c <= 0x9f:
		d.i++
		return int(c & 0x0f)
	case c == 0xdc:
		d.i++
		return d.readLen(2)
	case c == 0xdd:
		d.i++
		return d.readLen(4)
	}
	d.fail("expected an array")
	return 0
}

// mapLen reads a map header.
func (d *dec) mapLen() int {
	c := d.peek()
	if d.err != nil {
		return 0
	}
	switch {
	case c >= 0x80 && c <= 0x8f:
		d.i++
		return int(c & 0x0f)
	case c == 0xde:
		d.i++
		return d.readLen(2)
	case c == 0xdf:
		d.i++
		return d.readLen(4)
	}
	d.fail("expected a map")
	return 0
}

// isNil consumes a nil and reports whether there was one.
func (d *dec) isNil() bool {
	if d.peek() == 0xc0 && d.err == nil {
		d.i++
		return true
	}
	return false
}

// uint reads a non-negative integer in any encoding.
func (d *dec) uint() uint64 {
	c := d.peek()
	if d.err != nil {
		return 0
	}
	d.i++
	switch {
	case c <= 0x7f:
		return uint64(c)
	case c == 0xcc || c == 0xd0:
		if !d.need(1) {
			return 0
		}
		v := d.b[d.i]
		d.i++
		if c == 0xd0 && v&0x80 != 0 {
			d.fail("negative integer")
			return 0
		}
		return uint64(v)
	case c == 0xcd || c == 0xd1:
		if !d.need(2) {
			return 0
		}
		v := binary.BigEndian.Uint16(d.b[d.i:])
		d.i += 2
		if c == 0xd1 && v&0x8000 != 0 {
			d.fail("negative integer")
			return 0
		}
		return uint64(v)
	case c == 0xce || c == 0xd2:
		if !d.need(4) {
			return 0
		}
		v := binary.BigEndian.Uint32(d.b[d.i:])
		d.i += 4
		if c == 0xd2 && v&0x80000000 != 0 {
			d.fail("negative integer")
			return 0
		}
		return uint64(v)
	case c == 0xcf || c == 0xd3:
		if !d.need(8) {
			return 0
		}
		v := binary.BigEndian.Uint64(d.b[d.i:])
		d.i += 8
		if c == 0xd3 && v&(1<<63) != 0 {
			d.fail("negative integer")
			return 0
		}
		return v
	}
	d.i--
	d.fail("expected a non-negative integer")
	return 0
}

// raw returns the next n bytes.
func (d *dec) raw(n int) []byte {
	if !d.need(n) {
		return nil
	}
	v := d.b[d.i : d.i+n : d.i+n]
	d.i += n
	return v
}

// str reads a str. The result aliases the body; an empty str is a non-nil
// empty slice.
func (d *dec) str() []byte {
	c := d.peek()
	if d.err != nil {
		return nil
	}
	switch {
	case c >= 0xa0 && c <= 0xbf:
		d.i++
		return d.raw(int(c & 0x1f))
	case c == 0xd9:
		d.i++
		return d.raw(d.readLen(1))
	case c == 0xda:
		d.i++
		return d.raw(d.readLen(2))
	case c == 0xdb:
		d.i++
		return d.raw(d.readLen(4))
	}
	d.fail("expected a str")
	return nil
}

// optStr reads a str or nil; nil gives a nil slice.
func (d *dec) optStr() []byte {
	if d.isNil() {
		return nil
	}
	return d.str()
}

// bin reads a bin. The result aliases the body and is never nil.
func (d *dec) bin() []byte {
	c := d.peek()
	if d.err != nil {
		return nil
	}
	switch c {
	case 0xc4:
		d.i++
		return d.raw(d.readLen(1))
	case 0xc5:
		d.i++
		return d.raw(d.readLen(2))
	case 0xc6:
		d.i++
		return d.raw(d.readLen(4))
	}
	d.fail("expected a bin")
	return nil
}

// boolean reads true or false.
func (d *dec) boolean() bool {
	c := d.peek()
	if d.err != nil {
		return false
	}
	switch c {
	case 0xc2:
		d.i++
		return false
	case 0xc3:
		d.i++
		return true
	}
	d.fail("expected a bool")
	return false
}

// headers reads a headers field: nil, or a map whose keys and values are all
// str. It returns the raw encoded map (nil for nil) without allocating.
func (d *dec) headers() []byte {
	if d.isNil() {
		return nil
	}
	start := d.i
	n := d.mapLen()
	for k := 0; k < n && d.err == nil; k++ {
		d.str()
		d.str()
	}
	if d.err != nil {
		if d.err.Message != "truncated MessagePack value" {
			d.err = badFrame("headers must be a map of str to str")
		}
		return nil
	}
	return d.b[start:d.i:d.i]
}

// skip consumes one value of any type.
func (d *dec) skip(depth int) {
	if depth > maxDepth {
		d.fail("values nested too deeply")
		return
	}
	c := d.peek()
	if d.err != nil {
		return
	}
	switch {
	case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3:
		d.i++
	case c >= 0x80 && c <= 0x8f, c == 0xde, c == 0xdf:
		n := d.mapLen()
		for k := 0; k < n && d.err == nil; k++ {
			d.skip(depth + 1)
			d.skip(depth + 1)
		}
	case c >= 0x90 && c <= 0x9f, c == 0xdc, c == 0xdd:
		n := d.arrayLen()
		for k := 0; k < n && d.err == nil; k++ {
			d.skip(depth + 1)
		}
	case c >= 0xa0 && c <= 0xbf, c == 0xd9, c == 0xda, c == 0xdb:
		d.str()
	case c == 0xc4 || c == 0xc5 || c == 0xc6:
		d.bin()
	case c == 0xcc || c == 0xd0:
		d.i++
		d.raw(1)
	case c == 0xcd || c == 0xd1:
		d.i++
		d.raw(2)
	case c == 0xce || c == 0xd2 || c == 0xca:
		d.i++
		d.raw(4)
	case c == 0xcf || c == 0xd3 || c == 0xcb:
		d.i++
		d.raw(8)
	case c == 0xd4:
		d.i++
		d.raw(2)
	case c == 0xd5:
		d.i++
		d.raw(3)
	case c == 0xd6:
		d.i++
		d.raw(5)
	case c == 0xd7:
		d.i++
		d.raw(9)
	case c == 0xd8:
		d.i++
		d.raw(17)
	case c == 0xc7:
		d.i++
		n := d.readLen(1)
		d.raw(1 + n)
	case c == 0xc8:
		d.i++
		n := d.readLen(2)
		d.raw(1 + n)
	case c == 0xc9:
		d.i++
		n := d.readLen(4)
		d.raw(1 + n)
	default: // 0xc1 is never used
		d.fail("invalid MessagePack type byte")
	}
}

// begin reads the array header and op of a body, checks the op and that the
// array has at least fields elements after the op, and returns the number of
// extra trailing elements to skip.
func (d *dec) begin(op Op, fields int) int {
	n := d.arrayLen()
	if d.err != nil {
		return 0
	}
	if n == 0 {
		d.fail("empty array")
		return 0
	}
	got := d.uint()
	if d.err != nil {
		return 0
	}
	if got != uint64(op) {
		d.fail("body is op " + Op(min(got, 255)).String() + ", not " + op.String())
		return 0
	}
	if n-1 < fields {
		d.fail(op.String() + " needs " + uitoa(uint64(fields)) + " fields, got " + uitoa(uint64(n-1)))
		return 0
	}
	return n - 1 - fields
}

// end skips extra trailing elements (PROTOCOL.md 2.5) and checks that no bytes
// follow the array.
func (d *dec) end(extra int) error {
	for k := 0; k < extra && d.err == nil; k++ {
		d.skip(1)
	}
	if d.err == nil && d.i != len(d.b) {
		d.fail("bytes after the array")
	}
	if d.err != nil {
		return d.err
	}
	return nil
}

// Encoding.

func appendArrayHeader(b []byte, n int) []byte {
	switch {
	case n <= 15:
		return append(b, 0x90|byte(n))
	case n <= math.MaxUint16:
		return append(b, 0xdc, byte(n>>8), byte(n))
	}
	return append(b, 0xdd, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendMapHeader(b []byte, n int) []byte {
	switch {
	case n <= 15:
		return append(b, 0x80|byte(n))
	case n <= math.MaxUint16:
		return append(b, 0xde, byte(n>>8), byte(n))
	}
	return append(b, 0xdf, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendUint(b []byte, v uint64) []byte {
	switch {
	case v <= 0x7f:
		return append(b, byte(v))
	case v <= math.MaxUint8:
		return append(b, 0xcc, byte(v))
	case v <= math.MaxUint16:
		return append(b, 0xcd, byte(v>>8), byte(v))
	case v <= math.MaxUint32:
		return append(b, 0xce, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return append(b, 0xcf, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32),
		byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func appendStrHeader(b []byte, n int) []byte {
	switch {
	case n <= 31:
		return append(b, 0xa0|byte(n))
	case n <= math.MaxUint8:
		return append(b, 0xd9, byte(n))
	case n <= math.MaxUint16:
		return append(b, 0xda, byte(n>>8), byte(n))
	}
	return append(b, 0xdb, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendStr[S ~string | ~[]byte](b []byte, s S) []byte {
	return append(appendStrHeader(b, len(s)), s...)
}

// appendOptStr appends s, or nil when s is nil (a non-nil empty slice is an
// empty str).
func appendOptStr(b []byte, s []byte) []byte {
	if s == nil {
		return append(b, 0xc0)
	}
	return appendStr(b, s)
}

func appendBinHeader(b []byte, n int) []byte {
	switch {
	case n <= math.MaxUint8:
		return append(b, 0xc4, byte(n))
	case n <= math.MaxUint16:
		return append(b, 0xc5, byte(n>>8), byte(n))
	}
	return append(b, 0xc6, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 0xc3)
	}
	return append(b, 0xc2)
}

// beginFrame reserves the length prefix; finishFrame fills it in.
func beginFrame(b []byte) ([]byte, int) {
	return append(b, 0, 0, 0, 0), len(b)
}

func finishFrame(b []byte, start int) []byte {
	binary.BigEndian.PutUint32(b[start:], uint32(len(b)-start-HeaderLen))
	return b
}
