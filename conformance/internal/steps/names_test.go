package steps

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec"
	"github.com/heraldmq/herald/spec/wire"
)

func TestDecodeName(t *testing.T) {
	for in, want := range map[string]string{
		"<empty>":   "",
		"/a<TAB>b":  "/a\tb",
		"/a<DEL>":   "/a\x7f",
		"/a<0x01>b": "/a\x01b",
		"/<a×3>/x":  "/aaa/x",
		"/plain":    "/plain",
	} {
		got, err := DecodeName(in)
		require.NoError(t, err)
		assert.Equal(t, want, got, in)
	}
}

// The namespace token keeps matching, validity and the /queue rule intact,
// on every matching case of the spec's vectors.
func TestNamespacePreservesMatching(t *testing.T) {
	ns := newNamespace()
	for _, m := range spec.Channels().Matches {
		p, c := ns.translate(m.Pattern), ns.translate(m.Channel)
		assert.True(t, wire.ValidPattern([]byte(p)), p)
		assert.True(t, wire.ValidChannel([]byte(c)), c)
		assert.Equal(t, m.Match, wire.Match([]byte(p), []byte(c)), "%s vs %s", p, c)
	}
	for _, q := range spec.Channels().QueuePatterns {
		assert.Equal(t, q.Match, wire.IsQueuePattern([]byte(ns.translate(q.Pattern))), q.Pattern)
	}
	assert.Equal(t, "/>", ns.translate("/>"), "a wildcard first segment stays")
	long := "/" + strings.Repeat("z", 255)
	assert.Equal(t, long, ns.translate(long), "a name that would grow past 256 bytes stays")
	assert.Equal(t, "/a//b", ns.translate("/a//b"), "an invalid name stays")
	assert.NotEqual(t, newNamespace().token, ns.token)
}

func TestWitnessMatchesItsPattern(t *testing.T) {
	for _, p := range spec.Channels().ValidPatterns {
		w := witness(p)
		assert.True(t, wire.ValidChannel([]byte(w)), w)
		assert.True(t, wire.Match([]byte(p), []byte(w)), "%s should match %s", p, w)
	}
}

func TestHeadersOfSize(t *testing.T) {
	for _, n := range []int{5, 36, 37, 300, 16 << 10, 16<<10 + 1} {
		h, err := headersOfSize(n)
		require.NoError(t, err, n)
		assert.Len(t, h, n)
		_, err = wire.DecodeHeaders(h)
		assert.NoError(t, err)
	}
}

func TestSkipReason(t *testing.T) {
	w := wire.Welcome{Overflow: wire.OverflowDrop, Capabilities: []string{"headers"}, MaxPayload: 1 << 20, MaxPendingBytes: 8 << 20, MaxSubscriptions: 10}
	assert.Empty(t, SkipReason([]string{"@headers", "@overflow-drop", "@payload-fits-buffer", "@max-subscriptions"}, w))
	assert.Contains(t, SkipReason([]string{"@prefetch"}, w), `"prefetch"`)
	assert.Contains(t, SkipReason([]string{"@overflow-disconnect"}, w), "disconnect")
	w.MaxSubscriptions, w.MaxPendingBytes = 0, 1<<10
	assert.Contains(t, SkipReason([]string{"@max-subscriptions"}, w), "no subscription limit")
	assert.Contains(t, SkipReason([]string{"@payload-fits-buffer"}, w), "max_pending_bytes")
}
