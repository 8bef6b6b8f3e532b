package wire

import "strconv"

// Version is the protocol version this codec speaks.
const Version = 1

// Op is the operation code carried as the first element of every frame body.
type Op uint8

// The ops of protocol version 1 (PROTOCOL.md section 3).
const (
	OpHello   Op = 1  // client: opens the session
	OpWelcome Op = 2  // server: accepts HELLO
	OpPub     Op = 3  // client: publishes a message
	OpSub     Op = 4  // client: subscribes a pattern under a sid
	OpUnsub   Op = 5  // client: ends a subscription, now or after N more messages
	OpMsg     Op = 6  // server: delivers a message to a subscription
	OpPing    Op = 7  // both: keepalive and barrier
	OpPong    Op = 8  // both: answers PING
	OpErr     Op = 9  // server: reports an error
	OpNotice  Op = 10 // server: reports dropped messages
	OpAck     Op = 11 // client: returns prefetch credit
)

var opNames = [...]string{
	OpHello: "HELLO", OpWelcome: "WELCOME", OpPub: "PUB", OpSub: "SUB", OpUnsub: "UNSUB",
	OpMsg: "MSG", OpPing: "PING", OpPong: "PONG", OpErr: "ERR", OpNotice: "NOTICE", OpAck: "ACK",
}

// String returns the op's name as the spec writes it ("PUB"), or "OP(n)" for
// an unknown code.
func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "OP(" + strconv.Itoa(int(o)) + ")"
}

// Known reports whether o is an op defined by this protocol version.
func (o Op) Known() bool { return o >= OpHello && o <= OpAck }

// FromServer reports whether o is an op only a server sends.
func (o Op) FromServer() bool {
	return o == OpWelcome || o == OpMsg || o == OpErr || o == OpNotice
}

// Limits fixed by the protocol (PROTOCOL.md section 11).
const (
	// HeaderLen is the size of a frame's length prefix.
	HeaderLen = 4
	// MaxHelloFrame is the largest frame length accepted before WELCOME.
	MaxHelloFrame = 65536
	// FrameOverhead is what max_frame must allow beyond max_payload.
	FrameOverhead = 65536
	// MaxChannelLen is the longest channel or pattern, in bytes.
	MaxChannelLen = 256
	// MaxQueueLen is the longest queue group name, in bytes.
	MaxQueueLen = 64
	// MaxSid is the largest subscription id.
	MaxSid = 1<<32 - 1
)

// Byte offsets inside an encoded MSG frame (PROTOCOL.md 2.7).
const (
	MsgSidOffset = 7  // 4 bytes, big endian
	MsgSeqOffset = 12 // 8 bytes, big endian
	MsgPrefixLen = 20 // length, array header, op, sid, seq
)
