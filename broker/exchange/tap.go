package exchange

import (
	"log/slog"
	"sync/atomic"
)

// Tap is a Sink that logs every message it receives: the diagnostic display
// of an exchange. Attach one to an exchange to watch it, or to the pattern
// "/>" to watch them all.
type Tap struct {
	log  *slog.Logger
	seen atomic.Uint64
}

// NewTap returns a Tap logging to l at Info level; nil means slog.Default().
func NewTap(l *slog.Logger) *Tap {
	if l == nil {
		l = slog.Default()
	}
	return &Tap{log: l}
}

// Send implements Sink: it logs m's exchange, and its value and data when
// set.
func (t *Tap) Send(m Message) {
	n := t.seen.Add(1)
	attrs := []any{"exchange", m.Exchange, "n", n}
	if m.Value != nil {
		attrs = append(attrs, "value", m.Value)
	}
	if m.Data != nil {
		attrs = append(attrs, "data", string(m.Data))
	}
	t.log.Info("tap", attrs...)
}

// Seen returns how many messages the Tap has logged.
func (t *Tap) Seen() uint64 { return t.seen.Load() }

// Func returns a Sink that calls f for each message. Each call returns a
// distinct sink; keep it to Detach it.
func Func(f func(Message)) Sink { return &funcSink{f: f} }

type funcSink struct{ f func(Message) }

func (s *funcSink) Send(m Message) { s.f(m) }
