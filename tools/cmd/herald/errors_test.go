package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/broker/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unreachable is a URL where nothing listens.
const unreachable = "herald://127.0.0.1:1"

func TestUnreachableBrokerIsNamed(t *testing.T) {
	checkGoroutines(t)
	for _, args := range [][]string{
		{"pub", "/orders/eu/new", "x"},
		{"sub", "/orders/>"},
		{"req", "/svc/time", "now"},
	} {
		code, out, errOut := runIn(t, "", append(args, "--url", unreachable)...)
		assert.Equal(t, 1, code, args[0])
		assert.Empty(t, out, args[0])
		assert.Equal(t, "herald "+args[0]+": cannot reach the broker at herald://127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused\n", errOut)
	}
}

// TestUsageErrorsComeBeforeConnecting checks every mistake in the command
// line is one line, exit status 2, found before any dialling: the URL is
// unreachable, so a command that connected would say so instead.
func TestUsageErrorsComeBeforeConnecting(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		msg  string
	}{
		"pub invalid channel": {[]string{"pub", "orders", "x"},
			`herald pub: invalid channel "orders": want /segment/segment..., 2 to 256 bytes of printable ASCII, no space, no * or > (PROTOCOL.md 5.1)`},
		"pub wildcard channel": {[]string{"pub", "/orders/*", "x"},
			`herald pub: invalid channel "/orders/*": want /segment/segment..., 2 to 256 bytes of printable ASCII, no space, no * or > (PROTOCOL.md 5.1)`},
		"pub invalid reply-to": {[]string{"pub", "/a", "x", "--reply-to", "b"},
			`herald pub: invalid --reply-to "b": want /segment/segment..., 2 to 256 bytes of printable ASCII, no space, no * or > (PROTOCOL.md 5.1)`},
		"pub missing channel": {[]string{"pub"}, "herald pub: missing CHANNEL (usage: herald pub CHANNEL [DATA] [flags])"},
		"pub too many":        {[]string{"pub", "/a", "b", "c"}, "herald pub: 3 arguments: want CHANNEL [DATA] (quote DATA that holds spaces)"},
		"pub size with data":  {[]string{"pub", "/a", "b", "--size", "3"}, "herald pub: --size is for generated payloads; it goes without DATA"},
		"pub zero count":      {[]string{"pub", "/a", "--count", "0"}, "herald pub: --count must be at least 1"},
		"pub bad header": {[]string{"pub", "/a", "b", "--header", "novalue"},
			`invalid value "novalue" for flag -header: want KEY=VALUE`},
		"sub invalid pattern": {[]string{"sub", "/orders/a*"},
			`herald sub: invalid pattern "/orders/a*": want /segment/... where a whole segment may be * and the last may be > (PROTOCOL.md 5.2)`},
		"sub invalid queue": {[]string{"sub", "/jobs", "--queue", "two words"},
			`herald sub: invalid --queue "two words": want 1 to 64 bytes of printable ASCII, no space (PROTOCOL.md 5.5)`},
		"sub missing pattern": {[]string{"sub"}, "herald sub: missing PATTERN (usage: herald sub PATTERN [flags])"},
		"sub two patterns":    {[]string{"sub", "/a", "/b"}, "herald sub: 2 arguments: want one PATTERN"},
		"req invalid channel": {[]string{"req", "/svc/", "now"},
			`herald req: invalid channel "/svc/": want /segment/segment..., 2 to 256 bytes of printable ASCII, no space, no * or > (PROTOCOL.md 5.1)`},
		"req missing data": {[]string{"req", "/svc/time"}, "herald req: want CHANNEL DATA, got 1 argument(s) (usage: herald req CHANNEL DATA [flags])"},
		"req bad timeout":  {[]string{"req", "/svc/time", "now", "--timeout", "0s"}, "herald req: --timeout must be positive"},
		"bad url": {[]string{"pub", "/a", "b", "--url", "http://x"},
			`herald pub: invalid --url "http://x": want herald://HOST[:PORT] or heralds://HOST[:PORT], comma-separated`},
	} {
		t.Run(name, func(t *testing.T) {
			args := tc.args
			if !strings.Contains(strings.Join(args, " "), "--url") {
				args = append(args, "--url", unreachable)
			}
			code, out, errOut := runIn(t, "", args...)
			assert.Equal(t, 2, code, errOut)
			assert.Empty(t, out)
			if strings.HasPrefix(tc.msg, "herald ") {
				assert.Equal(t, tc.msg+"\n", errOut)
			} else {
				assert.Contains(t, errOut, tc.msg) // the flag package's message, then the usage
			}
		})
	}
}

// startAuthBroker runs a broker where alice (token s3cret) may publish
// under /orders/eu and subscribe there and to her inbox.
func startAuthBroker(t *testing.T) string {
	t.Helper()
	a, err := auth.New(&auth.File{Users: []auth.User{{
		Name: "alice", Token: "s3cret",
		Publish:   &auth.Rules{Allow: []string{"/orders/eu/>"}},
		Subscribe: &auth.Rules{Allow: []string{"/orders/eu/>", "/_inbox/>"}},
	}}})
	require.NoError(t, err)
	cfg := broker.DefaultConfig()
	cfg.Auth = a
	_, url := startBrokerWith(t, cfg)
	return url
}

func TestAuthFailed(t *testing.T) {
	url := startAuthBroker(t)
	checkGoroutines(t)
	for _, args := range [][]string{
		{"pub", "/orders/eu/new", "x"},
		{"sub", "/orders/eu/>"},
		{"req", "/orders/eu/new", "x"},
	} {
		code, out, errOut := runIn(t, "", append(args, "--url", url, "--user", "alice", "--token", "wrong")...)
		assert.Equal(t, 1, code, args[0])
		assert.Empty(t, out)
		assert.Equal(t, "herald "+args[0]+": auth failed: the broker at "+url+` refused the credentials of user "alice" (set --user and --token, or HERALD_USER and HERALD_TOKEN)`+"\n", errOut)
	}
}

func TestPermissionDenied(t *testing.T) {
	url := startAuthBroker(t)
	checkGoroutines(t)
	alice := []string{"--url", url, "--user", "alice", "--token", "s3cret"}

	code, out, errOut := runIn(t, "", append([]string{"pub", "/orders/eu/new", "ok"}, alice...)...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "published 1 message to /orders/eu/new\n", out)

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"pub", "/secret/x", "no"}, "herald pub: permission denied: this user may not publish to /secret/x\n"},
		{[]string{"pub", "/secret/x", "--count", "3"}, "herald pub: permission denied: this user may not publish to /secret/x\n"},
		{[]string{"sub", "/secret/>"}, "herald sub: permission denied: this user may not subscribe to /secret/>\n"},
		{[]string{"sub", "/orders/>"}, "herald sub: permission denied: this user may not subscribe to /orders/>\n"},
		{[]string{"req", "/secret/x", "no", "--timeout", "1m"}, "herald req: permission denied: this user may not publish to /secret/x\n"},
	} {
		code, out, errOut := runIn(t, "", append(tc.args, alice...)...)
		assert.Equal(t, 1, code, tc.args)
		assert.Empty(t, out, tc.args)
		assert.Equal(t, tc.msg, errOut, tc.args)
	}
}

// selfSigned writes a certificate for 127.0.0.1 to dir and returns the
// broker's TLS configuration and the certificate's path.
func selfSigned(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, path
}

func TestTLS(t *testing.T) {
	tlsCfg, caPath := selfSigned(t)
	cfg := broker.DefaultConfig()
	cfg.TLS = tlsCfg
	_, url := startBrokerWith(t, cfg)
	url = "heralds://" + strings.TrimPrefix(url, "herald://")
	checkGoroutines(t)

	sub := startSub(t, "/secure", "--count", "1", "--url", url, "--tls-ca", caPath)
	code, out, errOut := runIn(t, "", "pub", "/secure", "hi", "--url", url, "--tls-ca", caPath)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "published 1 message to /secure\n", out)
	require.Equal(t, 0, sub.wait(t))
	assert.Equal(t, "#1 /secure hi\n", sub.stdout.String())

	code, _, errOut = runIn(t, "", "pub", "/secure", "hi", "--url", url)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `^herald pub: TLS with the broker at heralds://127\.0\.0\.1:\d+ failed: tls: failed to verify certificate: x509: .+\n$`, errOut)
}

func TestPubPayloadTooLarge(t *testing.T) {
	cfg := broker.DefaultConfig()
	cfg.MaxPayload = 10
	_, url := startBrokerWith(t, cfg)
	code, out, errOut := runIn(t, "", "pub", "/big", "0123456789X", "--url", url)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "herald pub: payload too large: 11 bytes, the server's max_payload is 10\n", errOut)
}

func TestRootHelpDocumentsExitStatus(t *testing.T) {
	code, out, errOut := runCLI(t, "--help")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)
	for _, want := range []string{"Exit status:", "\n  0    success", "\n  1    runtime error", "\n  2    usage error", "\n  130  herald pub, req or bench interrupted"} {
		assert.Contains(t, errOut, want)
	}
}
