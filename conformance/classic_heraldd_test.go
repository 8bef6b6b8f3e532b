package conformance_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/conformance"
)

// startClassicHeraldd serves heraldd with a Herald and a classic-profile
// listener, with the small limits of startHeraldd. It has no authentication:
// a server that requires credentials does not serve the classic profile
// (PROTOCOL.md 14.10).
func startClassicHeraldd(t *testing.T, overflow broker.Overflow, auth bool) (addr, classicAddr string) {
	t.Helper()
	cfg := broker.DefaultConfig()
	cfg.Overflow = overflow
	cfg.MaxPendingBytes = 256 << 10
	cfg.PingInterval = 300 * time.Millisecond
	cfg.MaxSubscriptions = 16
	cfg.MaxPayload = 128 << 10
	if auth {
		cfg.Auth = suiteAuth(t)
	}
	srv, err := broker.New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 2)
	go func() { served <- srv.Serve(ln) }()
	if auth {
		require.ErrorIs(t, srv.ServeClassic(cln), broker.ErrClassicAuth)
	} else {
		go func() { served <- srv.ServeClassic(cln) }()
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, srv.Shutdown(ctx))
	})
	return ln.Addr().String(), cln.Addr().String()
}

// runClassic runs the suite and returns each scenario's outcome by name.
func runClassic(t *testing.T, cfg conformance.Config) map[string]conformance.Scenario {
	t.Helper()
	var report bytes.Buffer
	cfg.Format, cfg.Output, cfg.Notes, cfg.TestingT = "progress", &report, logWriter{t}, t
	res, err := conformance.Run(cfg)
	require.NoError(t, err)
	t.Log(res.Summary())
	out := map[string]conformance.Scenario{}
	for _, s := range res.Scenarios {
		if s.Status == "failed" {
			t.Errorf("failed %q (%s): %s", s.Name, s.File, s.Detail)
		}
		out[s.Name] = s
	}
	if t.Failed() {
		t.Log(report.String())
	}
	return out
}

func tagged(s conformance.Scenario, tag string) bool {
	for _, t := range s.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// TestClassicHeraldd runs the @classic scenarios against heraldd under both
// overflow policies with both addresses; with the classic address alone,
// where the @cross-protocol scenarios must be skipped with the reason; and
// with authentication configured, where heraldd refuses the classic profile
// (14.10). Together the runs pass every @classic scenario.
func TestClassicHeraldd(t *testing.T) {
	all, err := conformance.List("@classic")
	require.NoError(t, err)
	passed := map[string]bool{}
	note := func(res map[string]conformance.Scenario) {
		for name, s := range res {
			passed[name] = passed[name] || s.Status == "passed"
		}
	}
	for _, policy := range []broker.Overflow{broker.OverflowDrop, broker.OverflowDisconnect} {
		t.Run(string(policy), func(t *testing.T) {
			addr, caddr := startClassicHeraldd(t, policy, false)
			res := runClassic(t, conformance.Config{Addr: addr, ClassicAddr: caddr, Tags: "@classic"})
			for name, s := range res {
				if s.Status == "skipped" && !tagged(s, "@classic-auth") {
					t.Errorf("skipped %q: %s", name, s.Detail)
				}
			}
			note(res)
		})
	}
	t.Run("classic address alone", func(t *testing.T) {
		_, caddr := startClassicHeraldd(t, broker.OverflowDrop, false)
		res := runClassic(t, conformance.Config{ClassicAddr: caddr, Tags: "@classic && ~@classic-isolation"})
		for name, s := range res {
			if tagged(s, "@cross-protocol") {
				assert.Equal(t, "skipped", s.Status, name)
				assert.Contains(t, s.Detail, "--addr", name)
			} else {
				assert.Equal(t, "passed", s.Status, name)
			}
		}
		note(res)
	})
	t.Run("with authentication", func(t *testing.T) {
		addr, caddr := startClassicHeraldd(t, broker.OverflowDrop, true)
		res := runClassic(t, conformance.Config{Addr: addr, ClassicAddr: caddr, Tags: "@classic && @classic-auth",
			User: suiteUser, Token: suiteToken})
		require.NotEmpty(t, res)
		note(res)
	})
	for _, e := range all {
		assert.True(t, passed[e.Name], "no run passed %q (%s)", e.Name, e.File)
	}
}

// TestAddressesDecideWhatRuns: a run without --classic-addr skips the
// @classic scenarios, and one without --addr skips the others, each with
// the reason.
func TestAddressesDecideWhatRuns(t *testing.T) {
	addr, caddr := startClassicHeraldd(t, broker.OverflowDrop, false)
	for _, tc := range []struct {
		cfg  conformance.Config
		want string
	}{
		{conformance.Config{Addr: addr, Tags: "@classic && @spec-14.8"}, "--classic-addr"},
		{conformance.Config{ClassicAddr: caddr, Tags: "@rotation && @spec-7.9"}, "--addr"},
	} {
		tc.cfg.Output = io.Discard
		res, err := conformance.Run(tc.cfg)
		require.NoError(t, err)
		require.NotEmpty(t, res.Scenarios)
		assert.False(t, res.OK(), "a run that ran nothing is not OK")
		for _, s := range res.Scenarios {
			assert.Equal(t, "skipped", s.Status, s.Name)
			assert.True(t, strings.Contains(s.Detail, tc.want), "%s: %s", s.Name, s.Detail)
		}
	}
}
