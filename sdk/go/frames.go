package herald

import (
	"encoding/binary"

	"github.com/heraldmq/herald/spec/wire"
)

// Helpers over a byte slice holding whole frames, as built by the wire
// package.

// frameLen returns the length of the frame at the start of b.
func frameLen(b []byte) int { return wire.HeaderLen + int(binary.BigEndian.Uint32(b)) }

// frameStart returns the offset of the first frame of buf that the first n
// bytes do not hold entirely.
func frameStart(buf []byte, n int) int {
	i := 0
	for i < len(buf) {
		l := frameLen(buf[i:])
		if i+l > n {
			return i
		}
		i += l
	}
	return i
}

// isPub reports whether the whole frame f is a PUB.
func isPub(f []byte) bool {
	op, err := wire.PeekOp(f[wire.HeaderLen:])
	return err == nil && op == wire.OpPub
}

// appendPubs appends the PUB frames of buf to dst.
func appendPubs(dst, buf []byte) []byte {
	for i := 0; i < len(buf); {
		l := frameLen(buf[i:])
		if isPub(buf[i : i+l]) {
			dst = append(dst, buf[i:i+l]...)
		}
		i += l
	}
	return dst
}

// countPubs returns how many PUB frames buf holds.
func countPubs(buf []byte) int {
	n := 0
	for i := 0; i < len(buf); {
		l := frameLen(buf[i:])
		if isPub(buf[i : i+l]) {
			n++
		}
		i += l
	}
	return n
}
