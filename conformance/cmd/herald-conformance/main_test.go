package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/conformance"
	"github.com/heraldmq/herald/conformance/internal/brokentest"
)

// serve starts a small broker (see internal/brokentest) on 127.0.0.1:0. It
// announces no optional capability, which makes skips easy to provoke.
func serve(t *testing.T, f brokentest.Flaw) string {
	t.Helper()
	b := brokentest.New(f)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = b.Serve(ln) }()
	t.Cleanup(b.Close)
	return ln.Addr().String()
}

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// The binary embeds its features: it runs from a directory that has none.
func TestRunsFromAnyDirectoryAndPasses(t *testing.T) {
	addr := serve(t, brokentest.None)
	t.Chdir(t.TempDir())
	code, out, _ := runCmd("--addr", addr, "--tags", "@rotation", "--format", "progress")
	assert.Equal(t, 0, code, out)
	assert.Regexp(t, `^1[0-9] passed, 0 failed, 0 skipped$`, lastLine(out))
}

func TestFailureExitsOneAndNamesTheScenario(t *testing.T) {
	addr := serve(t, brokentest.CursorStuckAfterSkip)
	code, out, _ := runCmd("--addr", addr, "--tags", "@skip")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAILED  a member whose buffer is full is skipped and keeps its place (features/rotation.feature)")
	assert.Equal(t, "0 passed, 1 failed, 0 skipped", lastLine(out))
}

// A run in which every selected scenario is skipped ran nothing: it fails,
// and each skip says why.
func TestSkipsPrintTheirReasonAndNothingRunIsAFailure(t *testing.T) {
	addr := serve(t, brokentest.None)
	code, out, _ := runCmd("--addr", addr, "--tags", "@headers")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, `SKIPPED headers reach the subscriber unchanged (features/headers.feature): the server does not announce the capability "headers"`)
	assert.Contains(t, out, "no scenario ran")
	assert.Equal(t, "0 passed, 0 failed, 4 skipped", lastLine(out))
}

// junit goes to --out with <skipped> and <failure> elements a CI reads; the
// notes and the summary stay on standard output.
func TestJUnitReport(t *testing.T) {
	addr := serve(t, brokentest.SilentDrops)
	file := filepath.Join(t.TempDir(), "report.xml")
	code, out, _ := runCmd("--addr", addr, "--tags", "@notice,@headers", "--format", "junit", "--out", file)
	assert.Equal(t, 1, code)
	assert.Equal(t, "0 passed, 3 failed, 4 skipped", lastLine(out))
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(b, &suites), string(b))
	assert.Equal(t, 7, suites.Tests)
	assert.Equal(t, 3, suites.Failures)
	assert.Equal(t, 4, suites.Skipped)
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.Skipped != nil {
				assert.Contains(t, c.Skipped.Message, "capability", c.Name)
			}
			if c.Failure != nil {
				assert.NotEmpty(t, c.Failure.Message, c.Name)
			}
		}
	}
}

// With a machine-readable report on standard output, notes and the summary
// move to standard error.
func TestCucumberOnStdoutKeepsNotesOnStderr(t *testing.T) {
	addr := serve(t, brokentest.None)
	code, out, errOut := runCmd("--addr", addr, "--tags", "@rotation && @spec-7.9", "--format", "cucumber")
	assert.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(strings.TrimSpace(out), "["), "stdout is not the cucumber JSON: %.200s", out)
	assert.Equal(t, "1 passed, 0 failed, 0 skipped", lastLine(errOut))
}

func TestList(t *testing.T) {
	code, out, _ := runCmd("--list", "--tags", "@wildcards")
	assert.Equal(t, 0, code)
	entries, err := conformance.List("@wildcards")
	require.NoError(t, err)
	assert.Contains(t, out, `features/wildcards.feature: "/orders/*" matches "/orders/eu"`)
	assert.Contains(t, out, "@wildcards @spec-5.2")
	assert.Equal(t, strconv.Itoa(len(entries))+" scenarios", lastLine(out))
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--addr", "127.0.0.1:1", "--format", "tap"},
		{"--addr", "127.0.0.1:1", "--timeout-scale", "0.5"},
		{"--addr", "127.0.0.1:1", "extra"},
		{"--no-such-flag"},
	} {
		code, _, errOut := runCmd(args...)
		assert.Equal(t, 2, code, "%q: %s", args, errOut)
	}
}

// Every herald-conformance command in README.md is a valid invocation: its
// flags parse and its tag expression selects at least one scenario.
func TestReadmeCommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	n := 0
	for _, line := range strings.Split(string(readme), "\n") {
		cmd, _, _ := strings.Cut(line, "#")
		fields := shellFields(strings.TrimSpace(cmd))
		if len(fields) == 0 || fields[0] != "bin/herald-conformance" {
			continue
		}
		n++
		o, err := parse(fields[1:], io.Discard)
		require.NoError(t, err, line)
		entries, err := conformance.List(o.tags)
		require.NoError(t, err, line)
		assert.NotEmpty(t, entries, "%s selects nothing", line)
	}
	assert.GreaterOrEqual(t, n, 4, "README.md has fewer commands than expected")
}

// shellFields splits a command line on spaces, keeping single-quoted words.
func shellFields(s string) []string {
	var out []string
	for s != "" {
		s = strings.TrimLeft(s, " ")
		if strings.HasPrefix(s, "'") {
			end := strings.Index(s[1:], "'")
			if end < 0 {
				return append(out, s[1:])
			}
			out = append(out, s[1:end+1])
			s = s[end+2:]
			continue
		}
		word, rest, _ := strings.Cut(s, " ")
		if word != "" {
			out = append(out, word)
		}
		s = rest
	}
	return out
}
