package main

import (
	"encoding/hex"
	"strings"

	"github.com/heraldmq/herald/spec"
)

func opsFile() spec.OpVectors {
	return spec.OpVectors{
		Comment: "Valid frames of protocol version 1. hex is the whole frame, length prefix included. " +
			"Byte fields are hex in *_hex keys; absent optional fields are null. See spec/PROTOCOL.md.",
		Vectors: append(append(handshakeOps(), messageOps()...), controlOps()...),
	}
}

func hello(version uint64, name string, user, token *string, echo, headers, noResp bool) *enc {
	return newEnc().arr(6).uint(1).uint(version).str(name).optStr(user).optStr(token).
		mapLen(3).str("echo").bool_(echo).str("headers").bool_(headers).str("no_responders").bool_(noResp)
}

func helloFields(version uint64, name string, user, token *string, echo, headers, noResp bool) map[string]any {
	return map[string]any{"version": version, "name": name, "user": user, "token": token,
		"options": map[string]any{"echo": echo, "headers": headers, "no_responders": noResp}}
}

func handshakeOps() []spec.OpVector {
	caps := []string{"headers", "no_responders", "prefetch"}
	welcome := newEnc().arr(14).uint(2).uint(1).str("NCXQ4BRLHUJZQ6K3ZIYB5Q").str("heraldd").str("0.1.0").
		uint(1048576).uint(1114112).uint(16384).uint(65536).uint(30000).uint(2).uint(8388608).str("drop").arr(3)
	for _, c := range caps {
		welcome.str(c)
	}
	return []spec.OpVector{
		{Name: "hello-minimal", Op: "HELLO", Spec: []string{"2.1", "4.2"}, Canonical: true,
			Hex:    hello(1, "", nil, nil, true, true, false).frame(),
			Fields: helloFields(1, "", nil, nil, true, true, false)},
		{Name: "hello-credentials", Op: "HELLO", Spec: []string{"4.2", "4.6"}, Canonical: true,
			Hex:    hello(1, "billing-worker", sp("alice"), sp("s3cret"), false, true, true).frame(),
			Fields: helloFields(1, "billing-worker", sp("alice"), sp("s3cret"), false, true, true)},
		{Name: "hello-defaults-and-unknown-option", Op: "HELLO", Spec: []string{"4.2", "2.6"}, Canonical: false,
			Note:   "options left out take their defaults; unknown keys are ignored",
			Hex:    newEnc().arr(6).uint(1).uint(1).str("x").nil_().nil_().mapLen(1).str("compress").str("zstd").frame(),
			Fields: helloFields(1, "x", nil, nil, true, true, false)},
		{Name: "hello-unsupported-version", Op: "HELLO", Spec: []string{"4.3"}, Canonical: true,
			Note:   "decodes fine; a server answers ERR unsupported_version",
			Hex:    hello(99, "", nil, nil, true, true, false).frame(),
			Fields: helloFields(99, "", nil, nil, true, true, false)},
		{Name: "welcome-reference", Op: "WELCOME", Spec: []string{"4.4", "4.7"}, Canonical: true,
			Hex: welcome.frame(),
			Fields: map[string]any{"version": 1, "server_id": "NCXQ4BRLHUJZQ6K3ZIYB5Q", "server_name": "heraldd",
				"server_version": "0.1.0", "max_payload": 1048576, "max_frame": 1114112, "max_header_bytes": 16384,
				"max_subscriptions": 65536, "ping_interval_ms": 30000, "max_pings_out": 2,
				"max_pending_bytes": 8388608, "overflow": "drop", "capabilities": caps}},
	}
}

func pubFields(ch string, reply *string, h map[string]string, payload []byte) map[string]any {
	var hv any
	if h != nil {
		hv = h
	}
	return map[string]any{"channel": ch, "reply_to": reply, "headers": hv, "payload_hex": hex.EncodeToString(payload)}
}

func msgFields(sid uint32, seq uint64, ch string, reply *string, h map[string]string, payload []byte) map[string]any {
	f := pubFields(ch, reply, h, payload)
	f["sid"], f["seq"] = sid, seq
	return f
}

func pub(ch string, reply *string, h map[string]string, payload []byte) *enc {
	return newEnc().arr(5).uint(3).str(ch).optStr(reply).headers(h).bin(payload)
}

func msg(sid uint32, seq uint64, ch string, reply *string, h map[string]string, payload []byte) *enc {
	return newEnc().arr(7).uint(6).u32(sid).u64(seq).str(ch).optStr(reply).headers(h).bin(payload)
}

func messageOps() []spec.OpVector {
	big := []byte(strings.Repeat("x", 300))
	hdr := map[string]string{"content-type": "text/plain", "trace-id": "4bf92f3577b34da6"}
	longCh := "/" + strings.Repeat("a", 255)
	return []spec.OpVector{
		{Name: "pub-basic", Op: "PUB", Spec: []string{"2.1", "2.4", "6.1"}, Canonical: true,
			Hex: pub("/topic/foo", nil, nil, []byte("hello")).frame(), Fields: pubFields("/topic/foo", nil, nil, []byte("hello"))},
		{Name: "pub-empty-payload", Op: "PUB", Spec: []string{"6.3"}, Canonical: true,
			Hex: pub("/null", nil, nil, []byte{}).frame(), Fields: pubFields("/null", nil, nil, []byte{})},
		{Name: "pub-reply-headers", Op: "PUB", Spec: []string{"6.1", "2.6"}, Canonical: true,
			Hex:    pub("/svc/time", sp("/_inbox/abc/1"), hdr, []byte{0, 1, 2, 0xff}).frame(),
			Fields: pubFields("/svc/time", sp("/_inbox/abc/1"), hdr, []byte{0, 1, 2, 0xff})},
		{Name: "pub-bin16-payload", Op: "PUB", Spec: []string{"2.6"}, Canonical: true,
			Hex: pub("/a", nil, nil, big).frame(), Fields: pubFields("/a", nil, nil, big)},
		{Name: "pub-longest-channel", Op: "PUB", Spec: []string{"5.1"}, Canonical: true,
			Hex: pub(longCh, nil, nil, []byte("z")).frame(), Fields: pubFields(longCh, nil, nil, []byte("z"))},
		{Name: "pub-noncanonical-str8-and-extra-field", Op: "PUB", Spec: []string{"2.5", "2.6"}, Canonical: false,
			Note:   "channel in str 8 although short; an extra trailing element that receivers ignore",
			Hex:    newEnc().arr(6).uint(3).raw(0xd9, 2, '/', 'a').nil_().nil_().bin([]byte("p")).str("future").frame(),
			Fields: pubFields("/a", nil, nil, []byte("p"))},
		{Name: "msg-basic", Op: "MSG", Spec: []string{"2.7", "7.1", "7.3"}, Canonical: true,
			Hex: msg(1, 1, "/topic/foo", nil, nil, []byte("hello")).frame(), Fields: msgFields(1, 1, "/topic/foo", nil, nil, []byte("hello"))},
		{Name: "msg-large-sid-seq-reply-headers", Op: "MSG", Spec: []string{"2.7"}, Canonical: true,
			Hex:    msg(4000000000, 1<<40, "/svc/time", sp("/_inbox/abc/1"), hdr, []byte("now")).frame(),
			Fields: msgFields(4000000000, 1<<40, "/svc/time", sp("/_inbox/abc/1"), hdr, []byte("now"))},
		{Name: "msg-no-responders", Op: "MSG", Spec: []string{"7.10"}, Canonical: true,
			Hex:    msg(9, 1, "/_inbox/abc/1", nil, map[string]string{"status": "no_responders"}, []byte{}).frame(),
			Fields: msgFields(9, 1, "/_inbox/abc/1", nil, map[string]string{"status": "no_responders"}, []byte{})},
		{Name: "msg-compact-ints", Op: "MSG", Spec: []string{"2.6"}, Canonical: false,
			Note:   "servers write fixed widths (2.7) but clients accept any integer encoding",
			Hex:    newEnc().arr(7).uint(6).uint(3).uint(2).str("/a").nil_().nil_().bin([]byte("v")).frame(),
			Fields: msgFields(3, 2, "/a", nil, nil, []byte("v"))},
		{Name: "sub-basic", Op: "SUB", Spec: []string{"6.4", "6.7"}, Canonical: true,
			Hex:    newEnc().arr(5).uint(4).uint(1).str("/orders/*").nil_().uint(0).frame(),
			Fields: map[string]any{"sid": 1, "pattern": "/orders/*", "queue": nil, "prefetch": 0}},
		{Name: "sub-queue-prefetch", Op: "SUB", Spec: []string{"6.5", "7.4", "7.11"}, Canonical: true,
			Hex:    newEnc().arr(5).uint(4).uint(300).str("/jobs/>").str("workers").uint(8).frame(),
			Fields: map[string]any{"sid": 300, "pattern": "/jobs/>", "queue": "workers", "prefetch": 8}},
		{Name: "sub-noncanonical-ints", Op: "SUB", Spec: []string{"2.6"}, Canonical: false,
			Note:   "sid as int 8, prefetch as uint 32",
			Hex:    newEnc().arr(5).uint(4).raw(0xd0, 5).str("/queue/jobs").nil_().raw(0xce, 0, 0, 0, 0).frame(),
			Fields: map[string]any{"sid": 5, "pattern": "/queue/jobs", "queue": nil, "prefetch": 0}},
		{Name: "unsub-now", Op: "UNSUB", Spec: []string{"6.8"}, Canonical: true,
			Hex: newEnc().arr(3).uint(5).uint(1).uint(0).frame(), Fields: map[string]any{"sid": 1, "max": 0}},
		{Name: "unsub-after", Op: "UNSUB", Spec: []string{"6.8"}, Canonical: true,
			Hex: newEnc().arr(3).uint(5).uint(7).uint(1000).frame(), Fields: map[string]any{"sid": 7, "max": 1000}},
		{Name: "ack", Op: "ACK", Spec: []string{"6.10", "7.11"}, Canonical: true,
			Hex: newEnc().arr(3).uint(11).uint(300).uint(2).frame(), Fields: map[string]any{"sid": 300, "count": 2}},
	}
}

func errVec(code, message string, refOp, refSid any, refChannel *string, reqs ...string) spec.OpVector {
	e := newEnc().arr(6).uint(9).str(code).str(message)
	for _, v := range []any{refOp, refSid} {
		if v == nil {
			e.nil_()
		} else {
			e.uint(uint64(v.(int)))
		}
	}
	e.optStr(refChannel)
	return spec.OpVector{Name: "err-" + strings.ReplaceAll(code, "_", "-"), Op: "ERR", Spec: append([]string{"10.1"}, reqs...),
		Canonical: true, Hex: e.frame(),
		Fields: map[string]any{"code": code, "message": message, "ref_op": refOp, "ref_sid": refSid, "ref_channel": refChannel}}
}

func controlOps() []spec.OpVector {
	v := []spec.OpVector{
		{Name: "ping", Op: "PING", Spec: []string{"9.1"}, Canonical: true, Hex: newEnc().arr(1).uint(7).frame(), Fields: map[string]any{}},
		{Name: "pong", Op: "PONG", Spec: []string{"9.1", "9.2"}, Canonical: true, Hex: newEnc().arr(1).uint(8).frame(), Fields: map[string]any{}},
		{Name: "notice-slow-consumer", Op: "NOTICE", Spec: []string{"8.3", "8.4"}, Canonical: true,
			Hex:    newEnc().arr(6).uint(10).uint(1).uint(1000).uint(4001).uint(5000).str("slow_consumer").frame(),
			Fields: map[string]any{"sid": 1, "count": 1000, "first_seq": 4001, "last_seq": 5000, "reason": "slow_consumer"}},
		{Name: "notice-queue-full", Op: "NOTICE", Spec: []string{"7.7", "8.4"}, Canonical: true,
			Hex:    newEnc().arr(6).uint(10).uint(2).uint(1).uint(17).uint(17).str("queue_full").frame(),
			Fields: map[string]any{"sid": 2, "count": 1, "first_seq": 17, "last_seq": 17, "reason": "queue_full"}},
	}
	return append(v,
		errVec("bad_frame", "zero-length frame", nil, nil, nil, "2.2", "2.4"),
		errVec("frame_too_large", "frame of 70000 bytes exceeds the limit of 65536", nil, nil, nil, "2.3"),
		errVec("protocol_violation", "the first frame must be HELLO", 3, nil, nil, "4.1", "3.2", "4.5", "10.2"),
		errVec("unsupported_version", "unsupported protocol version 9; supported: 1", 1, nil, nil, "4.3"),
		errVec("auth_failed", "authentication failed", 1, nil, nil, "4.6"),
		errVec("slow_consumer", "outbound buffer overflow", nil, nil, nil, "8.5", "8.6"),
		errVec("stale_connection", "no frame for 90000 ms", nil, nil, nil, "9.3"),
		errVec("shutting_down", "server shutting down", nil, nil, nil, "12.1"),
		errVec("too_many_connections", "connection limit of 10000 reached", nil, nil, nil),
		errVec("unknown_op", "unknown op 99", 99, nil, nil, "3.1"),
		errVec("invalid_channel", "invalid channel", 3, nil, sp("topic//foo"), "5.4"),
		errVec("invalid_subscription", "sid must be between 1 and 4294967295", 4, nil, nil, "6.4", "6.5"),
		errVec("unknown_sid", "no subscription has sid 42", 5, 42, nil, "6.9"),
		errVec("payload_too_large", "payload of 2000000 bytes exceeds max_payload 1048576", 3, nil, sp("/big"), "6.2"),
		errVec("headers_too_large", "headers of 20000 bytes exceed max_header_bytes 16384", 3, nil, sp("/h"), "6.3"),
		errVec("too_many_subscriptions", "limit of 65536 subscriptions reached", 4, 65537, nil, "6.6"),
		errVec("permission_denied", "publish to /admin/reset not permitted", 3, nil, sp("/admin/reset"), "6.6"),
	)
}
