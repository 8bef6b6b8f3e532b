package herald

import (
	"crypto/tls"
	"log/slog"
	"time"
)

// Defaults of the connection options (see the With... functions).
const (
	DefaultConnectTimeout   = 2 * time.Second       // WithConnectTimeout
	DefaultReconnectMin     = 50 * time.Millisecond // WithReconnectBackoff
	DefaultReconnectMax     = 2 * time.Second       // WithReconnectBackoff
	DefaultReconnectJitter  = 0.2                   // WithReconnectJitter
	DefaultMaxReconnects    = -1                    // WithMaxReconnects: forever
	DefaultReconnectBufSize = 8 << 20               // WithReconnectBufSize
	DefaultPingInterval     = 30 * time.Second      // WithPingInterval
	DefaultMaxPingsOut      = 2                     // WithPingInterval
	DefaultRequestTimeout   = 5 * time.Second       // WithRequestTimeout
	DefaultWriteBufSize     = 4 << 20               // bytes queued for the writer beyond which Publish waits
)

// Option configures a Conn; pass options to Connect.
type Option func(*options)

type options struct {
	name             string
	user, token      string
	tls              *tls.Config
	connectTimeout   time.Duration
	reconnect        bool
	reconnectMin     time.Duration
	reconnectMax     time.Duration
	jitter           float64
	maxReconnects    int
	reconnectBufSize int
	pingInterval     time.Duration
	maxPingsOut      int
	requestTimeout   time.Duration
	noEcho           bool
	logger           *slog.Logger
	onDisconnect     func(*Conn, error)
	onReconnect      func(*Conn)
	onClosed         func(*Conn)
	onError          func(*Conn, *Subscription, error)
}

func defaultOptions() options {
	return options{
		connectTimeout:   DefaultConnectTimeout,
		reconnect:        true,
		reconnectMin:     DefaultReconnectMin,
		reconnectMax:     DefaultReconnectMax,
		jitter:           DefaultReconnectJitter,
		maxReconnects:    DefaultMaxReconnects,
		reconnectBufSize: DefaultReconnectBufSize,
		pingInterval:     DefaultPingInterval,
		maxPingsOut:      DefaultMaxPingsOut,
		requestTimeout:   DefaultRequestTimeout,
		logger:           slog.Default(),
	}
}

// WithName sets the client name the server shows in its logs. Defaults to
// "".
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithCredentials sets the user and token sent in HELLO (PROTOCOL.md 4.6).
// Defaults to none.
func WithCredentials(user, token string) Option {
	return func(o *options) { o.user, o.token = user, token }
}

// WithTLSConfig makes every connection use TLS with cfg, whatever the URL's
// scheme. Defaults to TLS only for heralds:// URLs, with a tls.Config whose
// ServerName is the URL's host.
func WithTLSConfig(cfg *tls.Config) Option { return func(o *options) { o.tls = cfg } }

// WithConnectTimeout bounds each attempt to dial a server and complete the
// handshake. Defaults to 2s.
func WithConnectTimeout(d time.Duration) Option {
	return func(o *options) { o.connectTimeout = d }
}

// WithReconnect turns reconnecting after a lost connection on or off.
// Defaults to on.
func WithReconnect(on bool) Option { return func(o *options) { o.reconnect = on } }

// WithReconnectBackoff sets the wait between rounds of reconnect attempts: it
// starts at min, doubles after every round through the server list, and
// never exceeds max. The first attempt after a loss is immediate. Defaults to
// 50ms and 2s.
func WithReconnectBackoff(min, max time.Duration) Option {
	return func(o *options) { o.reconnectMin, o.reconnectMax = min, max }
}

// WithReconnectJitter sets the fraction (0 to 1) of each backoff wait that is
// random, so that many clients of a restarted server do not return at once.
// Defaults to 0.2.
func WithReconnectJitter(f float64) Option { return func(o *options) { o.jitter = f } }

// WithMaxReconnects sets how many connection attempts (each server tried
// counts once) are made after a loss before the Conn gives up and closes; a
// negative n means forever. Defaults to -1 (forever).
func WithMaxReconnects(n int) Option { return func(o *options) { o.maxReconnects = n } }

// WithReconnectBufSize sets how many bytes of publishes are kept while
// reconnecting; a publish that does not fit fails with
// ErrReconnectBufExceeded. 0 disables buffering. Defaults to 8 MiB.
func WithReconnectBufSize(n int) Option { return func(o *options) { o.reconnectBufSize = n } }

// WithPingInterval sets how often the client pings the server; after
// maxOut pings without any PONG the connection is considered stale and is
// re-established. Defaults to 30s and 2.
func WithPingInterval(d time.Duration, maxOut int) Option {
	return func(o *options) { o.pingInterval, o.maxPingsOut = d, maxOut }
}

// WithRequestTimeout sets the timeout of a Request whose context has no
// deadline. Defaults to 5s.
func WithRequestTimeout(d time.Duration) Option {
	return func(o *options) { o.requestTimeout = d }
}

// WithNoEcho stops the server from delivering this connection's own
// publishes to this connection's subscriptions (HELLO echo=false). Defaults
// to echo on.
func WithNoEcho() Option { return func(o *options) { o.noEcho = true } }

// WithLogger sets the logger for connection events, and for asynchronous
// errors when no error handler is set: connections and reconnections at
// level Debug, losses of a session and unhandled asynchronous errors at
// level Warn. Defaults to slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithDisconnectHandler sets a callback run when the connection to a server
// is lost, with the reason. Defaults to none.
func WithDisconnectHandler(f func(c *Conn, err error)) Option {
	return func(o *options) { o.onDisconnect = f }
}

// WithReconnectHandler sets a callback run each time the connection is
// re-established. Defaults to none.
func WithReconnectHandler(f func(c *Conn)) Option {
	return func(o *options) { o.onReconnect = f }
}

// WithClosedHandler sets a callback run once, when the Conn is closed. It is
// the last callback the Conn runs. Defaults to none.
func WithClosedHandler(f func(c *Conn)) Option { return func(o *options) { o.onClosed = f } }

// WithErrorHandler sets the callback for asynchronous errors: messages lost
// (*LossError: a NOTICE, a sequence gap, the client's pending limits, a
// reconnect), panics in handlers (ErrHandlerPanic), and non-fatal ERRs from
// the server (*wire.Error). sub is the subscription concerned, or nil.
// Losses of one subscription from one source that pile up while the handler
// is busy are merged into one report. Callbacks run one at a time on a
// goroutine of their own. Defaults to logging at level Warn on the logger.
func WithErrorHandler(f func(c *Conn, sub *Subscription, err error)) Option {
	return func(o *options) { o.onError = f }
}
