package main

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeCommands returns the `bin/herald ...` commands of the repository's
// README (not herald-conformance), split as a shell would split them
// (single quotes only), without their comments.
func readmeCommands(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("../../../README.md")
	require.NoError(t, err)
	defer f.Close()
	var cmds [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(l, "bin/herald ") {
			continue
		}
		words := shellWords(t, strings.TrimPrefix(l, "bin/herald "))
		cmds = append(cmds, words)
	}
	require.NoError(t, sc.Err())
	return cmds
}

// shellWords splits s at blanks outside single quotes and stops at a #
// that starts a word.
func shellWords(t *testing.T, s string) []string {
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case quoted && r == '\'':
			quoted = false
		case quoted:
			w.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case r == '#' && !inWord:
			return words
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	require.False(t, quoted, "unterminated quote in %q", s)
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// TestReadmeTourRuns runs the README's tour of the CLI, command for
// command, against an in-process broker (as HERALD_URL), and checks what
// the README says each one does.
func TestReadmeTourRuns(t *testing.T) {
	url := brokerURL(t)
	t.Setenv("HERALD_URL", url)
	checkGoroutines(t)
	cmds := readmeCommands(t)
	require.Equal(t, [][]string{
		{"sub", "/orders/>"},
		{"pub", "/orders/eu/new", "order 1"},
		{"sub", "/queue/jobs"},
		{"sub", "/queue/jobs"},
		{"pub", "/queue/jobs", "--count", "6", "--size", "16"},
		{"sub", "/jobs", "--queue", "workers"},
		{"req", "/svc/time", "now", "--timeout", "1s"},
	}, cmds, "the README's tour changed: update this test to run it")

	// Fan-out: the publish prints on the subscriber.
	orders := startSub(t, cmds[0][1:]...)
	code, out, errOut := runIn(t, "", cmds[1]...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "published 1 message to /orders/eu/new\n", out)
	orders.stdout.waitContains(t, "#1 /orders/eu/new order 1\n")

	// /queue channels rotate: three messages to each of the two members.
	a, b := startSub(t, cmds[2][1:]...), startSub(t, cmds[3][1:]...)
	code, _, errOut = runIn(t, "", cmds[4]...)
	require.Equal(t, 0, code, errOut)
	a.stdout.waitContains(t, "#3 /queue/jobs 0000000000000005\n")
	b.stdout.waitContains(t, "#3 /queue/jobs 0000000000000006\n")

	// A named queue group rotates any channel.
	w1, w2 := startSub(t, cmds[5][1:]...), startSub(t, cmds[5][1:]...)
	code, _, errOut = runIn(t, "", "pub", "/jobs", "job", "--count", "2")
	require.Equal(t, 0, code, errOut)
	w1.stdout.waitContains(t, "#1 /jobs job\n")
	w2.stdout.waitContains(t, "#1 /jobs job\n")

	// Request/reply: "no responders" when nobody listens; the reply when
	// someone does.
	code, out, errOut = runIn(t, "", cmds[6]...)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "herald req: no responders on /svc/time: no subscriber received the request\n", errOut)
	responder(t, url, "/svc/time")
	code, out, errOut = runIn(t, "", cmds[6]...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "pong: now\n", out)

	for _, s := range []*cliRun{orders, a, b, w1, w2} {
		s.interrupt()
		assert.Equal(t, 0, s.wait(t))
	}
	assert.Equal(t, "#1 /queue/jobs 0000000000000001\n#2 /queue/jobs 0000000000000003\n#3 /queue/jobs 0000000000000005\n", a.stdout.String())
	assert.Equal(t, "#1 /queue/jobs 0000000000000002\n#2 /queue/jobs 0000000000000004\n#3 /queue/jobs 0000000000000006\n", b.stdout.String())
}
