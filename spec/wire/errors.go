package wire

import "strings"

// Code is a stable error code carried by an ERR frame (PROTOCOL.md section 10).
type Code string

// The error codes of protocol version 1.
const (
	CodeBadFrame             Code = "bad_frame"
	CodeFrameTooLarge        Code = "frame_too_large"
	CodeProtocolViolation    Code = "protocol_violation"
	CodeUnsupportedVersion   Code = "unsupported_version"
	CodeAuthFailed           Code = "auth_failed"
	CodeSlowConsumer         Code = "slow_consumer"
	CodeStaleConnection      Code = "stale_connection"
	CodeShuttingDown         Code = "shutting_down"
	CodeTooManyConnections   Code = "too_many_connections"
	CodeUnknownOp            Code = "unknown_op"
	CodeInvalidChannel       Code = "invalid_channel"
	CodeInvalidSubscription  Code = "invalid_subscription"
	CodeUnknownSid           Code = "unknown_sid"
	CodePayloadTooLarge      Code = "payload_too_large"
	CodeHeadersTooLarge      Code = "headers_too_large"
	CodeTooManySubscriptions Code = "too_many_subscriptions"
	CodePermissionDenied     Code = "permission_denied"
)

// Codes lists every error code of protocol version 1, fatal ones first.
var Codes = []Code{
	CodeBadFrame, CodeFrameTooLarge, CodeProtocolViolation, CodeUnsupportedVersion,
	CodeAuthFailed, CodeSlowConsumer, CodeStaleConnection, CodeShuttingDown,
	CodeTooManyConnections, CodeUnknownOp, CodeInvalidChannel, CodeInvalidSubscription,
	CodeUnknownSid, CodePayloadTooLarge, CodeHeadersTooLarge, CodeTooManySubscriptions,
	CodePermissionDenied,
}

// Fatal reports whether a server closes the connection after sending this
// code. Unknown codes are treated as fatal.
func (c Code) Fatal() bool {
	switch c {
	case CodeUnknownOp, CodeInvalidChannel, CodeInvalidSubscription, CodeUnknownSid,
		CodePayloadTooLarge, CodeHeadersTooLarge, CodeTooManySubscriptions, CodePermissionDenied:
		return false
	}
	return true
}

// Error is an ERR frame, and the Go error for anything the protocol calls an
// error: a decoder returns one for an invalid frame, a server sends one, a
// client receives one. errors.Is(err, target) holds when target is an *Error
// with the same Code, so the sentinels below match any error of their code.
type Error struct {
	Code       Code   // stable code
	Message    string // human-readable; may change between versions
	RefOp      Op     // op of the frame the error answers; 0 when none
	RefSid     uint32 // sid the error answers; 0 when none
	RefChannel string // channel or pattern the error answers; "" when none
}

// Sentinels for errors.Is: errors.Is(err, wire.ErrSlowConsumer).
var (
	ErrBadFrame             = &Error{Code: CodeBadFrame}
	ErrFrameTooLarge        = &Error{Code: CodeFrameTooLarge}
	ErrProtocolViolation    = &Error{Code: CodeProtocolViolation}
	ErrUnsupportedVersion   = &Error{Code: CodeUnsupportedVersion}
	ErrAuthFailed           = &Error{Code: CodeAuthFailed}
	ErrSlowConsumer         = &Error{Code: CodeSlowConsumer}
	ErrStaleConnection      = &Error{Code: CodeStaleConnection}
	ErrShuttingDown         = &Error{Code: CodeShuttingDown}
	ErrTooManyConnections   = &Error{Code: CodeTooManyConnections}
	ErrUnknownOp            = &Error{Code: CodeUnknownOp}
	ErrInvalidChannel       = &Error{Code: CodeInvalidChannel}
	ErrInvalidSubscription  = &Error{Code: CodeInvalidSubscription}
	ErrUnknownSid           = &Error{Code: CodeUnknownSid}
	ErrPayloadTooLarge      = &Error{Code: CodePayloadTooLarge}
	ErrHeadersTooLarge      = &Error{Code: CodeHeadersTooLarge}
	ErrTooManySubscriptions = &Error{Code: CodeTooManySubscriptions}
	ErrPermissionDenied     = &Error{Code: CodePermissionDenied}
)

// Error formats the error as "herald: code: message (OP sid N channel C)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("herald: ")
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RefOp != 0 || e.RefSid != 0 || e.RefChannel != "" {
		b.WriteString(" (")
		sep := ""
		if e.RefOp != 0 {
			b.WriteString(e.RefOp.String())
			sep = " "
		}
		if e.RefSid != 0 {
			b.WriteString(sep + "sid ")
			b.WriteString(uitoa(uint64(e.RefSid)))
			sep = " "
		}
		if e.RefChannel != "" {
			b.WriteString(sep + "channel " + e.RefChannel)
		}
		b.WriteString(")")
	}
	return b.String()
}

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Fatal reports whether the error ends the connection.
func (e *Error) Fatal() bool { return e.Code.Fatal() }

func badFrame(msg string) *Error { return &Error{Code: CodeBadFrame, Message: msg} }

func uitoa(v uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(buf[i:])
}
