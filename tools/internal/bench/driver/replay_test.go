package driver

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// The files in testdata are bytes recorded from real servers on loopback
// (nats-server 2.9.10, redis-server 7.0.15, mosquitto 2.0.11, heraldd 0.1.0):
// what a subscriber connection received while it subscribed, two messages
// were published to it, and it sent PINGs. The tests feed them to the
// drivers whole and one byte per read, so every partial-read path runs.

// event is one thing Read returned.
type event struct {
	kind    Kind
	payload string
}

// recorded reads a testdata file.
func recorded(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// replayBase returns a base reading data (one byte per read when oneByte)
// and writing into the returned buffer.
func replayBase(data []byte, oneByte bool) (base, *bytes.Buffer) {
	var r io.Reader = bytes.NewReader(data)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	var w bytes.Buffer
	return base{out: newOut(&w), in: newIn(r)}, &w
}

// readAll calls read until it fails and returns the events and the error.
func readAll(read func() (Kind, []byte, error)) ([]event, error) {
	var out []event
	for {
		k, p, err := read()
		if err != nil {
			return out, err
		}
		out = append(out, event{k, string(p)})
	}
}

// bothWays runs fn over data delivered whole and one byte per read.
func bothWays(t *testing.T, data []byte, fn func(t *testing.T, b base, w *bytes.Buffer)) {
	for _, oneByte := range []bool{false, true} {
		name := "whole"
		if oneByte {
			name = "one-byte-reads"
		}
		t.Run(name, func(t *testing.T) {
			b, w := replayBase(data, oneByte)
			fn(t, b, w)
		})
	}
}

func msg(p string) event { return event{KindMsg, p} }

var pong = event{KindPong, ""}

func requireEOF(t *testing.T, err error) {
	t.Helper()
	require.True(t, errors.Is(err, io.EOF), "want EOF at the end of the recording, got %v", err)
}
