package steps

import (
	"fmt"
	"slices"

	"github.com/heraldmq/herald/spec/wire"
)

// Requirement is a tag that makes a scenario depend on what the server
// announced in WELCOME: a capability (PROTOCOL.md 4.7), an overflow policy or
// a limit. A scenario with such a tag is skipped, with the reason, on a server
// that lacks it.
type Requirement struct {
	Tag string
	// Means says, for a reader, what the tag asks of the server.
	Means string
	// lacks returns why w does not meet the requirement, or "".
	lacks func(w wire.Welcome) string
}

// Requirements lists every tag that can turn a scenario into a skip.
var Requirements = []Requirement{
	capability(wire.CapHeaders, "PUB headers are carried to subscribers (4.7)"),
	capability(wire.CapNoResponders, "requests that reach nobody come back as no-responders messages (7.10)"),
	capability(wire.CapPrefetch, "rotation members may limit unacknowledged messages with prefetch and ACK (7.11)"),
	capability(wire.CapAuth, "the server checks HELLO credentials (4.6)"),
	classicAuthRequirement(),
	policy(wire.OverflowDrop),
	policy(wire.OverflowDisconnect),
	{
		Tag:   "@payload-fits-buffer",
		Means: "a MSG carrying max_payload bytes fits in max_pending_bytes, so it can be delivered at all (8.2)",
		lacks: func(w wire.Welcome) string {
			n := wire.MsgFrameLen(make([]byte, wire.MaxChannelLen), nil, nil, make([]byte, w.MaxPayload))
			if uint64(n) > w.MaxPendingBytes {
				return fmt.Sprintf("a MSG of max_payload %d bytes is larger than max_pending_bytes %d, so no subscriber can ever receive one", w.MaxPayload, w.MaxPendingBytes)
			}
			return ""
		},
	},
	{
		Tag:   "@max-subscriptions",
		Means: "WELCOME announces a non-zero max_subscriptions (6.6)",
		lacks: func(w wire.Welcome) string {
			if w.MaxSubscriptions == 0 {
				return "the server announces no subscription limit (max_subscriptions 0)"
			}
			return ""
		},
	},
}

func capability(name, means string) Requirement {
	return Requirement{
		Tag:   "@" + name,
		Means: "WELCOME announces the capability " + name + ": " + means,
		lacks: func(w wire.Welcome) string {
			if w.Has(name) {
				return ""
			}
			return fmt.Sprintf("the server does not announce the capability %q (it announces %q)", name, w.Capabilities)
		},
	}
}

func policy(p string) Requirement {
	return Requirement{
		Tag:   "@overflow-" + p,
		Means: "WELCOME announces the overflow policy " + p + " (section 8)",
		lacks: func(w wire.Welcome) string {
			if w.Overflow == p {
				return ""
			}
			return fmt.Sprintf("the scenario needs the overflow policy %q and the server announces %q", p, w.Overflow)
		},
	}
}

// SkipReason returns why a scenario with these tags cannot run against a
// server that sent w, or "" when it can.
func SkipReason(tags []string, w wire.Welcome) string {
	for _, r := range Requirements {
		if slices.Contains(tags, r.Tag) {
			if why := r.lacks(w); why != "" {
				return why
			}
		}
	}
	return ""
}
