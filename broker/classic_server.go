package broker

import (
	"errors"
	"net"
)

// ErrClassicAuth is returned by ServeClassic on a server that requires
// authentication: the classic profile carries no credentials (PROTOCOL.md
// 14.10).
var ErrClassicAuth = errors.New("herald: the classic profile carries no credentials and cannot be served with authentication configured")

// ListenAndServeClassic listens on Config.ClassicAddr and serves the classic
// profile there until Shutdown.
func (s *Server) ListenAndServeClassic() error {
	if s.cfg.ClassicAddr == "" {
		return errors.New("herald: no classic address configured")
	}
	ln, err := net.Listen("tcp", s.cfg.ClassicAddr)
	if err != nil {
		return err
	}
	return s.ServeClassic(ln)
}

// ServeClassic accepts connections speaking the classic length-prefixed
// protocol (PROTOCOL.md 14) on ln until Shutdown, and returns
// ErrServerClosed then. Classic clients share the server's routing with
// Herald clients: each reaches the other. ServeClassic closes ln when it
// returns. With Config.TLS set, connections on ln are TLS too; with
// authentication configured it serves nothing and returns ErrClassicAuth.
func (s *Server) ServeClassic(ln net.Listener) error {
	if s.authenticator() != nil {
		ln.Close()
		return ErrClassicAuth
	}
	return s.serveListener(ln, "listening for classic clients", s.acceptClassic)
}

// acceptClassic starts serving a classic connection, or closes it at once
// while draining, at the connection limit, or if authentication was turned
// on meanwhile: the profile has no ERR to say why (14.9, 14.10).
func (s *Server) acceptClassic(nc net.Conn) {
	if s.draining.Load() {
		nc.Close()
		return
	}
	if s.authenticator() != nil {
		s.log.Warn("classic connection refused: authentication is configured", "remote", nc.RemoteAddr().String())
		nc.Close()
		return
	}
	s.mu.Lock()
	if s.draining.Load() { // checked again under mu: see accept
		s.mu.Unlock()
		nc.Close()
		return
	}
	if s.cfg.MaxConnections > 0 && len(s.conns) >= s.cfg.MaxConnections {
		s.mu.Unlock()
		s.stats.refused.Add(1)
		nc.Close()
		return
	}
	s.tuneSocket(nc)
	c := newConn(s, nc)
	c.classic = true
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	s.stats.accepted.Add(1)
	go c.serveClassic()
}
