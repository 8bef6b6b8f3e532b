package steps

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/heraldmq/herald/spec/wire"
)

// Feature files write names a reader can see: <empty> for the empty string,
// <TAB>, <DEL> and <0xNN> for single bytes, and <a×256> for 256 letters "a".
var notation = regexp.MustCompile(`<(empty|TAB|DEL|0x[0-9A-Fa-f]{2}|(.)×(\d+))>`)

// DecodeName expands the notation of a name written in a feature file.
func DecodeName(s string) (string, error) {
	var err error
	out := notation.ReplaceAllStringFunc(s, func(m string) string {
		sub := notation.FindStringSubmatch(m)
		switch {
		case sub[1] == "empty":
			return ""
		case sub[1] == "TAB":
			return "\t"
		case sub[1] == "DEL":
			return "\x7f"
		case strings.HasPrefix(sub[1], "0x"):
			v, _ := strconv.ParseUint(sub[1][2:], 16, 8)
			return string([]byte{byte(v)})
		default:
			n, e := strconv.Atoi(sub[3])
			if e != nil || n > 1<<16 {
				err = fmt.Errorf("bad repetition %q", m)
				return ""
			}
			return strings.Repeat(sub[2], n)
		}
	})
	return out, err
}

// namespace keeps the scenarios of one run, and of runs that share a server,
// apart: a short token is appended to the first segment of every valid name
// a scenario uses, so "/queue/jobs" becomes "/queue~k3j9x/jobs". Matching,
// the "/queue" prefix rule and validity are preserved; names whose first
// segment is a wildcard, invalid names and names that would grow past 256
// bytes are sent as written.
type namespace struct {
	token string
	sent  map[string]string // feature text -> bytes on the wire
}

func newNamespace() *namespace {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return &namespace{token: "~" + string(b), sent: map[string]string{}}
}

// wire returns the bytes to send for a channel or pattern written in a
// feature, and remembers the pair for later checks of ref_channel.
func (ns *namespace) wire(text string) (string, error) {
	if w, ok := ns.sent[text]; ok {
		return w, nil
	}
	raw, err := DecodeName(text)
	if err != nil {
		return "", err
	}
	w := ns.translate(raw)
	ns.sent[text] = w
	return w, nil
}

func (ns *namespace) translate(raw string) string {
	if !wire.ValidPattern([]byte(raw)) || len(raw)+len(ns.token) > wire.MaxChannelLen {
		return raw
	}
	end := strings.IndexByte(raw[1:], '/')
	if end < 0 {
		end = len(raw)
	} else {
		end++
	}
	if first := raw[1:end]; first == "*" || first == ">" {
		return raw
	}
	return raw[:end] + ns.token + raw[end:]
}

// witness returns a channel that the wire pattern p surely matches.
func witness(p string) string {
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		if s == "*" || s == ">" {
			segs[i] = "witness"
		}
	}
	return "/" + strings.Join(segs, "/")
}

// quotedList parses `"a", "b" and "c"` into its strings.
var quoted = regexp.MustCompile(`"([^"]*)"`)

func quotedList(s string) []string {
	var out []string
	for _, m := range quoted.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
