package main

import (
	"context"
	"crypto/tls"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

func TestSecurityFlagErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yaml", []byte("users:\n  - user: a\n"))
	junk := writeFile(t, dir, "junk.pem", []byte("not pem"))
	for want, args := range map[string][]string{
		"--tls-cert and --tls-key go together":               {"--tls-cert", junk},
		"--tls-client-ca needs --tls-cert":                   {"--tls-client-ca", junk},
		"--auth-file: " + bad:                                {"--auth-file", bad},
		"needs a token or a token_bcrypt":                    {"--auth-file", bad},
		"--auth-file: open " + dir + "/missing":              {"--auth-file", filepath.Join(dir, "missing")},
		"--tls-cert/--tls-key":                               {"--tls-cert", junk, "--tls-key", junk},
		"--monitor-addr: listen on 256.0.0.1:1:":             {"--monitor-addr", "256.0.0.1:1"},
		"--classic-addr cannot be combined with --auth-file": {"--classic-addr", "127.0.0.1:0", "--auth-file", bad},
	} {
		err := run(context.Background(), append([]string{"--addr", "127.0.0.1:0"}, args...), io.Discard)
		require.Error(t, err, want)
		assert.Contains(t, err.Error(), want)
	}
}

const aliceFile = `
users:
  - user: alice
    token: alice-token
    subscribe:
      allow: ["/a/>"]
  - user: bob
    token: bob-token
`

// sighup sends SIGHUP to this process; run, as main, catches it.
func sighup(t *testing.T) {
	t.Helper()
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
}

// TestAuthFileAndReloadOnSIGHUP: --auth-file admits its users only, and
// SIGHUP reloads it without dropping connections: a subscription the new
// file forbids ends with ERR permission_denied, a removed user is cut off, a
// file that fails to load changes nothing.
func TestAuthFileAndReloadOnSIGHUP(t *testing.T) {
	path := writeFile(t, t.TempDir(), "auth.yaml", []byte(aliceFile))
	d := startDaemon(t, "--auth-file", path)

	bad := dialPeer(t, d.addr, nil, "alice", "bob-token")
	bad.expectErr(wire.CodeAuthFailed)
	alice := dialPeer(t, d.addr, nil, "alice", "alice-token")
	w := alice.expect(wire.OpWelcome)
	var welcome wire.Welcome
	require.NoError(t, welcome.Decode(w))
	assert.Contains(t, welcome.Capabilities, wire.CapAuth)
	alice.send((&wire.Sub{Sid: 1, Pattern: []byte("/a/*")}).Append(nil))
	alice.send((&wire.Sub{Sid: 2, Pattern: []byte("/a/keep")}).Append(nil))
	alice.send((&wire.Sub{Sid: 3, Pattern: []byte("/b")}).Append(nil))
	e := alice.expectErr(wire.CodePermissionDenied)
	assert.Equal(t, uint32(3), e.RefSid)
	alice.ping()
	bob := dialPeer(t, d.addr, nil, "bob", "bob-token")
	bob.expect(wire.OpWelcome)

	require.NoError(t, os.WriteFile(path, []byte(`
users:
  - user: alice
    token: alice-token
    subscribe:
      allow: ["/a/keep", "/b"]
`), 0o600))
	sighup(t)
	d.waitLog(`msg="auth file reloaded" .*users=1`)
	e = alice.expectErr(wire.CodePermissionDenied)
	assert.Equal(t, uint32(1), e.RefSid, "the subscription to /a/* ended")
	bob.expectErr(wire.CodeAuthFailed)
	alice.send((&wire.Sub{Sid: 3, Pattern: []byte("/b")}).Append(nil))
	alice.send((&wire.Pub{Channel: []byte("/a/keep"), Payload: []byte("x")}).Append(nil))
	var m wire.Msg
	require.NoError(t, m.Decode(alice.expect(wire.OpMsg)))
	assert.Equal(t, uint32(2), m.Sid)
	alice.ping()

	// A broken file is refused; the one in force stays.
	require.NoError(t, os.WriteFile(path, []byte("users: [{user: alice}]\n"), 0o600))
	sighup(t)
	d.waitLog(`msg="auth file not reloaded; keeping the previous one"`)
	alice.ping()
	again := dialPeer(t, d.addr, nil, "alice", "alice-token")
	again.expect(wire.OpWelcome)
	assert.NotContains(t, d.logs(), "alice-token", "tokens are never logged")
	assert.NotContains(t, d.logs(), "bob-token", "tokens are never logged")
}

// tlsFiles writes a server certificate for 127.0.0.1 signed by ca, and
// returns the paths of the certificate and the key.
func tlsFiles(t *testing.T, dir string, ca *certAuthority, name string) (string, string) {
	_, certPEM, keyPEM := ca.issue(t, name, true)
	return writeFile(t, dir, name+".crt", certPEM), writeFile(t, dir, name+".key", keyPEM)
}

// TestTLS: with --tls-cert and --tls-key, clients speak TLS; plain TCP gets
// no WELCOME.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "test CA")
	cert, key := tlsFiles(t, dir, ca, "server")
	d := startDaemon(t, "--tls-cert", cert, "--tls-key", key)

	p := dialPeer(t, d.addr, &tls.Config{RootCAs: ca.pool}, "", "")
	p.expect(wire.OpWelcome)
	p.send((&wire.Sub{Sid: 1, Pattern: []byte("/t")}).Append(nil))
	p.send((&wire.Pub{Channel: []byte("/t"), Payload: []byte("over TLS")}).Append(nil))
	var m wire.Msg
	require.NoError(t, m.Decode(p.expect(wire.OpMsg)))
	assert.Equal(t, "over TLS", string(m.Payload))

	plain := dialPeer(t, d.addr, nil, "", "")
	_, _, err := plain.read()
	assert.Error(t, err, "a plain-TCP HELLO gets no WELCOME from a TLS listener")

	_, err = tls.Dial("tcp", d.addr, &tls.Config{RootCAs: newCA(t, "other CA").pool})
	assert.Error(t, err, "a certificate from an unknown CA is refused by the client")
}

// TestMutualTLSAndReload: with --tls-client-ca, a client needs a certificate
// signed by that CA; SIGHUP reloads the certificate for new connections
// while established ones stay.
func TestMutualTLSAndReload(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "server CA")
	clients := newCA(t, "client CA")
	cert, key := tlsFiles(t, dir, ca, "server")
	clientCA := writeFile(t, dir, "clients.pem", clients.pem)
	d := startDaemon(t, "--tls-cert", cert, "--tls-key", key, "--tls-client-ca", clientCA)

	good, _, _ := clients.issue(t, "good client", false)
	p := dialPeer(t, d.addr, &tls.Config{RootCAs: ca.pool, Certificates: []tls.Certificate{good}}, "", "")
	p.expect(wire.OpWelcome)

	// Without a certificate, or with one from another CA, the server ends
	// the handshake; with TLS 1.3 the client learns it at its first read.
	rogue, _, _ := newCA(t, "rogue CA").issue(t, "rogue client", false)
	for name, certs := range map[string][]tls.Certificate{"no certificate": nil, "unknown CA": {rogue}} {
		nc, err := tls.Dial("tcp", d.addr, &tls.Config{RootCAs: ca.pool, Certificates: certs})
		if err == nil {
			nc.Write((&wire.Hello{Version: wire.Version}).Append(nil))
			_, err = io.ReadAll(nc)
			nc.Close()
		}
		assert.Error(t, err, name)
	}

	// A new server certificate from another CA, picked up on SIGHUP.
	ca2 := newCA(t, "server CA 2")
	cert2, key2 := tlsFiles(t, dir, ca2, "server2")
	require.NoError(t, os.Rename(cert2, cert))
	require.NoError(t, os.Rename(key2, key))
	sighup(t)
	d.waitLog(`msg="TLS files reloaded"`)
	p2 := dialPeer(t, d.addr, &tls.Config{RootCAs: ca2.pool, Certificates: []tls.Certificate{good}}, "", "")
	p2.expect(wire.OpWelcome)
	p.ping() // the first connection is still up

	// A broken key keeps the certificate in force.
	require.NoError(t, os.WriteFile(key, []byte("broken"), 0o600))
	sighup(t)
	d.waitLog(`msg="TLS files not reloaded; keeping the previous ones"`)
	p3 := dialPeer(t, d.addr, &tls.Config{RootCAs: ca2.pool, Certificates: []tls.Certificate{good}}, "", "")
	p3.expect(wire.OpWelcome)
}
