package driver

import (
	"fmt"
	"net"
	"net/url"
)

// Parse returns the system a URL names: herald://HOST:PORT (or heralds://
// for TLS, with opt.TLS set), nats://, redis://, mqtt:// or
// baseline://HOST:PORT.
func Parse(raw string, opt HeraldOptions) (System, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return System{}, fmt.Errorf("target %q: %w", raw, err)
	}
	if u.Host == "" {
		return System{}, fmt.Errorf("target %q: want SCHEME://HOST:PORT", raw)
	}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		return System{}, fmt.Errorf("target %q: %w", raw, err)
	}
	switch u.Scheme {
	case "herald":
		opt.TLS = nil
		return Herald(u.Host, opt), nil
	case "heralds":
		if opt.TLS == nil {
			return System{}, fmt.Errorf("target %q: heralds:// needs a TLS configuration", raw)
		}
		return Herald(u.Host, opt), nil
	case "nats":
		return NATS(u.Host), nil
	case "redis":
		return Redis(u.Host), nil
	case "mqtt", "tcp":
		return MQTT(u.Host), nil
	case "baseline":
		return Baseline(u.Host), nil
	}
	return System{}, fmt.Errorf("target %q: unknown scheme %q (want herald, nats, redis, mqtt or baseline)", raw, u.Scheme)
}
