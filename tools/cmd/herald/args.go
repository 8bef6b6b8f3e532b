package main

import (
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/heraldmq/herald/spec/wire"
)

// headerFlag is the repeatable --header k=v; a key given twice keeps its
// last value.
type headerFlag map[string]string

// String returns the headers as k=v pairs in key order.
func (h headerFlag) String() string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + h[k]
	}
	return strings.Join(keys, ",")
}

// Set adds one k=v.
func (h headerFlag) Set(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return errors.New("want KEY=VALUE")
	}
	h[k] = v
	return nil
}

// orNil returns the headers, or nil when there are none.
func (h headerFlag) orNil() map[string]string {
	if len(h) == 0 {
		return nil
	}
	return h
}

// checkChannel reports an invalid channel (PROTOCOL.md 5.1) as a usage
// error; what names the argument ("channel", "--reply-to").
func checkChannel(fs *flag.FlagSet, what, ch string) error {
	if wire.ValidChannel([]byte(ch)) {
		return nil
	}
	return usageError(fs, "invalid %s %q: want /segment/segment..., 2 to 256 bytes of printable ASCII, no space, no * or > (PROTOCOL.md 5.1)", what, ch)
}

// checkPattern reports an invalid pattern (PROTOCOL.md 5.2) as a usage
// error.
func checkPattern(fs *flag.FlagSet, p string) error {
	if wire.ValidPattern([]byte(p)) {
		return nil
	}
	return usageError(fs, "invalid pattern %q: want /segment/... where a whole segment may be * and the last may be > (PROTOCOL.md 5.2)", p)
}

// checkQueue reports an invalid queue group (PROTOCOL.md 5.5) as a usage
// error.
func checkQueue(fs *flag.FlagSet, q string) error {
	if q == "" || wire.ValidQueue([]byte(q)) {
		return nil
	}
	return usageError(fs, "invalid --queue %q: want 1 to 64 bytes of printable ASCII, no space (PROTOCOL.md 5.5)", q)
}

// plural returns "1 message" or "N messages".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
