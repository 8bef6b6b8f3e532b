package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/broker/monitor"
)

// monitoring is the HTTP server of --monitor-addr.
type monitoring struct {
	m    *monitor.Monitor
	hs   *http.Server
	done chan struct{}
}

// startMonitoring serves /healthz, /metrics and /connz for srv on addr; with
// addr empty it does nothing and returns nil.
func startMonitoring(addr string, srv *broker.Server, log *slog.Logger) (*monitoring, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--monitor-addr: listen on %s: %w", addr, err)
	}
	mon := &monitoring{m: monitor.New(srv), done: make(chan struct{})}
	mon.hs = &http.Server{
		Handler:           mon.m,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("monitoring", "addr", ln.Addr().String(), "endpoints", "/healthz /metrics /connz")
	go func() {
		defer close(mon.done)
		if err := mon.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("monitoring stopped", "err", err)
		}
	}()
	return mon, nil
}

// draining makes /healthz fail while the broker drains.
func (mon *monitoring) draining() {
	if mon != nil {
		mon.m.SetUnhealthy("shutting down")
	}
}

// stop closes the monitoring server, waiting briefly for requests in
// flight.
func (mon *monitoring) stop() {
	if mon == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if mon.hs.Shutdown(ctx) != nil {
		mon.hs.Close()
	}
	<-mon.done
}
