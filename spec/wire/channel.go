package wire

import "bytes"

// This file pins the channel and pattern grammar of PROTOCOL.md section 5.

// segmentByte reports whether c may appear in a channel segment.
func segmentByte(c byte) bool {
	return c >= 0x21 && c <= 0x7e && c != '/' && c != '*' && c != '>'
}

// ValidChannel reports whether ch is a valid channel to publish to (5.1): 2 to
// 256 bytes, "/"-separated non-empty segments of printable ASCII, no
// wildcards.
func ValidChannel(ch []byte) bool {
	if len(ch) < 2 || len(ch) > MaxChannelLen || ch[0] != '/' {
		return false
	}
	prev := byte('/')
	for i := 1; i < len(ch); i++ {
		c := ch[i]
		if c == '/' {
			if prev == '/' {
				return false
			}
		} else if !segmentByte(c) {
			return false
		}
		prev = c
	}
	return prev != '/'
}

// ValidPattern reports whether p is a valid subscription pattern (5.2): a
// channel whose segments may also be exactly "*", or, as the last segment
// only, exactly ">".
func ValidPattern(p []byte) bool {
	if len(p) < 2 || len(p) > MaxChannelLen || p[0] != '/' {
		return false
	}
	for start := 1; ; {
		end := bytes.IndexByte(p[start:], '/')
		last := end < 0
		if last {
			end = len(p)
		} else {
			end += start
		}
		seg := p[start:end]
		switch {
		case len(seg) == 0:
			return false
		case len(seg) == 1 && seg[0] == '*':
		case len(seg) == 1 && seg[0] == '>':
			if !last {
				return false
			}
		default:
			for _, c := range seg {
				if !segmentByte(c) {
					return false
				}
			}
		}
		if last {
			return true
		}
		start = end + 1
	}
}

// ValidQueue reports whether q is a valid queue group name (5.5).
func ValidQueue(q []byte) bool {
	if len(q) == 0 || len(q) > MaxQueueLen {
		return false
	}
	for _, c := range q {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// QueuePrefix is the seed's rule (7.4): a SUB without a queue group whose
// pattern starts with these bytes joins the rotation set ("", pattern).
const QueuePrefix = "/queue"

// IsQueuePattern reports whether a SUB of pattern p without a group belongs to
// a rotation set.
func IsQueuePattern(p []byte) bool { return bytes.HasPrefix(p, []byte(QueuePrefix)) }

// Match reports whether the valid pattern p matches the valid channel ch
// (5.2, 5.3).
func Match(p, ch []byte) bool {
	pi, ci := 1, 1
	for {
		pe := segEnd(p, pi)
		if pi >= len(p) {
			return ci >= len(ch)
		}
		if ci >= len(ch) {
			return false
		}
		ce := segEnd(ch, ci)
		seg := p[pi:pe]
		switch {
		case len(seg) == 1 && seg[0] == '>':
			return true
		case len(seg) == 1 && seg[0] == '*':
		default:
			if !bytes.Equal(seg, ch[ci:ce]) {
				return false
			}
		}
		pi, ci = pe+1, ce+1
	}
}

func segEnd(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	if j := bytes.IndexByte(b[i:], '/'); j >= 0 {
		return i + j
	}
	return len(b)
}
