package herald

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/big"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/spec/wire"
)

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestTLSHandshake checks heralds:// against a scripted TLS server.
func TestTLSHandshake(t *testing.T) {
	cert, pool := selfSigned(t)
	f := startFake(t)
	f.ln = tls.NewListener(f.ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	accepted := make(chan *fakeConn, 1)
	go func() { accepted <- f.accept(true) }()
	url := "heralds://" + f.ln.Addr().String()
	c := connect(t, url, WithTLSConfig(&tls.Config{RootCAs: pool}))
	<-accepted
	if c.Status() != Connected || c.ConnectedURL() != url {
		t.Fatalf("status %v url %q", c.Status(), c.ConnectedURL())
	}
	// An untrusted certificate fails the connection.
	go func() {
		if nc, err := f.ln.Accept(); err == nil {
			nc.(*tls.Conn).Handshake() // fails: the client refuses the certificate
			nc.Close()
		}
	}()
	if _, err := Connect(ctxT(t, 5*time.Second), url, WithLogger(quietLogger)); err == nil {
		t.Fatal("connected to an untrusted server")
	}
}

// staticAuth admits alice/secret, who may not touch /forbidden.
type staticAuth struct{}

func (staticAuth) Authenticate(user, token string) (broker.Permissions, error) {
	if user != "alice" || token != "secret" {
		return nil, errors.New("bad credentials")
	}
	return noForbidden{}, nil
}

type noForbidden struct{}

func (noForbidden) CanPublish(ch []byte) bool { return !bytes.HasPrefix(ch, []byte("/forbidden")) }
func (noForbidden) CanSubscribe(p []byte) bool {
	return !bytes.HasPrefix(p, []byte("/forbidden"))
}

// TestTLSAndAuthAgainstTheBroker runs heralds:// with credentials end to end.
func TestTLSAndAuthAgainstTheBroker(t *testing.T) {
	cert, pool := selfSigned(t)
	b := startBroker(t, func(cfg *broker.Config) {
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		cfg.Auth = staticAuth{}
	})
	url := "heralds://" + b.addr
	trust := WithTLSConfig(&tls.Config{RootCAs: pool})
	ctx := ctxT(t, 10*time.Second)

	if _, err := Connect(ctx, url, trust, WithLogger(quietLogger), WithCredentials("alice", "wrong")); !errors.Is(err, wire.ErrAuthFailed) {
		t.Fatalf("wrong token: %v", err)
	}
	errs := newErrorLog()
	c := connect(t, url, trust, WithCredentials("alice", "secret"), WithErrorHandler(errs.handler))
	if !slices.Contains(c.ServerInfo().Capabilities, wire.CapAuth) {
		t.Fatalf("capabilities %v", c.ServerInfo().Capabilities)
	}
	sub, err := c.SubscribePull("/open")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, "/open", []byte("over TLS")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.Next(ctx); err != nil || string(m.Data) != "over TLS" {
		t.Fatalf("Next: %v %v", m, err)
	}
	// A refused PUB is reported; a refused SUB ends its subscription.
	if err := c.Publish(ctx, "/forbidden/x", nil); err != nil {
		t.Fatal(err)
	}
	errs.waitFor(t, wire.ErrPermissionDenied)
	denied, _ := c.SubscribePull("/forbidden/>")
	if _, err := denied.Next(ctx); !errors.Is(err, wire.ErrPermissionDenied) || !errors.Is(err, ErrSubscriptionClosed) {
		t.Fatalf("Next on a refused subscription: %v", err)
	}
	if c.Status() != Connected {
		t.Fatalf("status %v", c.Status())
	}
}
