package auth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker/auth"
	"github.com/heraldmq/herald/spec/wire"
)

const serverFile = `
users:
  - user: alice
    token: alice-token
    publish:
      allow: ["/orders/>"]
      deny: ["/orders/admin/>"]
    subscribe:
      allow: ["/orders/*"]
  - user: ops
    token: ops-token
`

func mustAuth(t *testing.T, data string) *auth.Auth {
	t.Helper()
	f, err := auth.Parse([]byte(data))
	require.NoError(t, err)
	a, err := auth.New(f)
	require.NoError(t, err)
	return a
}

// PROTOCOL.md 4.6: bad or missing credentials get ERR auth_failed, then the
// connection is closed; good ones get WELCOME announcing "auth".
func TestSpec4_6AuthFailedThenClose(t *testing.T) {
	srv, addr, logs := startServer(t, mustAuth(t, serverFile))
	for _, cred := range [][2]string{{"alice", "wrong-token"}, {"alice", ""}, {"", ""}, {"mallory", "alice-token"}} {
		c := hello(t, addr, cred[0], cred[1])
		e := c.expectErr(wire.CodeAuthFailed)
		assert.Equal(t, wire.OpHello, e.RefOp)
		c.expectClosed()
	}
	_, w := login(t, addr, "alice", "alice-token")
	assert.Contains(t, w.Capabilities, wire.CapAuth)
	assert.Equal(t, uint64(4), srv.Stats().AuthFailures)
	assert.NotContains(t, logs.String(), "wrong-token", "tokens are never logged")
	assert.NotContains(t, logs.String(), "alice-token", "tokens are never logged")
	assert.Contains(t, logs.String(), "authentication failed")
}

// PROTOCOL.md 6.6: a PUB or SUB outside the permissions gets ERR
// permission_denied naming it, is not acted on, and the connection stays
// open.
func TestSpec6_6PermissionDenied(t *testing.T) {
	srv, addr, _ := startServer(t, mustAuth(t, serverFile))
	ops, _ := login(t, addr, "ops", "ops-token")
	ops.sub(1, "/>")
	ops.ping()
	alice, _ := login(t, addr, "alice", "alice-token")

	alice.pub("/orders/admin/reset", "no")
	e := alice.expectErr(wire.CodePermissionDenied)
	assert.Equal(t, wire.OpPub, e.RefOp)
	assert.Equal(t, "/orders/admin/reset", e.RefChannel)

	alice.sub(7, "/orders/>")
	e = alice.expectErr(wire.CodePermissionDenied)
	assert.Equal(t, wire.OpSub, e.RefOp)
	assert.Equal(t, uint32(7), e.RefSid)
	assert.Equal(t, "/orders/>", e.RefChannel)

	alice.sub(8, "/orders/*")
	alice.pub("/billing/x", "no")
	alice.expectErr(wire.CodePermissionDenied)
	alice.pub("/orders/eu", "yes")
	alice.expectMsg(8, "/orders/eu", "yes")
	alice.ping()
	// The subscriber saw only the permitted publish.
	ops.expectMsg(1, "/orders/eu", "yes")
	ops.ping()
	assert.Equal(t, uint64(3), srv.Stats().PermissionDenied)
}

// A reload applies new permissions to live connections: a subscription they
// no longer permit ends with ERR permission_denied, the others keep working,
// the connection stays open, and a removed user is disconnected.
func TestReloadAppliesToLiveConnections(t *testing.T) {
	srv, addr, _ := startServer(t, mustAuth(t, serverFile))
	alice, _ := login(t, addr, "alice", "alice-token")
	alice.sub(1, "/orders/*")
	alice.sub(2, "/orders/eu")
	alice.sub(3, "/orders/big/>")
	alice.expectErr(wire.CodePermissionDenied)
	alice.ping()
	ops, _ := login(t, addr, "ops", "ops-token")

	srv.SetAuthenticator(mustAuth(t, `
users:
  - user: alice
    token: alice-token
    subscribe:
      allow: ["/orders/eu", "/orders/big/>"]
`))
	e := alice.expectErr(wire.CodePermissionDenied)
	assert.Equal(t, uint32(1), e.RefSid)
	assert.Equal(t, "/orders/*", e.RefChannel)
	ops.expectErr(wire.CodeAuthFailed)
	ops.expectClosed()

	// Publishing is now unrestricted for alice; sid 1 gets nothing more.
	alice.pub("/orders/us", "gone")
	alice.pub("/orders/eu", "kept")
	alice.expectMsg(2, "/orders/eu", "kept")
	alice.sub(3, "/orders/big/>")
	alice.pub("/orders/big/x", "newly allowed")
	alice.expectMsg(3, "/orders/big/x", "newly allowed")
	alice.ping()
	// ops's connection is torn down once its ERR is written.
	require.Eventually(t, func() bool { return len(srv.Connz()) == 1 }, waitFor, 5*time.Millisecond)
	assert.Equal(t, "alice", srv.Connz()[0].User)
}
