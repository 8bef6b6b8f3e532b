package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	herald "github.com/heraldmq/herald/sdk/go"
)

// printer writes what sub receives: messages on stdout, losses on stderr
// (and, with --json, on stdout too). Losses are reported from the SDK's
// callback goroutine, messages from sub's loop; printer serialises them.
type printer struct {
	mu     sync.Mutex
	out    *bufio.Writer
	stderr io.Writer
	json   bool
	name   string // the subscription as losses name it: its pattern, and queue group
	err    error  // the first error writing stdout
}

func newPrinter(stdout, stderr io.Writer, asJSON bool, pattern, queue string) *printer {
	name := pattern
	if queue != "" {
		name += " (queue " + queue + ")"
	}
	return &printer{out: bufio.NewWriter(stdout), stderr: stderr, json: asJSON, name: name}
}

// msgJSON is one message in --json mode.
type msgJSON struct {
	Type            string            `json:"type"` // "msg"
	Channel         string            `json:"channel"`
	Seq             uint64            `json:"seq"`
	ReplyTo         string            `json:"reply_to,omitempty"`
	Headers         map[string]string `json:"headers,omitempty"`
	Payload         string            `json:"payload"`
	PayloadEncoding string            `json:"payload_encoding"` // "utf-8" or "base64"
}

// lossJSON is one loss report in --json mode.
type lossJSON struct {
	Type         string  `json:"type"` // "loss"
	Subscription string  `json:"subscription"`
	Queue        string  `json:"queue,omitempty"`
	Source       string  `json:"source"` // notice, gap, client or reconnect
	Count        *uint64 `json:"count"`  // null when unknown (reconnect)
	FirstSeq     uint64  `json:"first_seq,omitempty"`
	LastSeq      uint64  `json:"last_seq,omitempty"`
	Reason       string  `json:"reason,omitempty"` // a NOTICE's: slow_consumer or queue_full
	// Reports is how many reports of the SDK this one merges, when more
	// than one: first_seq..last_seq then spans them all, and count is their
	// sum (messages between them were delivered).
	Reports int `json:"reports,omitempty"`
}

// msg prints one message; flush says whether to write it out now (nothing
// more is waiting).
func (p *printer) msg(m *herald.Msg, flush bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		j := msgJSON{Type: "msg", Channel: m.Channel, Seq: m.Seq, ReplyTo: m.ReplyTo, Headers: m.Header,
			Payload: string(m.Data), PayloadEncoding: "utf-8"}
		if !utf8.Valid(m.Data) {
			j.Payload, j.PayloadEncoding = base64.StdEncoding.EncodeToString(m.Data), "base64"
		}
		p.writeJSON(j)
	} else {
		p.write(textLine(m))
	}
	if flush {
		p.flushLocked()
	}
	return p.err
}

// textLine is a message's readable line: "#SEQ CHANNEL {k=v, ...}
// (reply-to R) PAYLOAD", headers and reply-to only when present. A payload
// of printable UTF-8 is printed as is; any other (empty, binary, with
// newlines) as a Go-quoted string.
func textLine(m *herald.Msg) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s", m.Seq, m.Channel)
	if len(m.Header) > 0 {
		keys := make([]string, 0, len(m.Header))
		for k := range m.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(" {")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(headerText(k) + "=" + headerText(m.Header[k]))
		}
		b.WriteString("}")
	}
	if m.ReplyTo != "" {
		b.WriteString(" (reply-to " + m.ReplyTo + ")")
	}
	b.WriteString(" ")
	if printable(m.Data) {
		b.Write(m.Data)
	} else {
		b.WriteString(strconv.Quote(string(m.Data)))
	}
	b.WriteString("\n")
	return b.String()
}

// printable reports whether b is non-empty UTF-8 made of printable runes
// (spaces included, tabs and newlines not).
func printable(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}

// headerText returns a header key or value as is, or quoted when it is
// empty or holds a space, a quote, one of ",={}" or an unprintable byte.
func headerText(s string) string {
	if s != "" && !strings.ContainsAny(s, " \",={}") && printable([]byte(s)) {
		return s
	}
	return strconv.Quote(s)
}

// loss reports a loss: one line on stderr naming the subscription and what
// was lost, and with --json a "loss" object on stdout.
func (p *printer) loss(le *herald.LossError, queue string) {
	text := strings.TrimPrefix(le.Error(), "herald: ")
	if le.Sub != nil {
		text = strings.TrimPrefix(text, le.Sub.Pattern()+": ")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.stderr, "herald sub: %s: %s\n", p.name, text)
	if !p.json {
		return
	}
	j := lossJSON{Type: "loss", Queue: queue, Source: le.Source.String(), FirstSeq: le.First, LastSeq: le.Last, Reason: le.Reason}
	if le.Sub != nil {
		j.Subscription = le.Sub.Pattern()
	}
	if le.Reports > 1 {
		j.Reports = le.Reports
	}
	if le.Source != herald.LossReconnect {
		n := le.Count
		j.Count = &n
	}
	p.writeJSON(j)
	p.flushLocked()
}

// note prints one line about the connection on stderr.
func (p *printer) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.stderr, "herald sub: "+format+"\n", args...)
}

// flush writes out what is buffered and returns the first write error.
func (p *printer) flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushLocked()
	return p.err
}

// writeJSON writes v as one line of JSON, without escaping <, > and &
// (channels hold >).
func (p *printer) writeJSON(v any) {
	if p.err != nil {
		return
	}
	enc := json.NewEncoder(p.out)
	enc.SetEscapeHTML(false)
	p.err = enc.Encode(v)
}

func (p *printer) write(s string) {
	if p.err == nil {
		_, p.err = p.out.WriteString(s)
	}
}

func (p *printer) flushLocked() {
	if p.err == nil {
		p.err = p.out.Flush()
	}
}
