package auth

import "strings"

// This file decides, without enumerating channels, how patterns of the
// Herald grammar (PROTOCOL.md 5.2) relate as sets of channels. A pattern is
// handled as its segments: "/orders/*/>" is ["orders", "*", ">"]. The
// 256-byte channel limit is ignored, which can only make covers answer
// false where the limit would have made it true.

// segments splits a valid pattern into its segments.
func segments(p string) []string { return strings.Split(p[1:], "/") }

// covers reports whether every channel p matches is matched by at least one
// of the patterns in as.
//
// It walks p's segments keeping, for each pattern of as, what is left of it
// once it has matched p's segments so far for every channel p matches. A
// literal segment of p keeps the patterns whose segment is that literal or
// "*". A "*" of p keeps only those whose segment is "*": a segment no pattern
// names is always possible, and the patterns that cover it are a subset of
// those that cover any other. A pattern at ">" covers everything left of p
// (p still has at least one segment). When p ends, the channel is covered if
// a pattern ended with it.
func covers(p []string, as [][]string) bool {
	live := make([][]string, 0, len(as))
	live = append(live, as...)
	for _, seg := range p {
		if seg == ">" {
			return coversTail(live)
		}
		next := live[:0]
		for _, a := range live {
			switch {
			case len(a) == 0:
			case a[0] == ">":
				return true
			case a[0] == "*" || (seg != "*" && a[0] == seg):
				next = append(next, a[1:])
			}
		}
		live = next
	}
	return ended(live)
}

// coversTail reports whether the patterns left in live cover every sequence
// of one or more segments, the channels a trailing ">" matches. Since ">"
// is "*" or "*/>", that holds when, after a segment no pattern names, some
// pattern has ended (covering "*") and the rest still cover ">".
func coversTail(live [][]string) bool {
	for {
		next := live[:0]
		for _, a := range live {
			switch {
			case len(a) == 0:
			case a[0] == ">":
				return true
			case a[0] == "*":
				next = append(next, a[1:])
			}
		}
		if !ended(next) {
			return false
		}
		live = next
	}
}

func ended(live [][]string) bool {
	for _, a := range live {
		if len(a) == 0 {
			return true
		}
	}
	return false
}

// overlaps reports whether some channel matches both patterns a and b.
func overlaps(a, b []string) bool {
	for i := 0; ; i++ {
		switch {
		case i == len(a) && i == len(b):
			return true
		case i == len(a) || i == len(b):
			return false
		case a[i] == ">" || b[i] == ">":
			// The other has at least one segment left, and any channel it
			// matches there is one or more segments, which ">" matches.
			return true
		case a[i] != "*" && b[i] != "*" && a[i] != b[i]:
			return false
		}
	}
}
