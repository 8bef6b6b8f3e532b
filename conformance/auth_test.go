package conformance_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/conformance"
)

// runAuth runs the @auth scenarios against addr and returns the outcome of
// each by name.
func runAuth(t *testing.T, cfg conformance.Config) map[string]conformance.Scenario {
	t.Helper()
	cfg.Tags, cfg.Format, cfg.Output, cfg.Notes = "@auth", "progress", io.Discard, logWriter{t}
	res, err := conformance.Run(cfg)
	require.NoError(t, err)
	out := map[string]conformance.Scenario{}
	for _, s := range res.Scenarios {
		out[s.Name] = s
	}
	return out
}

// The @restricted-user scenarios are skipped, with the reason, when the
// runner has no restricted user; the others still run.
func TestAuthScenariosWithoutRestrictedUser(t *testing.T) {
	addr := startHeraldd(t, broker.OverflowDrop)
	got := runAuth(t, conformance.Config{Addr: addr, User: suiteUser, Token: suiteToken})
	require.Len(t, got, 4)
	for name, s := range got {
		if assert.Contains(t, []string{"passed", "skipped"}, s.Status, name) && s.Status == "skipped" {
			assert.Contains(t, s.Tags, "@restricted-user", name)
			assert.Contains(t, s.Detail, "--restricted-user", name)
		}
	}
	assert.Equal(t, "passed", got["a known user with a wrong token is refused"].Status)
	assert.Equal(t, "skipped", got["a subscription outside the permissions is refused and receives nothing"].Status)
}

// Against a server that does not announce auth, every @auth scenario is
// skipped with the reason.
func TestAuthScenariosSkippedWithoutAuth(t *testing.T) {
	srv, err := broker.New(broker.DefaultConfig())
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, srv.Shutdown(ctx))
	})
	got := runAuth(t, conformance.Config{Addr: ln.Addr().String(), RestrictedUser: "r", RestrictedToken: "t"})
	require.Len(t, got, 4)
	for name, s := range got {
		assert.Equal(t, "skipped", s.Status, name)
		assert.Contains(t, s.Detail, `does not announce the capability "auth"`, name)
	}
}
