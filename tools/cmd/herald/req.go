package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	herald "github.com/heraldmq/herald/sdk/go"
)

const reqAbout = `Sends DATA to CHANNEL as a request, with a reply-to in this connection's
inbox, and prints the first reply's payload on stdout, followed by a newline.
It fails, exit status 1, when no reply comes within --timeout, or at once
when no subscriber received the request ("no responders", on a broker that
announces them).`

var reqExamples = []string{
	"herald req /svc/time now --timeout 1s",
	"herald req /svc/echo hello --header trace=abc",
}

// runReq is `herald req CHANNEL DATA [--timeout D]`.
func runReq(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newCmdFlagSet("req", "CHANNEL DATA [flags]", reqAbout, reqExamples, stderr)
	var cf connFlags
	cf.register(fs)
	cf.registerUser(fs)
	headers := headerFlag{}
	fs.Var(headers, "header", "a header `KEY=VALUE` on the request (repeatable)")
	timeout := fs.Duration("timeout", herald.DefaultRequestTimeout, "how long to wait for the reply")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) < 2:
		return usageError(fs, "want CHANNEL DATA, got %d argument(s) (usage: herald req CHANNEL DATA [flags])", len(pos))
	case len(pos) > 2:
		return usageError(fs, "%d arguments: want CHANNEL DATA (quote DATA that holds spaces)", len(pos))
	case *timeout <= 0:
		return usageError(fs, "--timeout must be positive")
	}
	channel := pos[0]
	if err := checkChannel(fs, "channel", channel); err != nil {
		return err
	}

	cl, err := cf.connect(ctx, fs, clientHooks{})
	if err != nil {
		return err
	}
	var opts []herald.PubOption
	if h := headers.orNil(); h != nil {
		opts = append(opts, herald.WithHeaders(h))
	}
	rctx, cancel := context.WithTimeout(cl.ctx, *timeout)
	m, err := cl.nc.Request(rctx, channel, []byte(pos[1]), opts...)
	cancel()
	cl.close()
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case cl.failure() != nil:
		return cl.failure()
	case errors.Is(err, herald.ErrNoResponders):
		return fmt.Errorf("no responders on %s: no subscriber received the request", channel)
	case errors.Is(err, herald.ErrTimeout):
		return fmt.Errorf("timeout: no reply on %s within %s", channel, *timeout)
	default:
		return err
	}
	if _, err := stdout.Write(append(m.Data, '\n')); err != nil {
		return fmt.Errorf("writing stdout: %w", err)
	}
	return nil
}
