// Package lines provides an io.Writer that is safe for concurrent use and
// lets a test wait for a line of output.
package lines

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Writer collects whole lines written to it, from any goroutine.
type Writer struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	changed chan struct{}
}

// New returns an empty Writer.
func New() *Writer { return &Writer{changed: make(chan struct{})} }

// Write implements io.Writer.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.lines = append(w.lines, string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
	close(w.changed)
	w.changed = make(chan struct{})
	return len(p), nil
}

// Lines returns the complete lines written so far.
func (w *Writer) Lines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.lines...)
}

// String returns everything written so far.
func (w *Writer) String() string { return strings.Join(w.Lines(), "\n") }

// Wait waits up to 10 seconds for a line matching the regular expression
// and returns it.
func (w *Writer) Wait(t testing.TB, expr string) string {
	t.Helper()
	re := regexp.MustCompile(expr)
	deadline := time.After(10 * time.Second)
	for {
		w.mu.Lock()
		for _, l := range w.lines {
			if re.MatchString(l) {
				w.mu.Unlock()
				return l
			}
		}
		changed := w.changed
		w.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no line matching %q in output:\n%s", expr, w.String())
			return ""
		}
	}
}
