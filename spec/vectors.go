package spec

import (
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

//go:embed PROTOCOL.md
var protocol string

//go:embed vectors/*.json
var vectorFS embed.FS

// Protocol returns the text of PROTOCOL.md.
func Protocol() string { return protocol }

// OpVector is one valid frame: its bytes and the fields they decode to.
type OpVector struct {
	Name string `json:"name"`
	// Op is the op's name as the spec writes it ("PUB").
	Op string `json:"op"`
	// Spec lists the requirements this vector pins.
	Spec []string `json:"spec"`
	// Canonical vectors are byte for byte what an encoder writing the smallest
	// encodings (and, for MSG, fixed-width sid and seq) produces; others must
	// only decode to Fields.
	Canonical bool `json:"canonical"`
	// Hex is the whole frame, length prefix included.
	Hex string `json:"hex"`
	// Fields are the decoded fields by their spec names; byte fields are hex
	// strings under keys ending in "_hex"; absent optional fields are nil.
	Fields map[string]any `json:"fields"`
	Note   string         `json:"note,omitempty"`
}

// Bytes returns the frame.
func (v OpVector) Bytes() []byte { return mustHex(v.Hex) }

// OpVectors is the content of vectors/ops.json.
type OpVectors struct {
	Comment string     `json:"comment"`
	Vectors []OpVector `json:"vectors"`
}

// InvalidVector is a frame a client might send that a server must reject.
type InvalidVector struct {
	Name string   `json:"name"`
	Spec []string `json:"spec"`
	// Phase is "before_hello" (the connection's first frame) or "after_hello".
	Phase string `json:"phase"`
	// Hex is the whole frame; oversize vectors hold only the length prefix.
	Hex string `json:"hex"`
	// Error is the code of the ERR the server must send; Fatal tells whether
	// it then closes the connection.
	Error string `json:"error"`
	Fatal bool   `json:"fatal"`
	// Expected references of the ERR, checked when non-nil.
	RefOp      *int    `json:"ref_op"`
	RefSid     *int    `json:"ref_sid"`
	RefChannel *string `json:"ref_channel"`
	// Codec is true when decoding alone detects the fault; the others need a
	// server's state (session, subscriptions, grammar).
	Codec bool   `json:"codec"`
	Note  string `json:"note,omitempty"`
}

// Bytes returns the frame.
func (v InvalidVector) Bytes() []byte { return mustHex(v.Hex) }

// InvalidVectors is the content of vectors/invalid.json.
type InvalidVectors struct {
	Comment string          `json:"comment"`
	Vectors []InvalidVector `json:"vectors"`
}

// NamedChannel is a channel, pattern or queue group with a short name.
type NamedChannel struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MatchCase says whether Pattern matches Channel (or, in QueuePatterns,
// whether Pattern alone makes a rotation set).
type MatchCase struct {
	Pattern string `json:"pattern"`
	Channel string `json:"channel"`
	Match   bool   `json:"match"`
}

// ChannelVectors is the content of vectors/channels.json.
type ChannelVectors struct {
	Comment         string         `json:"comment"`
	Spec            []string       `json:"spec"`
	ValidChannels   []string       `json:"valid_channels"`
	InvalidChannels []NamedChannel `json:"invalid_channels"`
	ValidPatterns   []string       `json:"valid_patterns"`
	InvalidPatterns []NamedChannel `json:"invalid_patterns"`
	ValidQueues     []string       `json:"valid_queues"`
	InvalidQueues   []NamedChannel `json:"invalid_queues"`
	QueuePatterns   []MatchCase    `json:"queue_patterns"`
	Matches         []MatchCase    `json:"matches"`
}

// Ops returns the valid-frame vectors.
func Ops() OpVectors { return load[OpVectors]("vectors/ops.json") }

// Invalid returns the invalid-frame vectors.
func Invalid() InvalidVectors { return load[InvalidVectors]("vectors/invalid.json") }

// Channels returns the grammar and matching vectors.
func Channels() ChannelVectors { return load[ChannelVectors]("vectors/channels.json") }

func load[T any](name string) T {
	var v T
	b, err := vectorFS.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("spec: %s: %v", name, err))
	}
	if err := json.Unmarshal(b, &v); err != nil {
		panic(fmt.Sprintf("spec: %s: %v", name, err))
	}
	return v
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic("spec: bad hex in vector: " + err.Error())
	}
	return b
}
