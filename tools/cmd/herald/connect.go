package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	herald "github.com/heraldmq/herald/sdk/go"
	"github.com/heraldmq/herald/spec/wire"
)

// client is one command's connection to the broker, through the Go SDK.
// What the SDK reports asynchronously is turned into something a command
// can wait on: a broker refusal (ERR permission_denied, say) or, without
// reconnection, the loss of the connection ends ctx and is kept as the
// failure; losses of messages go to the onLoss hook.
type client struct {
	nc  *herald.Conn
	url string
	// ctx ends with the command's context or at the first failure.
	ctx    context.Context
	cancel context.CancelFunc
	closed chan struct{} // closed by the SDK's last callback

	mu   sync.Mutex
	fail error
}

// clientHooks are what a command wants to hear about besides failures.
type clientHooks struct {
	// reconnect keeps the connection across a loss (sub); otherwise a loss
	// is a failure (pub, req).
	reconnect    bool
	onLoss       func(*herald.LossError)
	onDisconnect func(error)
	onReconnect  func()
}

// connect connects to --url with the flags' credentials and TLS settings,
// as the command of fs. Its errors are one line naming the problem (errUsage
// for a bad --url, already reported on stderr).
func (c *connFlags) connect(ctx context.Context, fs *flag.FlagSet, h clientHooks) (*client, error) {
	tlsCfg, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithCancel(ctx)
	cl := &client{url: c.url, ctx: cctx, cancel: cancel, closed: make(chan struct{})}
	opts := []herald.Option{
		herald.WithName(fs.Name()),
		herald.WithCredentials(c.user, c.token),
		herald.WithReconnect(h.reconnect),
		herald.WithLogger(slog.New(slog.DiscardHandler)),
		herald.WithClosedHandler(func(*herald.Conn) { close(cl.closed) }),
		herald.WithErrorHandler(func(_ *herald.Conn, _ *herald.Subscription, err error) {
			var le *herald.LossError
			if errors.As(err, &le) {
				if h.onLoss != nil {
					h.onLoss(le)
				}
				return
			}
			cl.failWith(err)
		}),
		herald.WithDisconnectHandler(func(_ *herald.Conn, err error) {
			if !h.reconnect {
				cl.failWith(fmt.Errorf("lost the connection to %s: %s", c.url, oneLine(err)))
				return
			}
			if h.onDisconnect != nil {
				h.onDisconnect(err)
			}
		}),
		herald.WithReconnectHandler(func(*herald.Conn) {
			if h.onReconnect != nil {
				h.onReconnect()
			}
		}),
	}
	if tlsCfg != nil {
		opts = append(opts, herald.WithTLSConfig(tlsCfg))
	}
	nc, err := herald.Connect(ctx, c.url, opts...)
	if err != nil {
		cancel()
		if errors.Is(err, herald.ErrInvalidURL) {
			return nil, usageError(fs, "invalid --url %q: want herald://HOST[:PORT] or heralds://HOST[:PORT], comma-separated", c.url)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.connectError(err)
	}
	cl.nc = nc
	return cl, nil
}

// connectError names why Connect failed: credentials refused, another
// refusal by the broker, TLS, or the broker unreachable.
func (c *connFlags) connectError(err error) error {
	cause := err
	if multi, ok := err.(interface{ Unwrap() []error }); ok && errors.Is(err, herald.ErrNoServers) {
		if errs := multi.Unwrap(); len(errs) > 0 {
			cause = errs[len(errs)-1]
		}
	}
	var we *wire.Error
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	switch {
	case errors.Is(cause, wire.ErrAuthFailed):
		return fmt.Errorf("auth failed: the broker at %s refused the credentials of user %q (set --user and --token, or HERALD_USER and HERALD_TOKEN)", c.url, c.user)
	case errors.As(cause, &we):
		return fmt.Errorf("the broker at %s refused the connection: %s", c.url, strings.TrimPrefix(we.Error(), "herald: "))
	case errors.As(cause, &certErr), errors.As(cause, &hostErr), errors.As(cause, &authErr), strings.Contains(cause.Error(), "tls: "):
		return fmt.Errorf("TLS with the broker at %s failed: %v", c.url, cause)
	}
	return fmt.Errorf("cannot reach the broker at %s: %v", c.url, cause)
}

// failWith records the first failure and ends cl.ctx.
func (cl *client) failWith(err error) {
	cl.mu.Lock()
	if cl.fail == nil {
		cl.fail = err
	}
	cl.mu.Unlock()
	cl.cancel()
}

// failure returns the first failure, one line naming the problem, or nil.
func (cl *client) failure() error {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.fail == nil {
		return nil
	}
	return refusal(cl.fail)
}

// close closes the connection and waits for the SDK's last callback, so
// that every error it reported before has been seen by failure.
func (cl *client) close() {
	cl.nc.Close()
	<-cl.closed
	cl.cancel()
}

// refusal rewords an error the broker sent about one of our frames.
func refusal(err error) error {
	var we *wire.Error
	if !errors.As(err, &we) {
		return err
	}
	switch we.Code {
	case wire.CodePermissionDenied:
		switch we.RefOp {
		case wire.OpPub:
			return fmt.Errorf("permission denied: this user may not publish to %s", we.RefChannel)
		case wire.OpSub:
			return fmt.Errorf("permission denied: this user may not subscribe to %s", we.RefChannel)
		}
		return fmt.Errorf("permission denied: %s", we.Message)
	case wire.CodeInvalidChannel:
		return fmt.Errorf("invalid channel %q: %s", we.RefChannel, we.Message)
	}
	return fmt.Errorf("the broker refused it: %s", strings.TrimPrefix(we.Error(), "herald: "))
}
