package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/broker/auth"
)

// security is what --auth-file and --tls-* configure, and reloads on
// SIGHUP.
type security struct {
	authFile string
	tlsCert  string
	tlsKey   string
	clientCA string

	tls atomic.Pointer[tls.Config] // the TLS settings in force
}

func (s *security) bind(fs *flag.FlagSet) {
	fs.StringVar(&s.authFile, "auth-file", "", "users, tokens and permissions, JSON or YAML (see package broker/auth); clients must authenticate; SIGHUP reloads it")
	fs.StringVar(&s.tlsCert, "tls-cert", "", "PEM certificate chain: clients must connect with TLS (heralds://); SIGHUP reloads it")
	fs.StringVar(&s.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.StringVar(&s.clientCA, "tls-client-ca", "", "PEM CA certificates: clients must present a certificate they signed (mutual TLS)")
}

// check reports flags that make no sense together.
func (s *security) check() error {
	switch {
	case (s.tlsCert == "") != (s.tlsKey == ""):
		return errors.New("--tls-cert and --tls-key go together")
	case s.clientCA != "" && s.tlsCert == "":
		return errors.New("--tls-client-ca needs --tls-cert and --tls-key")
	}
	return nil
}

// configure loads the auth file and TLS files into cfg.
func (s *security) configure(cfg *broker.Config) error {
	if err := s.check(); err != nil {
		return err
	}
	if s.authFile != "" && cfg.ClassicAddr != "" {
		return errors.New("--classic-addr cannot be combined with --auth-file: classic clients carry no credentials")
	}
	if s.authFile != "" {
		a, err := auth.Load(s.authFile)
		if err != nil {
			return fmt.Errorf("--auth-file: %w", err)
		}
		cfg.Auth = a
	}
	if s.tlsCert != "" {
		tc, err := s.loadTLS()
		if err != nil {
			return err
		}
		s.tls.Store(tc)
		// Every handshake takes the settings in force, so a reload applies
		// to the next connection.
		cfg.TLS = &tls.Config{
			MinVersion:         tls.VersionTLS12,
			GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return s.tls.Load(), nil },
		}
	}
	return nil
}

// loadTLS reads the certificate, key and client CAs.
func (s *security) loadTLS() (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(s.tlsCert, s.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}
	if s.clientCA != "" {
		pem, err := os.ReadFile(s.clientCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-client-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-client-ca: no PEM certificate in %s", s.clientCA)
		}
		tc.ClientCAs, tc.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return tc, nil
}

// reload rereads the auth file and the TLS files, applying each that loads
// and keeping the previous settings of each that does not. Connections stay
// open; the broker applies new permissions to them (broker.SetAuthenticator).
func (s *security) reload(srv *broker.Server, log *slog.Logger) {
	if s.authFile == "" && s.tlsCert == "" {
		log.Info("SIGHUP: no --auth-file or --tls-cert to reload")
		return
	}
	if s.authFile != "" {
		if a, err := auth.Load(s.authFile); err != nil {
			log.Error("auth file not reloaded; keeping the previous one", "err", err)
		} else {
			srv.SetAuthenticator(a)
			log.Info("auth file reloaded", "path", s.authFile, "users", a.Len())
		}
	}
	if s.tlsCert != "" {
		if tc, err := s.loadTLS(); err != nil {
			log.Error("TLS files not reloaded; keeping the previous ones", "err", err)
		} else {
			s.tls.Store(tc)
			log.Info("TLS files reloaded", "cert", s.tlsCert)
		}
	}
}
