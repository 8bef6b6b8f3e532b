package broker

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

// tlsServer runs a broker speaking TLS with a self-signed certificate for
// 127.0.0.1, and returns its address and a client config trusting it.
func tlsServer(t *testing.T, cfg Config) (*Server, string, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	cfg.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv, addr := startServer(t, cfg)
	return srv, addr, &tls.Config{RootCAs: pool}
}

// The TLS handshake happens within the HELLO wait (PROTOCOL.md 4.5): a
// client that connects and sends nothing, or sends bytes that are not TLS,
// is closed without holding a connection slot.
func TestTLSHandshakeIsBoundedByHelloTimeout(t *testing.T) {
	cfg := DefaultConfig()
	cfg.HelloTimeout = 300 * time.Millisecond
	cfg.WriteGrace = time.Second
	srv, addr, client := tlsServer(t, cfg)

	silent, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer silent.Close()
	plain, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer plain.Close()
	_, err = plain.Write((&wire.Hello{Version: wire.Version}).Append(nil))
	require.NoError(t, err)
	start := time.Now()
	for _, nc := range []net.Conn{silent, plain} {
		nc.SetReadDeadline(time.Now().Add(waitFor))
		_, err := io.ReadAll(nc)
		var ne net.Error
		assert.False(t, err != nil && errors.As(err, &ne) && ne.Timeout(), "closed by the server, not by our deadline")
	}
	assert.Less(t, time.Since(start), cfg.HelloTimeout+cfg.WriteGrace+time.Second)
	require.Eventually(t, func() bool { return len(srv.Connz()) == 0 }, waitFor, time.Millisecond)

	// A TLS client is served as usual.
	nc, err := tls.Dial("tcp", addr, client)
	require.NoError(t, err)
	defer nc.Close()
	_, err = nc.Write((&wire.Hello{Version: wire.Version, Echo: true, Headers: true}).Append(nil))
	require.NoError(t, err)
	nc.SetReadDeadline(time.Now().Add(waitFor))
	body, err := wire.NewReader(nc, 1<<20).Next()
	require.NoError(t, err)
	op, _ := wire.PeekOp(body)
	assert.Equal(t, wire.OpWelcome, op)
}
