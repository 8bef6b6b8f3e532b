package probe

import (
	"encoding/binary"
	"fmt"
	"math"
)

// This file builds frames element by element, in whichever MessagePack
// encoding a scenario asks for, to check that a server accepts every
// encoding PROTOCOL.md 2.6 lists and to craft frames the codec would never
// write.

// Frame prefixes body with its 4-byte length.
func FrameOf(body []byte) []byte {
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(body)), uint32(len(body)))
	return append(out, body...)
}

// Array encodes an array of already-encoded elements with the smallest
// header.
func Array(elems ...[]byte) []byte {
	var b []byte
	switch n := len(elems); {
	case n <= 15:
		b = []byte{0x90 | byte(n)}
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16([]byte{0xdc}, uint16(n))
	default:
		b = binary.BigEndian.AppendUint32([]byte{0xdd}, uint32(n))
	}
	for _, e := range elems {
		b = append(b, e...)
	}
	return b
}

// Nil is MessagePack nil.
func Nil() []byte { return []byte{0xc0} }

// Bool encodes a bool.
func Bool(v bool) []byte {
	if v {
		return []byte{0xc3}
	}
	return []byte{0xc2}
}

// IntEncodings names every encoding of a non-negative integer (2.6).
var IntEncodings = []string{"positive fixint", "uint 8", "uint 16", "uint 32", "uint 64", "int 8", "int 16", "int 32", "int 64"}

// intForms gives, for each integer encoding, its type byte, how many bytes
// follow it and the largest non-negative value it holds.
var intForms = map[string]struct {
	tag  byte
	size int
	max  uint64
}{
	"uint 8": {0xcc, 1, math.MaxUint8}, "uint 16": {0xcd, 2, math.MaxUint16},
	"uint 32": {0xce, 4, math.MaxUint32}, "uint 64": {0xcf, 8, math.MaxUint64},
	"int 8": {0xd0, 1, math.MaxInt8}, "int 16": {0xd1, 2, math.MaxInt16},
	"int 32": {0xd2, 4, math.MaxInt32}, "int 64": {0xd3, 8, math.MaxInt64},
}

// Int encodes v in the named encoding; v must fit in it.
func Int(enc string, v uint64) ([]byte, error) {
	if enc == "positive fixint" {
		if v > 0x7f {
			return nil, fmt.Errorf("%d does not fit in a positive fixint", v)
		}
		return []byte{byte(v)}, nil
	}
	form, ok := intForms[enc]
	if !ok {
		return nil, fmt.Errorf("unknown integer encoding %q (known: %v)", enc, IntEncodings)
	}
	if v > form.max {
		return nil, fmt.Errorf("%d does not fit in %s", v, enc)
	}
	b := []byte{form.tag}
	for i := form.size - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b, nil
}

// StrEncodings names every encoding of a str (2.6).
var StrEncodings = []string{"fixstr", "str 8", "str 16", "str 32"}

// Str encodes s in the named encoding; s must fit in it.
func Str(enc string, s string) ([]byte, error) {
	n := len(s)
	var b []byte
	switch enc {
	case "fixstr":
		if n > 31 {
			return nil, fmt.Errorf("%d bytes do not fit in a fixstr", n)
		}
		b = []byte{0xa0 | byte(n)}
	case "str 8":
		if n > math.MaxUint8 {
			return nil, fmt.Errorf("%d bytes do not fit in a str 8", n)
		}
		b = []byte{0xd9, byte(n)}
	case "str 16":
		b = binary.BigEndian.AppendUint16([]byte{0xda}, uint16(n))
	case "str 32":
		b = binary.BigEndian.AppendUint32([]byte{0xdb}, uint32(n))
	default:
		return nil, fmt.Errorf("unknown str encoding %q (known: %v)", enc, StrEncodings)
	}
	return append(b, s...), nil
}

// S encodes s in the smallest str encoding.
func S(s string) []byte {
	enc := "str 32"
	switch n := len(s); {
	case n <= 31:
		enc = "fixstr"
	case n <= math.MaxUint8:
		enc = "str 8"
	case n <= math.MaxUint16:
		enc = "str 16"
	}
	b, _ := Str(enc, s)
	return b
}

// U encodes v in the smallest integer encoding.
func U(v uint64) []byte {
	enc := "uint 64"
	switch {
	case v <= 0x7f:
		enc = "positive fixint"
	case v <= math.MaxUint8:
		enc = "uint 8"
	case v <= math.MaxUint16:
		enc = "uint 16"
	case v <= math.MaxUint32:
		enc = "uint 32"
	}
	b, _ := Int(enc, v)
	return b
}

// BinEncodings names every encoding of a bin (2.6).
var BinEncodings = []string{"bin 8", "bin 16", "bin 32"}

// Bin encodes p in the named encoding; p must fit in it.
func Bin(enc string, p []byte) ([]byte, error) {
	n := len(p)
	var b []byte
	switch enc {
	case "bin 8":
		if n > math.MaxUint8 {
			return nil, fmt.Errorf("%d bytes do not fit in a bin 8", n)
		}
		b = []byte{0xc4, byte(n)}
	case "bin 16":
		if n > math.MaxUint16 {
			return nil, fmt.Errorf("%d bytes do not fit in a bin 16", n)
		}
		b = binary.BigEndian.AppendUint16([]byte{0xc5}, uint16(n))
	case "bin 32":
		b = binary.BigEndian.AppendUint32([]byte{0xc6}, uint32(n))
	default:
		return nil, fmt.Errorf("unknown bin encoding %q (known: %v)", enc, BinEncodings)
	}
	return append(b, p...), nil
}

// MapEncodings names every encoding of a map (2.6).
var MapEncodings = []string{"fixmap", "map 16", "map 32"}

// StrMap encodes a map of str to str with the named map header; keys are
// written in the order given.
func StrMap(enc string, kv ...string) ([]byte, error) {
	n := len(kv) / 2
	var b []byte
	switch enc {
	case "fixmap":
		if n > 15 {
			return nil, fmt.Errorf("%d entries do not fit in a fixmap", n)
		}
		b = []byte{0x80 | byte(n)}
	case "map 16":
		b = binary.BigEndian.AppendUint16([]byte{0xde}, uint16(n))
	case "map 32":
		b = binary.BigEndian.AppendUint32([]byte{0xdf}, uint32(n))
	default:
		return nil, fmt.Errorf("unknown map encoding %q (known: %v)", enc, MapEncodings)
	}
	for _, s := range kv {
		b = append(b, S(s)...)
	}
	return b, nil
}
