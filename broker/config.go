package broker

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/heraldmq/herald/broker/internal/outq"
	"github.com/heraldmq/herald/spec/wire"
)

// Overflow is what a server does when a subscriber's outbound buffer is full
// (PROTOCOL.md section 8).
type Overflow string

// The overflow policies.
const (
	// OverflowDrop drops the newest messages whole for that subscriber and
	// tells it with a NOTICE once there is room again.
	OverflowDrop Overflow = wire.OverflowDrop
	// OverflowDisconnect sends ERR slow_consumer and closes the connection.
	OverflowDisconnect Overflow = wire.OverflowDisconnect
)

// Config holds a Server's settings. Start from DefaultConfig; New fills any
// zero field with its default.
type Config struct {
	// Addr is the address ListenAndServe listens on. Defaults to
	// "127.0.0.1:7420".
	Addr string
	// ClassicAddr is the address ListenAndServeClassic listens on for
	// clients of the classic profile (PROTOCOL.md 14). Defaults to "": no
	// classic listener.
	ClassicAddr string
	// ServerName is announced in WELCOME and logs. Defaults to "heraldd".
	ServerName string
	// MaxPayload is the largest PUB payload accepted. Defaults to 1 MiB.
	MaxPayload int
	// MaxHeaderBytes is the largest encoded headers field accepted.
	// Defaults to 16 KiB.
	MaxHeaderBytes int
	// MaxPendingBytes bounds each connection's outbound buffer of MSG frames.
	// Defaults to 8 MiB.
	MaxPendingBytes int
	// Overflow is the policy applied when that buffer is full. Defaults to
	// OverflowDrop.
	Overflow Overflow
	// MaxPendingTotal bounds the memory of all connections' outbound
	// buffers together; 0 means no bound beyond MaxPendingBytes each. When it
	// runs short, the connection holding the most pays first: its unwritten
	// messages are dropped (and NOTICEd) or, under OverflowDisconnect, it is
	// disconnected. Defaults to 0.
	MaxPendingTotal int
	// PingInterval is how long a client may be silent before the server
	// sends PING. Defaults to 30s.
	PingInterval time.Duration
	// MaxPingsOut is how many PINGs may go unanswered; a client silent for
	// PingInterval × (MaxPingsOut+1) is closed as stale. Defaults to 2.
	MaxPingsOut int
	// HelloTimeout is how long a new connection has to send HELLO.
	// Defaults to 10s.
	HelloTimeout time.Duration
	// DrainTimeout bounds how long Shutdown keeps writing already queued
	// messages to subscribers. Defaults to 10s.
	DrainTimeout time.Duration
	// WriteGrace bounds how long a connection being closed with a fatal ERR
	// may take to write what it owes before it is cut (PROTOCOL.md 8.5).
	// Defaults to 10s.
	WriteGrace time.Duration
	// WriteBuffer, when positive, sets the kernel send buffer (SO_SNDBUF) of
	// every accepted connection. The kernel's autotuning otherwise lets each
	// socket of a subscriber that does not read hold megabytes beyond
	// MaxPendingBytes; with many such subscribers, set it together with
	// MaxPendingTotal to bound kernel memory too. Defaults to 0: the
	// kernel's default.
	WriteBuffer int
	// MaxSubscriptions is the most live subscriptions one connection may
	// hold; 0 means unlimited. Defaults to 65,536.
	MaxSubscriptions int
	// MaxConnections is the most connections served at once; 0 means
	// unlimited. Defaults to 0.
	MaxConnections int
	// ControlBytes bounds control frames (PONG, ERR, NOTICE) owed to a client
	// that does not read (PROTOCOL.md 8.6). Defaults to 64 KiB.
	ControlBytes int
	// Auth, when set, requires every client to authenticate in HELLO and
	// checks each PUB and SUB against the user's permissions. Defaults to
	// nil: no authentication.
	Auth Authenticator
	// TLS, when set, makes Serve speak TLS on every listener. Defaults to
	// nil: plain TCP.
	TLS *tls.Config
	// Logger receives the server's logs. Defaults to discarding them.
	Logger *slog.Logger
}

// Version is the server version announced in WELCOME.
const Version = "0.1.0"

// DefaultConfig returns the configuration heraldd runs with when given no
// flags.
func DefaultConfig() Config {
	return Config{
		Addr:             "127.0.0.1:7420",
		ServerName:       "heraldd",
		MaxPayload:       1 << 20,
		MaxHeaderBytes:   16 << 10,
		MaxPendingBytes:  8 << 20,
		Overflow:         OverflowDrop,
		PingInterval:     30 * time.Second,
		MaxPingsOut:      2,
		HelloTimeout:     10 * time.Second,
		DrainTimeout:     10 * time.Second,
		WriteGrace:       10 * time.Second,
		MaxSubscriptions: 65536,
		ControlBytes:     64 << 10,
	}
}

// withDefaults fills zero fields from DefaultConfig and checks the rest.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	if c.ServerName == "" {
		c.ServerName = d.ServerName
	}
	if c.MaxPayload == 0 {
		c.MaxPayload = d.MaxPayload
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if c.MaxPendingBytes == 0 {
		c.MaxPendingBytes = d.MaxPendingBytes
	}
	if c.Overflow == "" {
		c.Overflow = d.Overflow
	}
	if c.PingInterval == 0 {
		c.PingInterval = d.PingInterval
	}
	if c.MaxPingsOut == 0 {
		c.MaxPingsOut = d.MaxPingsOut
	}
	if c.HelloTimeout == 0 {
		c.HelloTimeout = d.HelloTimeout
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = d.DrainTimeout
	}
	if c.WriteGrace == 0 {
		c.WriteGrace = d.WriteGrace
	}
	if c.ControlBytes == 0 {
		c.ControlBytes = d.ControlBytes
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	if c.Overflow != OverflowDrop && c.Overflow != OverflowDisconnect {
		errs = append(errs, fmt.Errorf("overflow policy %q: want %q or %q", c.Overflow, OverflowDrop, OverflowDisconnect))
	}
	if c.MaxPayload < 0 || c.MaxPayload > 64<<20 {
		errs = append(errs, fmt.Errorf("max payload %d: want 1 byte to 64 MiB", c.MaxPayload))
	}
	if c.MaxPendingBytes < 0 {
		errs = append(errs, fmt.Errorf("max pending bytes %d: must be positive", c.MaxPendingBytes))
	}
	if c.MaxHeaderBytes < 0 || c.MaxHeaderBytes > wire.FrameOverhead/2 {
		errs = append(errs, fmt.Errorf("max header bytes %d: want 1 to %d", c.MaxHeaderBytes, wire.FrameOverhead/2))
	}
	if c.PingInterval < 0 || c.MaxPingsOut < 0 || c.HelloTimeout < 0 || c.DrainTimeout < 0 || c.WriteGrace < 0 {
		errs = append(errs, errors.New("durations and ping counts must not be negative"))
	}
	if c.MaxPendingTotal < 0 || (c.MaxPendingTotal > 0 && c.MaxPendingTotal < 4*outqBlock) {
		errs = append(errs, fmt.Errorf("max pending total %d: 0 (no bound) or at least %d", c.MaxPendingTotal, 4*outqBlock))
	}
	if c.MaxSubscriptions < 0 || c.MaxConnections < 0 || c.ControlBytes < 0 {
		errs = append(errs, errors.New("limits must not be negative"))
	}
	return c, errors.Join(errs...)
}

const outqBlock = outq.BlockSize

// maxFrame is the max_frame announced in WELCOME.
func (c *Config) maxFrame() int { return c.MaxPayload + wire.FrameOverhead }
