package herald

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// DefaultURL is the address of a broker started with its defaults.
const DefaultURL = "herald://127.0.0.1:7420"

// DefaultPort is the port used when a URL names none.
const DefaultPort = "7420"

// server is one entry of the URL list.
type server struct {
	url  string // as given, for logs and ConnectedURL
	addr string // host:port
	host string
	tls  bool
}

// parseURLs splits a comma-separated list of herald:// or heralds:// URLs.
func parseURLs(list string) ([]server, error) {
	var out []server
	for _, raw := range strings.Split(list, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrInvalidURL, raw, err)
		}
		var s server
		switch u.Scheme {
		case "herald":
		case "heralds":
			s.tls = true
		default:
			return nil, fmt.Errorf("%w %q: scheme must be herald or heralds", ErrInvalidURL, raw)
		}
		if u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("%w %q: want scheme://host[:port]", ErrInvalidURL, raw)
		}
		port := u.Port()
		if port == "" {
			port = DefaultPort
		}
		s.url, s.host, s.addr = raw, u.Hostname(), net.JoinHostPort(u.Hostname(), port)
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty list", ErrInvalidURL)
	}
	return out, nil
}
