// Package testbroker starts an in-process Herald broker for the examples'
// tests.
package testbroker

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
)

// Start starts a broker with its default configuration on a loopback port
// and returns its herald:// URL. It shuts down when the test ends.
func Start(t testing.TB) string {
	t.Helper()
	srv, err := broker.New(broker.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("broker shutdown: %v", err)
		}
		<-served
	})
	return "herald://" + ln.Addr().String()
}
