package exchange

import (
	"log/slog"

	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// Overflow is what a registry does when a sink's buffer is full: the
// policies of a Herald broker (PROTOCOL.md section 8).
type Overflow string

// The overflow policies.
const (
	// OverflowDrop drops the newest message for that sink and counts it.
	OverflowDrop Overflow = wire.OverflowDrop
	// OverflowDisconnect detaches that sink and counts it.
	OverflowDisconnect Overflow = wire.OverflowDisconnect
)

// DefaultBuffer is the number of messages a sink's buffer holds by default.
const DefaultBuffer = 1024

// Option configures a Registry.
type Option func(*config)

type config struct {
	buffer   int
	overflow Overflow
	log      *slog.Logger
	router   *router.Router
}

func defaultConfig() config {
	return config{buffer: DefaultBuffer, overflow: OverflowDrop, log: slog.New(slog.DiscardHandler)}
}

// WithBuffer sets how many messages each sink's buffer holds; values below 1
// count as 1. Defaults to DefaultBuffer (1024).
func WithBuffer(n int) Option { return func(c *config) { c.buffer = max(n, 1) } }

// WithOverflow sets the policy for a sink whose buffer is full. Defaults to
// OverflowDrop.
func WithOverflow(o Overflow) Option { return func(c *config) { c.overflow = o } }

// WithLogger sets where the registry logs slow and detached sinks. Defaults
// to discarding the logs.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithRouter routes through r instead of a router of the registry's own. Pass
// a broker's router (broker.Server.Router) and exchanges share its
// subscriptions: a Send reaches network subscribers (they get Message.Data
// as the payload), and what network clients publish reaches sinks (as a
// Message with Data set and Value nil). Defaults to a private router.
func WithRouter(r *router.Router) Option { return func(c *config) { c.router = r } }
