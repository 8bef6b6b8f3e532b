package broker

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

const tenMillis = 10 * time.Millisecond

func timeAfter(d time.Duration) <-chan time.Time { return time.After(d) }

// testLogger returns a logger writing to the test's log, for debugging a
// failing test.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
