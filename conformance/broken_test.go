package conformance_test

import (
	"bytes"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/conformance"
	"github.com/heraldmq/herald/conformance/internal/brokentest"
)

// brokenCases lists, for each broken broker, the tags that select the
// scenarios meant to catch its flaw, and which of them must fail: every
// other selected scenario must pass, so a flaw is caught by the scenarios
// written for it and nothing else breaks by accident.
var brokenCases = []struct {
	flaw brokentest.Flaw
	tags string
	fail []string
}{
	{brokentest.BlockingFanout, "@isolation", []string{
		"a subscriber that never reads does not slow down ten that do",
	}},
	{brokentest.QueueToAll, "@rotation", []string{
		"a /queue channel is served to its members in the order they joined",
		"a pattern that starts with the bytes /queue makes a rotation set: /queue",
		"a pattern that starts with the bytes /queue makes a rotation set: /queuex",
		"a pattern that starts with the bytes /queue makes a rotation set: /queue/*",
		"a pattern that starts with the bytes /queue makes a rotation set: /queue/jobs",
		"a queue group shares messages while a plain subscriber receives them all",
		"the same group on different patterns makes different sets, each served once",
		"a group on a /queue pattern is a different set from the pattern without a group",
		"a member that joins goes last, and the cursor keeps naming whose turn it is when others leave",
		"a member with echo off is not offered what its own connection publishes",
		"a rotation member that auto-unsubscribes leaves the set after its last message",
	}},
	{brokentest.RotationRestarts, "@rotation", []string{
		"a /queue channel is served to its members in the order they joined",
		"a pattern that starts with the bytes /queue makes a rotation set: /queue",
		"a pattern that starts with the bytes /queue makes a rotation set: /queuex",
		"a pattern that starts with the bytes /queue makes a rotation set: /queue/*",
		"a pattern that starts with the bytes /queue makes a rotation set: /queue/jobs",
		"a queue group shares messages while a plain subscriber receives them all",
		"the same group on different patterns makes different sets, each served once",
		"a group on a /queue pattern is a different set from the pattern without a group",
		"a member that joins goes last, and the cursor keeps naming whose turn it is when others leave",
	}},
	{brokentest.CursorStuckAfterSkip, "@skip", []string{
		"a member whose buffer is full is skipped and keeps its place",
	}},
	{brokentest.SilentDrops, "@notice", []string{
		"a subscriber that stops reading finds every dropped message announced by a NOTICE",
		"the PONG that answers a PING sent after drops comes after the NOTICEs that report them",
		"when every member is full the message is charged to the member at the cursor",
	}},
	{brokentest.SeqStallsOnDrop, "@notice", []string{
		"a subscriber that stops reading finds every dropped message announced by a NOTICE",
		"the PONG that answers a PING sent after drops comes after the NOTICEs that report them",
		"when every member is full the message is charged to the member at the cursor",
	}},
	{brokentest.PubBeforeHello, "@before-hello", []string{
		"a PUB before HELLO is refused and never routed",
		"a frame the server must refuse before HELLO: pub-before-hello",
	}},
}

// startBroken serves a broken broker on 127.0.0.1:0.
func startBroken(t *testing.T, f brokentest.Flaw) string {
	t.Helper()
	b := brokentest.New(f)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = b.Serve(ln) }()
	t.Cleanup(b.Close)
	return ln.Addr().String()
}

// TestBrokenBrokersAreCaught runs each broken broker against the scenarios
// that must catch it and checks that exactly the expected ones fail; then it
// runs heraldd against all of those scenarios and checks that all pass.
func TestBrokenBrokersAreCaught(t *testing.T) {
	var union []string
	for _, bc := range brokenCases {
		union = append(union, bc.tags)
		t.Run(bc.flaw.String(), func(t *testing.T) {
			var report bytes.Buffer
			res, err := conformance.Run(conformance.Config{
				Addr: startBroken(t, bc.flaw), Tags: bc.tags, Format: "progress", Output: &report, Notes: &report,
			})
			require.NoError(t, err)
			var failed []string
			for _, s := range res.Scenarios {
				assert.NotEqual(t, "skipped", s.Status, "%q was skipped: %s", s.Name, s.Detail)
				if s.Status == "failed" {
					failed = append(failed, s.Name)
					first, _, _ := strings.Cut(s.Detail, "\n")
					t.Logf("caught, as expected or not: %q: %s", s.Name, first)
				}
			}
			want := slices.Clone(bc.fail)
			slices.Sort(want)
			slices.Sort(failed)
			assert.Equal(t, want, failed, "the scenarios that fail against the %s broker", bc.flaw)
			assert.Greater(t, res.Passed+res.Failed, len(bc.fail)-1)
			if t.Failed() {
				t.Log(report.String())
			}
		})
	}
	t.Run("heraldd", func(t *testing.T) {
		var report bytes.Buffer
		res, err := conformance.Run(conformance.Config{
			Addr: startHeraldd(t, broker.OverflowDrop), Tags: strings.Join(union, ","), Format: "progress",
			Output: &report, Notes: &report, User: suiteUser, Token: suiteToken,
		})
		require.NoError(t, err)
		assert.True(t, res.OK(), "heraldd: %s", res.Summary())
		assert.Zero(t, res.Skipped)
		for _, s := range res.Scenarios {
			assert.Equal(t, "passed", s.Status, "heraldd: %q: %s", s.Name, s.Detail)
		}
		if t.Failed() {
			t.Log(report.String())
		}
	})
}

// TestFlawlessBrokenBroker checks the brokers themselves: without a flaw,
// every scenario the broken ones are run against passes.
func TestFlawlessBrokenBroker(t *testing.T) {
	var tags []string
	for _, bc := range brokenCases {
		tags = append(tags, bc.tags)
	}
	var report bytes.Buffer
	res, err := conformance.Run(conformance.Config{
		Addr: startBroken(t, brokentest.None), Tags: strings.Join(tags, ","), Format: "progress", Output: &report, Notes: &report,
	})
	require.NoError(t, err)
	for _, s := range res.Scenarios {
		assert.Equal(t, "passed", s.Status, "%q: %s", s.Name, s.Detail)
	}
	if t.Failed() {
		t.Log(report.String())
	}
}
