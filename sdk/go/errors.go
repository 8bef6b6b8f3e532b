package herald

import "errors"

// Client-side sentinel errors, for errors.Is. Errors the broker sends are
// *wire.Error values instead (see the wire package's sentinels, such as
// wire.ErrPermissionDenied); errors.Is compares their codes.
var (
	// ErrConnectionClosed: the connection was closed (by Close, Drain, or
	// because reconnecting gave up).
	ErrConnectionClosed = errors.New("herald: connection closed")
	// ErrConnectionDraining: the connection is draining and takes no new
	// subscriptions.
	ErrConnectionDraining = errors.New("herald: connection draining")
	// ErrNoServers: no server in the URL list could be reached.
	ErrNoServers = errors.New("herald: no server available")
	// ErrInvalidURL: a server URL is not herald://host[:port] or
	// heralds://host[:port].
	ErrInvalidURL = errors.New("herald: invalid server url")
	// ErrInvalidChannel: a channel to publish to, or a reply-to, breaks the
	// grammar of PROTOCOL.md 5.1 ("/seg/seg", printable ASCII, no wildcards).
	ErrInvalidChannel = errors.New("herald: invalid channel")
	// ErrInvalidPattern: a subscription pattern breaks the grammar of
	// PROTOCOL.md 5.2.
	ErrInvalidPattern = errors.New("herald: invalid pattern")
	// ErrInvalidQueueGroup: a queue group name is not 1 to 64 printable ASCII
	// bytes (PROTOCOL.md 5.5).
	ErrInvalidQueueGroup = errors.New("herald: invalid queue group")
	// ErrNotQueue: prefetch or a Worker needs a rotation set: a queue group,
	// or a pattern starting with "/queue" (PROTOCOL.md 6.5, 7.4).
	ErrNotQueue = errors.New("herald: not a rotation set (needs a queue group or a /queue pattern)")
	// ErrNotSupported: the server did not announce the capability a call
	// needs (PROTOCOL.md 4.7).
	ErrNotSupported = errors.New("herald: not supported by the server")
	// ErrPayloadTooLarge: the payload is larger than the server's
	// max_payload.
	ErrPayloadTooLarge = errors.New("herald: payload too large")
	// ErrReconnectBufExceeded: a publish made while reconnecting does not
	// fit in the reconnect buffer (see WithReconnectBufSize).
	ErrReconnectBufExceeded = errors.New("herald: reconnect buffer full")
	// ErrTimeout: a request got no reply before its deadline. It is returned
	// together with context.DeadlineExceeded.
	ErrTimeout = errors.New("herald: timeout")
	// ErrNoResponders: a request reached no subscriber (PROTOCOL.md 7.10).
	ErrNoResponders = errors.New("herald: no responders")
	// ErrNoReplyTo: Respond was called on a message without a reply-to.
	ErrNoReplyTo = errors.New("herald: message has no reply-to")
	// ErrNilHandler: Subscribe or NewWorker was given a nil handler (use
	// SubscribePull to take messages yourself).
	ErrNilHandler = errors.New("herald: nil handler")
	// ErrNotPull: Next was called on a subscription that has a handler.
	ErrNotPull = errors.New("herald: not a pull subscription")
	// ErrSubscriptionClosed: the subscription has ended and holds no more
	// messages.
	ErrSubscriptionClosed = errors.New("herald: subscription closed")
	// ErrStaleConnection: the server answered none of the last pings (see
	// WithPingInterval); the connection is dropped and re-established.
	ErrStaleConnection = errors.New("herald: stale connection")
	// ErrHandlerPanic: a message handler panicked. The panic is recovered
	// and reported through the error handler; the connection carries on.
	ErrHandlerPanic = errors.New("herald: handler panicked")
	// ErrWorkerRunning: Run was called on a Worker that already ran.
	ErrWorkerRunning = errors.New("herald: worker already running")
	// ErrDrainTimeout: Drain or a Worker's drain did not finish in time.
	ErrDrainTimeout = errors.New("herald: drain timed out")

	// ErrMessagesLost matches every *LossError: messages a subscription will
	// never see.
	ErrMessagesLost = errors.New("herald: messages lost")
	// ErrBrokerDropped: the broker dropped messages and said so in a NOTICE
	// (PROTOCOL.md 8.4).
	ErrBrokerDropped = errors.New("herald: messages dropped by the broker")
	// ErrSeqGap: a subscription's sequence numbers skipped without a NOTICE
	// (PROTOCOL.md 7.3).
	ErrSeqGap = errors.New("herald: sequence gap")
	// ErrSlowConsumer: the client dropped messages because a subscription's
	// pending limits were reached (see WithPendingLimits).
	ErrSlowConsumer = errors.New("herald: slow consumer, messages dropped by the client")
	// ErrReconnectGap: the connection was re-established; messages published
	// while it was down are lost, in a number nobody can know.
	ErrReconnectGap = errors.New("herald: messages lost while reconnecting, count unknown")
)
