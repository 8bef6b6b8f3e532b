package herald_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
	herald "github.com/heraldmq/herald/sdk/go"
)

// pki is a CA made for one test, issuing leaf certificates.
type pki struct {
	t    *testing.T
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newPKI(t *testing.T, name string) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &pki{t: t, cert: cert, key: key, pool: pool}
}

// leaf issues a server certificate for ip (or for the DNS name host when ip
// is nil), or a client certificate when server is false.
func (p *pki) leaf(name string, server bool, ip net.IP) tls.Certificate {
	p.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		if ip != nil {
			tmpl.IPAddresses = []net.IP{ip}
		} else {
			tmpl.DNSNames = []string{name}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, &key.PublicKey, p.key)
	if err != nil {
		p.t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// tlsBroker serves a broker with TLS settings tc on addr ("127.0.0.1:0" for
// any port) until stop is called or the test ends.
func tlsBroker(t *testing.T, addr string, tc *tls.Config) (string, func()) {
	t.Helper()
	cfg := broker.DefaultConfig()
	cfg.TLS = tc
	srv, err := broker.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-served; !errors.Is(err, broker.ErrServerClosed) {
			t.Error(err)
		}
	}
	t.Cleanup(stop)
	return ln.Addr().String(), stop
}

var silent = herald.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// roundTrip publishes one message to itself and waits for it.
func roundTrip(t *testing.T, c *herald.Conn, payload string) {
	t.Helper()
	ctx := ctxFor(t, 5*time.Second)
	sub, err := c.SubscribePull("/mtls/" + payload)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := c.Publish(ctx, "/mtls/"+payload, []byte(payload)); err != nil {
		t.Fatal(err)
	}
	m, err := sub.Next(ctx)
	if err != nil || string(m.Data) != payload {
		t.Fatalf("Next: %v %v", m, err)
	}
}

// TestMutualTLSEndToEnd: heralds:// against a broker requiring client
// certificates (heraldd --tls-client-ca), including across a broker restart.
func TestMutualTLSEndToEnd(t *testing.T) {
	servers, clients := newPKI(t, "server CA"), newPKI(t, "client CA")
	serverTLS := &tls.Config{
		Certificates: []tls.Certificate{servers.leaf("herald", true, net.ParseIP("127.0.0.1"))},
		ClientCAs:    clients.pool, ClientAuth: tls.RequireAndVerifyClientCert,
	}
	addr, stop := tlsBroker(t, "127.0.0.1:0", serverTLS)
	url := "heralds://" + addr
	good := clients.leaf("app", false, nil)

	reconnected := make(chan struct{}, 1)
	c, err := herald.Connect(ctxFor(t, 5*time.Second), url, silent,
		herald.WithTLSConfig(&tls.Config{RootCAs: servers.pool, Certificates: []tls.Certificate{good}}),
		herald.WithReconnectHandler(func(*herald.Conn) {
			select {
			case reconnected <- struct{}{}:
			default:
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, "first")

	// The same port, restarted: the client dials again with its certificate.
	stop()
	tlsBroker(t, addr, serverTLS)
	select {
	case <-reconnected:
	case <-time.After(10 * time.Second):
		t.Fatal("no reconnect over TLS")
	}
	roundTrip(t, c, "again")

	for name, tc := range map[string]*tls.Config{
		"no client certificate":         {RootCAs: servers.pool},
		"client certificate of a rogue": {RootCAs: servers.pool, Certificates: []tls.Certificate{newPKI(t, "rogue").leaf("x", false, nil)}},
		"server not trusted":            {RootCAs: clients.pool, Certificates: []tls.Certificate{good}},
	} {
		c, err := herald.Connect(ctxFor(t, 5*time.Second), url, silent, herald.WithReconnect(false), herald.WithTLSConfig(tc))
		if err == nil {
			c.Close()
			t.Errorf("%s: connected", name)
		} else if !errors.Is(err, herald.ErrNoServers) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestTLSVerifiesTheHost: heralds://127.0.0.1 refuses a certificate that
// does not name 127.0.0.1, even from a trusted CA.
func TestTLSVerifiesTheHost(t *testing.T) {
	ca := newPKI(t, "CA")
	addr, _ := tlsBroker(t, "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{ca.leaf("elsewhere.example", true, nil)}})
	_, err := herald.Connect(ctxFor(t, 5*time.Second), "heralds://"+addr, silent, herald.WithTLSConfig(&tls.Config{RootCAs: ca.pool}))
	var hostErr x509.HostnameError
	if !errors.As(err, &hostErr) {
		t.Fatalf("want a hostname error, got %v", err)
	}
	// Naming the certificate's host explicitly is the way to accept it.
	c, err := herald.Connect(ctxFor(t, 5*time.Second), "heralds://"+addr, silent,
		herald.WithTLSConfig(&tls.Config{RootCAs: ca.pool, ServerName: "elsewhere.example"}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, "named")
}
