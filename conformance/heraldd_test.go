package conformance_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/broker/auth"
	"github.com/heraldmq/herald/conformance"
)

// Credentials of the suite against the in-process heraldd, which requires
// them so that the @auth scenarios run too: the suite's own user, who may do
// everything, and the restricted user of auth.feature.
const (
	suiteUser       = "conformance"
	suiteToken      = "s3cret-token"
	restrictedUser  = "conformance-restricted"
	restrictedToken = "restricted-token"
)

// authFile is what heraldd --auth-file would read for those two users.
const authFile = `
users:
  - user: ` + suiteUser + `
    token: ` + suiteToken + `
  - user: ` + restrictedUser + `
    token: ` + restrictedToken + `
    publish:
      deny: ["/*/forbidden", "/*/forbidden/>"]
    subscribe:
      deny: ["/*/forbidden", "/*/forbidden/>"]
`

func suiteAuth(t *testing.T) *auth.Auth {
	t.Helper()
	f, err := auth.Parse([]byte(authFile))
	require.NoError(t, err)
	a, err := auth.New(f)
	require.NoError(t, err)
	return a
}

// startHeraldd serves heraldd on 127.0.0.1:0 with small limits that keep
// the scenarios fast: a 256 KiB outbound buffer, 128 KiB payloads, a 300 ms
// ping interval and
// 16 subscriptions per connection.
func startHeraldd(t *testing.T, overflow broker.Overflow) string {
	t.Helper()
	cfg := broker.DefaultConfig()
	cfg.Overflow = overflow
	cfg.MaxPendingBytes = 256 << 10
	cfg.PingInterval = 300 * time.Millisecond
	cfg.MaxSubscriptions = 16
	cfg.MaxPayload = 128 << 10
	cfg.Auth = suiteAuth(t)
	srv, err := broker.New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		assert.NoError(t, srv.Shutdown(ctx))
		select {
		case <-served:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return after Shutdown")
		}
	})
	return ln.Addr().String()
}

// logWriter sends the suite's notes to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestHeraldd runs the whole suite against heraldd under both overflow
// policies. Each run leaves out only the scenarios written for the other
// policy; nothing may be skipped, and together the two runs cover every
// scenario of the suite.
func TestHeraldd(t *testing.T) {
	all, err := conformance.List("~@classic") // classic_heraldd_test.go runs those
	require.NoError(t, err)
	ran := map[string]bool{}
	for _, policy := range []broker.Overflow{broker.OverflowDrop, broker.OverflowDisconnect} {
		other := broker.OverflowDisconnect
		if policy == broker.OverflowDisconnect {
			other = broker.OverflowDrop
		}
		t.Run(string(policy), func(t *testing.T) {
			addr := startHeraldd(t, policy)
			var report bytes.Buffer
			res, err := conformance.Run(conformance.Config{
				Addr: addr, Tags: "~@overflow-" + string(other) + " && ~@classic", Format: "progress",
				Output: &report, Notes: logWriter{t}, TestingT: t,
				User: suiteUser, Token: suiteToken,
				RestrictedUser: restrictedUser, RestrictedToken: restrictedToken,
			})
			require.NoError(t, err)
			t.Log(res.Summary())
			for _, s := range res.Scenarios {
				if s.Status == "skipped" {
					t.Errorf("skipped %q: %s", s.Name, s.Detail)
				}
				if s.Status == "failed" {
					t.Errorf("failed %q (%s): %s", s.Name, s.File, s.Detail)
				}
				ran[s.File+": "+s.Name] = s.Status == "passed"
			}
			assert.True(t, res.OK(), "the run is not OK: %s", res.Summary())
			if t.Failed() {
				t.Log(report.String())
			}
		})
	}
	for _, e := range all {
		assert.True(t, ran[e.File+": "+e.Name], "no run passed %q (%s)", e.Name, e.File)
	}
	assert.Len(t, ran, len(all), "scenario names must be unique")
}
