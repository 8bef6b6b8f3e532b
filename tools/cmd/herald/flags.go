package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// defaultURL is the broker a command reaches without --url or HERALD_URL.
const defaultURL = "herald://127.0.0.1:7420"

// connFlags are the flags every command that reaches a broker shares.
type connFlags struct {
	url      string
	user     string
	token    string
	tlsCA    string
	tlsCert  string
	tlsKey   string
	insecure bool
}

// register adds the flags to fs.
func (c *connFlags) register(fs *flag.FlagSet) {
	def := os.Getenv("HERALD_URL")
	if def == "" {
		def = defaultURL
	}
	fs.StringVar(&c.url, "url", def, "the broker's URL, herald://HOST:PORT or heralds://HOST:PORT for TLS (default from HERALD_URL)")
	fs.StringVar(&c.token, "token", os.Getenv("HERALD_TOKEN"), "the token sent in HELLO (default from HERALD_TOKEN)")
	fs.StringVar(&c.tlsCA, "tls-ca", "", "PEM file of the CAs that sign the broker's certificate (implies TLS)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM client certificate (with --tls-key)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM client key (with --tls-cert)")
	fs.BoolVar(&c.insecure, "tls-insecure", false, "do not verify the broker's certificate (testing only)")
}

// registerUser adds --user, which pub, sub and req send in HELLO beside
// --token (a broker with an auth file names each user).
func (c *connFlags) registerUser(fs *flag.FlagSet) {
	fs.StringVar(&c.user, "user", os.Getenv("HERALD_USER"), "the user sent in HELLO with --token (default from HERALD_USER)")
}

// tlsConfig returns the TLS configuration the flags ask for, or nil for
// plain TCP.
func (c *connFlags) tlsConfig() (*tls.Config, error) {
	if !strings.HasPrefix(c.url, "heralds://") && c.tlsCA == "" && c.tlsCert == "" && !c.insecure {
		return nil, nil
	}
	cfg := &tls.Config{InsecureSkipVerify: c.insecure, MinVersion: tls.VersionTLS12}
	if c.tlsCA != "" {
		pem, err := os.ReadFile(c.tlsCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca: no certificate in %s", c.tlsCA)
		}
		cfg.RootCAs = pool
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	if c.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// newFlagSet returns a flag set whose --help prints the synopsis, the
// example and the flags to stderr.
func newFlagSet(name, synopsis, example string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("herald "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: herald %s %s\n\nExample:\n  %s\n\nFlags:\n", name, synopsis, example)
		fs.PrintDefaults()
	}
	return fs
}

// newCmdFlagSet returns a flag set whose --help prints the synopsis, what
// the command does, its examples and its flags to stderr.
func newCmdFlagSet(name, synopsis, about string, examples []string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("herald "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: herald %s %s\n\n%s\n\nExamples:\n", name, synopsis, about)
		for _, e := range examples {
			fmt.Fprintf(stderr, "  %s\n", e)
		}
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// usageError reports a mistake in the command line as one line on stderr
// and returns errUsage (exit status 2).
func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	return errUsage
}

// parse parses flags and positional arguments in any order and returns the
// positional ones. A bad flag is errUsage (already reported by fs).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
