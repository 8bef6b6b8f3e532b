package broker

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nuid"

	"github.com/heraldmq/herald/broker/router"
	"github.com/heraldmq/herald/spec/wire"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown.
var ErrServerClosed = errors.New("herald: server closed")

// Server is a Herald broker. Create it with New, then call Serve for each
// listener (or ListenAndServe), and Shutdown to stop.
type Server struct {
	cfg     Config
	log     *slog.Logger
	id      string
	router  *router.Router
	welcome []byte // the WELCOME frame every connection receives
	start   time.Time

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	wg        sync.WaitGroup

	auth     atomic.Pointer[Authenticator]
	held     atomic.Int64  // memory of all outbound queues (blocks), for MaxPendingTotal
	shedKick chan struct{} // wakes the shedder
	nextID   atomic.Uint64
	draining atomic.Bool
	closed   atomic.Bool
	done     chan struct{}

	stats serverStats
}

// New returns a Server for cfg; zero fields take their defaults.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger,
		id:        nuid.Next(),
		router:    router.New(),
		start:     time.Now(),
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[*conn]struct{}),
		done:      make(chan struct{}),
		shedKick:  make(chan struct{}, 1),
	}
	w := wire.Welcome{
		Version:          wire.Version,
		ServerID:         s.id,
		ServerName:       cfg.ServerName,
		ServerVersion:    Version,
		MaxPayload:       uint64(cfg.MaxPayload),
		MaxFrame:         uint64(cfg.maxFrame()),
		MaxHeaderBytes:   uint64(cfg.MaxHeaderBytes),
		MaxSubscriptions: uint64(cfg.MaxSubscriptions),
		PingIntervalMs:   uint64(cfg.PingInterval / time.Millisecond),
		MaxPingsOut:      uint64(cfg.MaxPingsOut),
		MaxPendingBytes:  uint64(cfg.MaxPendingBytes),
		Overflow:         string(cfg.Overflow),
		Capabilities:     []string{wire.CapHeaders, wire.CapNoResponders, wire.CapPrefetch},
	}
	if cfg.Auth != nil {
		w.Capabilities = append(w.Capabilities, wire.CapAuth)
		s.auth.Store(&cfg.Auth)
	}
	s.welcome = w.Append(nil)
	if cfg.MaxPendingTotal > 0 {
		go s.shedder()
	}
	if cfg.MaxPendingBytes < cfg.maxFrame() {
		s.log.Warn("max pending bytes is below max frame: messages larger than the buffer can never be delivered (they are dropped and NOTICEd)",
			"max_pending_bytes", cfg.MaxPendingBytes, "max_frame", cfg.maxFrame())
	}
	return s, nil
}

// ID returns the server id announced in WELCOME.
func (s *Server) ID() string { return s.id }

// Config returns the configuration in effect, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Router returns the routing core, so that in-process subscribers (package
// exchange) can share the broker's subscriptions.
func (s *Server) Router() *router.Router { return s.router }

// ListenAndServe listens on Config.Addr and serves until Shutdown.
func (s *Server) ListenAndServe() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Shutdown, and returns
// ErrServerClosed then. It closes ln when it returns. With Config.TLS set,
// connections on ln are TLS.
func (s *Server) Serve(ln net.Listener) error {
	return s.serveListener(ln, "listening", s.accept)
}

// serveListener runs an accept loop on ln (TLS when Config.TLS is set) until
// Shutdown, handing each connection to accept. Accept errors other than
// the listener closing (out of file descriptors and the like) back off and
// keep serving.
func (s *Server) serveListener(ln net.Listener, what string, accept func(net.Conn)) error {
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
		ln.Close()
	}()
	s.log.Info(what, "addr", ln.Addr().String(), "server_id", s.id)
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.closed.Load() || errors.Is(err, net.ErrClosed) {
				return ErrServerClosed
			}
			backoff = min(max(backoff*2, 5*time.Millisecond), time.Second)
			s.log.Error("accept failed", "err", err, "retry_in", backoff)
			select {
			case <-time.After(backoff):
			case <-s.done:
				return ErrServerClosed
			}
			continue
		}
		backoff = 0
		accept(nc)
	}
}

// accept starts serving nc, or refuses it while draining or at the
// connection limit.
func (s *Server) accept(nc net.Conn) {
	if s.draining.Load() {
		s.refuse(nc, &wire.Error{Code: wire.CodeShuttingDown, Message: "server shutting down"})
		return
	}
	s.mu.Lock()
	if s.draining.Load() { // Shutdown sets it under mu before it snapshots the connections
		s.mu.Unlock()
		s.refuse(nc, &wire.Error{Code: wire.CodeShuttingDown, Message: "server shutting down"})
		return
	}
	if s.cfg.MaxConnections > 0 && len(s.conns) >= s.cfg.MaxConnections {
		s.mu.Unlock()
		s.stats.refused.Add(1)
		s.refuse(nc, &wire.Error{Code: wire.CodeTooManyConnections, Message: "connection limit reached"})
		return
	}
	s.tuneSocket(nc)
	c := newConn(s, nc)
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	s.stats.accepted.Add(1)
	go c.serve()
}

// refuse answers a connection with a fatal ERR and closes it, without
// waiting long for a peer that does not read.
func (s *Server) refuse(nc net.Conn, e *wire.Error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		nc.Write(e.Append(nil))
		closeGracefully(nc)
	}()
}

func (s *Server) removeConn(c *conn) {
	// Folding the connection's counters in and forgetting it happen under one
	// lock, which Stats also takes, so that counters never go backwards.
	s.mu.Lock()
	s.stats.absorb(c)
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

func (s *Server) snapshotConns() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// Shutdown stops the server gracefully (PROTOCOL.md 12): it stops reading
// publishes, keeps writing already queued messages to subscribers for up to
// Config.DrainTimeout, answers connections arriving meanwhile with ERR
// shutting_down, then sends ERR shutting_down to every connection and closes
// it. It returns when every connection is closed, or with ctx's error if ctx
// ends first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.draining.Load() {
		s.mu.Unlock()
		<-s.done
		return nil
	}
	// Set under mu: accept checks it under mu too, so every connection is
	// either refused or in the snapshot below.
	s.draining.Store(true)
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	s.log.Info("shutting down", "drain_timeout", s.cfg.DrainTimeout)
	for _, c := range conns {
		c.stopReading()
	}
	drainCtx, cancel := context.WithTimeout(ctx, s.cfg.DrainTimeout)
	for _, c := range conns {
		select {
		case <-c.drained:
		case <-drainCtx.Done():
		}
	}
	cancel()
	s.closed.Store(true)
	// The drain is over: what is still unwritten is not delivered (the
	// writes under way finish, then ERR shutting_down, then the close, all
	// within shutdownGrace).
	for _, c := range s.snapshotConns() {
		c.fail(&wire.Error{Code: wire.CodeShuttingDown, Message: "server shutting down"}, true)
	}
	s.mu.Lock()
	for ln := range s.listeners {
		ln.Close()
	}
	s.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(finished)
	}()
	var err error
	select {
	case <-finished:
	case <-ctx.Done():
		err = ctx.Err()
		for _, c := range s.snapshotConns() {
			c.nc.Close()
		}
	}
	close(s.done)
	s.log.Info("stopped")
	return err
}

// shutdownGrace bounds the final writes (a write under way, then ERR
// shutting_down) to each connection once Shutdown's drain is over.
const shutdownGrace = time.Second

// tuneSocket applies Config.WriteBuffer to an accepted TCP connection.
func (s *Server) tuneSocket(nc net.Conn) {
	if s.cfg.WriteBuffer <= 0 {
		return
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		if err := tc.SetWriteBuffer(s.cfg.WriteBuffer); err != nil {
			s.log.Warn("setting the socket write buffer failed", "err", err)
		}
	}
}

// closeGracefully ends a connection so that the peer still reads what was
// written (typically a final ERR): it half-closes the write side, then reads
// and discards input for a moment before closing, because closing a socket
// with unread input sends a reset that can destroy the peer's unread data.
func closeGracefully(nc net.Conn) {
	if tc, ok := nc.(interface{ CloseWrite() error }); ok {
		if tc.CloseWrite() == nil {
			nc.SetReadDeadline(time.Now().Add(lingerTime))
			io.Copy(io.Discard, io.LimitReader(nc, lingerBytes))
		}
	}
	nc.Close()
}

// Lingering close bounds: how long and how much unread input is discarded.
const (
	lingerTime  = 500 * time.Millisecond
	lingerBytes = 4 << 20
)
