package main

import (
	"strings"

	"github.com/heraldmq/herald/spec"
)

func invalidChannels() []spec.NamedChannel {
	return []spec.NamedChannel{
		nc("no-leading-slash", "topic/foo"),
		nc("slash-only", "/"),
		nc("empty-segment", "/a//b"),
		nc("trailing-slash", "/a/"),
		nc("space", "/a b"),
		nc("tab", "/a\tb"),
		nc("del", "/a\x7f"),
		nc("star", "/a/*"),
		nc("gt", "/a/>"),
		nc("star-in-segment", "/a*b"),
		nc("too-long", "/"+strings.Repeat("a", 256)),
	}
}

func invalidPatterns() []spec.NamedChannel {
	return []spec.NamedChannel{
		nc("no-leading-slash", "orders/*"),
		nc("slash-only", "/"),
		nc("empty-segment", "/a//*"),
		nc("trailing-slash", "/a/*/"),
		nc("gt-not-last", "/a/>/b"),
		nc("star-inside-segment", "/a*"),
		nc("gt-inside-segment", "/a/b>"),
		nc("space", "/a /b"),
		nc("too-long", "/"+strings.Repeat("b", 256)),
	}
}

func channelsFile() spec.ChannelVectors {
	return spec.ChannelVectors{
		Comment: "Channel, pattern and queue-group grammar (spec/PROTOCOL.md section 5) and matching cases.",
		Spec:    []string{"5.1", "5.2", "5.3", "5.5", "7.4"},
		ValidChannels: []string{"/topic/foo", "/queue/jobs", "/null", "/a", "/orders/eu/new", "/_inbox/abc/1",
			"/Mixed.Case-and_punct!~", "/" + strings.Repeat("a", 255)},
		InvalidChannels: append(invalidChannels(), nc("empty", ""), nc("non-ascii", "/caf\u00e9")),
		ValidPatterns:   []string{"/topic/foo", "/*", "/>", "/orders/*", "/orders/>", "/*/eu/*", "/queue/>", "/a/*/c/>"},
		InvalidPatterns: append(invalidPatterns(), nc("empty", "")),
		ValidQueues:     []string{"workers", "w", "billing.v2-eu_1", strings.Repeat("q", 64)},
		InvalidQueues:   []spec.NamedChannel{nc("empty", ""), nc("too-long", strings.Repeat("q", 65)), nc("space", "my workers"), nc("non-ascii", "caf\u00e9")},
		QueuePatterns: []spec.MatchCase{
			{Pattern: "/queue", Match: true}, {Pattern: "/queue/jobs", Match: true}, {Pattern: "/queuex", Match: true},
			{Pattern: "/queue/*", Match: true}, {Pattern: "/Queue/jobs", Match: false}, {Pattern: "/jobs/queue", Match: false},
			{Pattern: "/q", Match: false},
		},
		Matches: []spec.MatchCase{
			mc("/topic/foo", "/topic/foo", true),
			mc("/topic/foo", "/topic/foobar", false),
			mc("/topic/foo", "/topic", false),
			mc("/topic/foo", "/Topic/foo", false),
			mc("/orders/*", "/orders/eu", true),
			mc("/orders/*", "/orders", false),
			mc("/orders/*", "/orders/eu/new", false),
			mc("/orders/>", "/orders/eu", true),
			mc("/orders/>", "/orders/eu/new", true),
			mc("/orders/>", "/orders", false),
			mc("/>", "/a", true),
			mc("/>", "/a/b/c", true),
			mc("/*", "/a", true),
			mc("/*", "/a/b", false),
			mc("/*/eu/*", "/orders/eu/new", true),
			mc("/*/eu/*", "/orders/us/new", false),
			mc("/a/*/c/>", "/a/b/c/d", true),
			mc("/a/*/c/>", "/a/b/c", false),
			mc("/queue/*", "/queue/jobs", true),
			mc("/a/b", "/a/b/c", false),
			mc("/a/b/c", "/a/b", false),
		},
	}
}

func nc(name, value string) spec.NamedChannel { return spec.NamedChannel{Name: name, Value: value} }

func mc(pattern, channel string, match bool) spec.MatchCase {
	return spec.MatchCase{Pattern: pattern, Channel: channel, Match: match}
}
