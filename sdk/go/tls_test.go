package herald

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"testing"
	"time"
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

// TestTLSHandshake checks heralds:// against a scripted TLS server (the
// end-to-end test waits for the broker's TLS listener).
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
