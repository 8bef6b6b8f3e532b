package main

import (
	"encoding/hex"
	"strings"

	"github.com/heraldmq/herald/spec"
)

func ip(v int) *int { return &v }

func bodyHex(body []byte) string { return frameHex(body) }

func invalidFile() spec.InvalidVectors {
	pubOK := pub("/a", nil, nil, []byte("x")).buf.Bytes()
	deep := newEnc().arr(6).uint(3).str("/a").nil_().nil_().bin([]byte("x"))
	for i := 0; i < 40; i++ {
		deep.arr(1)
	}
	deep.nil_()
	fatal := func(name, phase, hexs, code string, codec bool, reqs ...string) spec.InvalidVector {
		return spec.InvalidVector{Name: name, Spec: reqs, Phase: phase, Hex: hexs, Error: code, Fatal: true, Codec: codec}
	}
	v := []spec.InvalidVector{
		fatal("zero-length", "after_hello", "00000000", "bad_frame", true, "2.2"),
		fatal("zero-length-before-hello", "before_hello", "00000000", "bad_frame", true, "2.2"),
		fatal("oversize-before-hello", "before_hello", "00010001", "frame_too_large", true, "2.3"),
		fatal("oversize-after-hello", "after_hello", "fffffff0", "frame_too_large", true, "2.3"),
		fatal("not-msgpack", "after_hello", bodyHex([]byte{0xc1}), "bad_frame", true, "2.4"),
		fatal("not-an-array", "after_hello", newEnc().str("abc").frame(), "bad_frame", true, "2.4"),
		fatal("empty-array", "after_hello", newEnc().arr(0).frame(), "bad_frame", true, "2.4"),
		fatal("op-not-an-integer", "after_hello", newEnc().arr(1).str("PUB").frame(), "bad_frame", true, "2.4"),
		fatal("op-negative", "after_hello", bodyHex([]byte{0x91, 0xff}), "bad_frame", true, "2.4"),
		fatal("bytes-after-array", "after_hello", bodyHex(append(append([]byte{}, pubOK...), 0xc0)), "bad_frame", true, "2.4"),
		fatal("pub-missing-field", "after_hello", newEnc().arr(4).uint(3).str("/a").nil_().nil_().frame(), "bad_frame", true, "2.4"),
		fatal("pub-payload-is-str", "after_hello", newEnc().arr(5).uint(3).str("/a").nil_().nil_().str("x").frame(), "bad_frame", true, "2.4", "2.6"),
		fatal("pub-channel-is-bin", "after_hello", newEnc().arr(5).uint(3).bin([]byte("/a")).nil_().nil_().bin([]byte("x")).frame(), "bad_frame", true, "2.4", "2.6"),
		fatal("pub-headers-not-a-map", "after_hello", newEnc().arr(5).uint(3).str("/a").nil_().arr(0).bin([]byte("x")).frame(), "bad_frame", true, "2.4", "2.6"),
		fatal("pub-header-value-not-str", "after_hello", newEnc().arr(5).uint(3).str("/a").nil_().mapLen(1).str("k").uint(1).bin([]byte("x")).frame(), "bad_frame", true, "2.4", "2.6"),
		fatal("sub-sid-negative", "after_hello", newEnc().arr(5).uint(4).raw(0xd0, 0xfb).str("/a").nil_().uint(0).frame(), "bad_frame", true, "2.4", "2.6"),
		fatal("sub-sid-is-str", "after_hello", newEnc().arr(5).uint(4).str("1").str("/a").nil_().uint(0).frame(), "bad_frame", true, "2.4"),
		fatal("truncated-array", "after_hello", newEnc().arr(5).uint(3).str("/a").frame(), "bad_frame", true, "2.4"),
		fatal("huge-array-header", "after_hello", bodyHex([]byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0x03}), "bad_frame", true, "2.4"),
		fatal("str-longer-than-frame", "after_hello", bodyHex([]byte{0x95, 0x03, 0xdb, 0x7f, 0xff, 0xff, 0xff, '/'}), "bad_frame", true, "2.4"),
		{Name: "deeply-nested-extra-field", Spec: []string{"2.4", "2.5"}, Phase: "after_hello", Hex: deep.frame(), Error: "bad_frame", Fatal: true, Codec: true,
			Note: "a decoder may bound nesting; the reference codec allows 32 levels"},
		fatal("ping-with-fields-wrong-type", "after_hello", bodyHex([]byte{0x92, 0x07, 0xc1}), "bad_frame", true, "2.4"),
		{Name: "unknown-op", Spec: []string{"3.1"}, Phase: "after_hello", Hex: newEnc().arr(1).uint(99).frame(), Error: "unknown_op", RefOp: ip(99)},
		{Name: "unknown-op-with-fields", Spec: []string{"3.1", "2.5"}, Phase: "after_hello", Hex: newEnc().arr(3).uint(42).str("x").mapLen(0).frame(), Error: "unknown_op", RefOp: ip(42)},
		fatal("msg-from-client", "after_hello", msg(1, 1, "/a", nil, nil, []byte("x")).frame(), "protocol_violation", false, "3.2"),
		fatal("welcome-from-client", "after_hello", newEnc().arr(1).uint(2).frame(), "protocol_violation", false, "3.2"),
		fatal("pub-before-hello", "before_hello", pub("/a", nil, nil, []byte("x")).frame(), "protocol_violation", false, "4.1"),
		fatal("ping-before-hello", "before_hello", newEnc().arr(1).uint(7).frame(), "protocol_violation", false, "4.1"),
		fatal("second-hello", "after_hello", hello(1, "", nil, nil, true, true, false).frame(), "protocol_violation", false, "4.5"),
		fatal("unsupported-version", "before_hello", hello(99, "", nil, nil, true, true, false).frame(), "unsupported_version", false, "4.3"),
		fatal("version-zero", "before_hello", hello(0, "", nil, nil, true, true, false).frame(), "unsupported_version", false, "4.3"),
	}
	nonFatal := func(name, hexs, code string, refOp int, refSid *int, refCh *string, reqs ...string) spec.InvalidVector {
		return spec.InvalidVector{Name: name, Spec: reqs, Phase: "after_hello", Hex: hexs, Error: code, RefOp: ip(refOp), RefSid: refSid, RefChannel: refCh}
	}
	for _, ch := range invalidChannels() {
		if ch.Value == "" || !utf8Printable(ch.Value) {
			continue
		}
		v = append(v, nonFatal("pub-channel-"+ch.Name, pub(ch.Value, nil, nil, []byte("x")).frame(), "invalid_channel", 3, nil, sp(ch.Value), "5.1", "5.4"))
	}
	v = append(v,
		nonFatal("pub-channel-empty", pub("", nil, nil, []byte("x")).frame(), "invalid_channel", 3, nil, sp(""), "5.1", "5.4"),
		nonFatal("pub-channel-control-byte", pub("/a\x01b", nil, nil, []byte("x")).frame(), "invalid_channel", 3, nil, sp("/a\x01b"), "5.1", "5.4"),
		nonFatal("pub-channel-utf8", pub("/caf\u00e9", nil, nil, []byte("x")).frame(), "invalid_channel", 3, nil, sp("/caf\u00e9"), "5.1", "5.4"),
		nonFatal("pub-reply-to-wildcard", pub("/a", sp("/inbox/*"), nil, []byte("x")).frame(), "invalid_channel", 3, nil, sp("/inbox/*"), "5.4"),
		nonFatal("pub-reply-to-empty-segment", pub("/a", sp("/inbox//1"), nil, []byte("x")).frame(), "invalid_channel", 3, nil, sp("/inbox//1"), "5.4"),
	)
	for _, p := range invalidPatterns() {
		v = append(v, nonFatal("sub-pattern-"+p.Name, newEnc().arr(5).uint(4).uint(7).str(p.Value).nil_().uint(0).frame(), "invalid_channel", 4, ip(7), sp(p.Value), "5.2", "5.4"))
	}
	v = append(v,
		nonFatal("sub-queue-empty", newEnc().arr(5).uint(4).uint(8).str("/a").str("").uint(0).frame(), "invalid_subscription", 4, ip(8), nil, "5.4", "5.5"),
		nonFatal("sub-queue-too-long", newEnc().arr(5).uint(4).uint(8).str("/a").str(strings.Repeat("q", 65)).uint(0).frame(), "invalid_subscription", 4, ip(8), nil, "5.4", "5.5"),
		nonFatal("sub-queue-space", newEnc().arr(5).uint(4).uint(8).str("/a").str("my workers").uint(0).frame(), "invalid_subscription", 4, ip(8), nil, "5.4", "5.5"),
		nonFatal("sub-sid-zero", newEnc().arr(5).uint(4).uint(0).str("/a").nil_().uint(0).frame(), "invalid_subscription", 4, nil, nil, "6.4"),
		spec.InvalidVector{Name: "sub-sid-too-large", Spec: []string{"6.4"}, Phase: "after_hello", Hex: newEnc().arr(5).uint(4).uint(1 << 32).str("/a").nil_().uint(0).frame(),
			Error: "invalid_subscription", RefOp: ip(4), Codec: true, Note: "ref_sid cannot carry the sid; servers send nil"},
		nonFatal("sub-prefetch-without-queue", newEnc().arr(5).uint(4).uint(9).str("/plain").nil_().uint(5).frame(), "invalid_subscription", 4, ip(9), nil, "6.5"),
		nonFatal("unsub-unknown-sid", newEnc().arr(3).uint(5).uint(42).uint(0).frame(), "unknown_sid", 5, ip(42), nil, "6.9"),
		nonFatal("ack-unknown-sid", newEnc().arr(3).uint(11).uint(43).uint(1).frame(), "unknown_sid", 11, ip(43), nil, "6.9"),
	)
	return spec.InvalidVectors{
		Comment: "Frames a server must reject, with the ERR it must send and whether it then closes the connection. " +
			"hex is the whole frame; oversize vectors hold only the length prefix. See spec/PROTOCOL.md.",
		Vectors: v,
	}
}

func utf8Printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

var _ = hex.EncodeToString
