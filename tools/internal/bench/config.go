package bench

import (
	"errors"
	"fmt"
	"time"
)

// Config holds the workloads' parameters. DefaultConfig fills every field.
type Config struct {
	// Subscribers is the number of subscribers of fanout and slowsub (the
	// fast ones) and of latency. 0 means the workload's default: 10, or 1 for
	// latency.
	Subscribers int
	// Workers is the number of queue workers. Defaults to 4.
	Workers int
	// Size is the payload size in bytes (at least 16: a send time and a
	// sequence number). Defaults to 128.
	Size int
	// Count caps the messages published per run. Defaults to 500,000.
	Count int
	// Rate is latency's publishing rate, in messages per second. Defaults to
	// 10,000.
	Rate int
	// Duration caps a run's publishing time, and is the length of a latency
	// run and of slowsub's paced phases. Defaults to 3s.
	Duration time.Duration
	// Rounds is the number of rounds; figures are medians over them.
	// Defaults to 5. The conns workload runs one round (see Conns).
	Rounds int
	// Conns is the number of idle connections the conns workload opens.
	// Defaults to 5,000.
	Conns int
	// Window bounds how far, in bytes of payload plus 64 bytes of framing per
	// message, the publisher may run ahead of the slowest reading subscriber
	// (0: no bound). It keeps a maximum-rate run from overflowing the
	// brokers' per-subscriber buffers. Defaults to 4 MiB.
	Window int
	// Idle is how long a run waits for a message once publishing is done
	// before it counts the rest as lost. Defaults to 2s.
	Idle time.Duration
	// Timeout bounds every connect and every round trip. Defaults to 10s.
	Timeout time.Duration
}

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	return Config{
		Workers:  4,
		Size:     128,
		Count:    500_000,
		Rate:     10_000,
		Duration: 3 * time.Second,
		Rounds:   5,
		Conns:    5_000,
		Window:   4 << 20,
		Idle:     2 * time.Second,
		Timeout:  10 * time.Second,
	}
}

// Workloads lists the workloads in the order `all` runs them: conns first,
// while the brokers hold no memory from earlier workloads that they could
// hand back to the system during its measurement.
var Workloads = []string{"conns", "fanout", "queue", "latency", "slowsub"}

// Validate reports the first parameter out of range.
func (c Config) Validate() error {
	switch {
	case c.Subscribers < 0:
		return errors.New("--subscribers must not be negative")
	case c.Workers < 1:
		return errors.New("--workers must be at least 1")
	case c.Size < 16:
		return errors.New("--size must be at least 16 bytes (a send time and a sequence number)")
	case c.Count < 1:
		return errors.New("--count must be at least 1")
	case c.Rate < 1:
		return errors.New("--rate must be at least 1")
	case c.Duration <= 0:
		return errors.New("--duration must be positive")
	case c.Rounds < 1:
		return errors.New("--rounds must be at least 1")
	case c.Conns < 1:
		return errors.New("--conns must be at least 1")
	case c.Window < 0:
		return errors.New("--window must not be negative")
	case c.Idle <= 0 || c.Timeout <= 0:
		return errors.New("idle and timeout must be positive")
	}
	return nil
}

// subscribers returns the subscriber count for a workload.
func (c Config) subscribers(workload string) int {
	if c.Subscribers > 0 {
		return c.Subscribers
	}
	if workload == "latency" {
		return 1
	}
	return 10
}

// windowMsgs converts Window to messages (0: unbounded).
func (c Config) windowMsgs() int64 {
	if c.Window == 0 {
		return 0
	}
	return max(int64(c.Window/(c.Size+64)), 64)
}

// checkWorkload reports an unknown workload name.
func checkWorkload(name string) error {
	for _, w := range Workloads {
		if w == name {
			return nil
		}
	}
	return fmt.Errorf("unknown workload %q (want one of fanout, queue, latency, slowsub, conns, all)", name)
}
