package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	herald "github.com/heraldmq/herald/sdk/go"
	"github.com/heraldmq/herald/spec/wire"
)

const subAbout = `Subscribes to PATTERN (/orders/*, /orders/>) and prints each message on stdout
as it arrives, one line each:

  #SEQ CHANNEL {KEY=VALUE, ...} (reply-to CHANNEL) PAYLOAD

headers and reply-to only when the message has them; a payload that is not
printable UTF-8 (or is empty) is printed Go-quoted. With --json, one object
per line instead:

  {"type":"msg","channel":...,"seq":N,"reply_to":...,"headers":{...},
   "payload":...,"payload_encoding":"utf-8"|"base64"}

the payload as a UTF-8 string when it is valid UTF-8, else base64.

Messages lost are reported as the broker's NOTICEs (or sequence gaps, or a
reconnect) arrive: one line on stderr naming the subscription, the count and
the seq range; with --json also {"type":"loss","subscription":...,
"source":"notice"|"gap"|"client"|"reconnect","count":N|null,"first_seq":N,
"last_seq":N,"reason":...,"reports":N} on stdout (reports, when the SDK
merged several reports of one burst: the range then spans them all).

A pattern starting with /queue, or --queue GROUP, joins a rotation set: each
message goes to one member. sub reconnects by itself (and says so on
stderr). It runs until Ctrl-C (exit status 0) or, with --count N, until N
messages have been printed. A member of a rotation set with --count N asks
the broker to stop at its N-th message, so that it takes no work it would
not print; when some of those N were lost, it prints fewer, reports the
losses and exits with status 1.`

var subExamples = []string{
	"herald sub '/orders/>'",
	"herald sub /jobs --queue workers --count 10",
	"herald sub '/orders/*' --json | jq .payload",
}

// runSub is `herald sub PATTERN [--queue GROUP] [--count N] [--json]`.
func runSub(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newCmdFlagSet("sub", "PATTERN [flags]", subAbout, subExamples, stderr)
	var cf connFlags
	cf.register(fs)
	cf.registerUser(fs)
	queue := fs.String("queue", "", "join the queue `GROUP`: each message goes to one member")
	count := fs.Int("count", 0, "exit after `N` messages (0: run until interrupted)")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usageError(fs, "missing PATTERN (usage: herald sub PATTERN [flags])")
	case len(pos) > 1:
		return usageError(fs, "%d arguments: want one PATTERN", len(pos))
	case *count < 0:
		return usageError(fs, "--count must not be negative")
	}
	pattern := pos[0]
	if err := checkPattern(fs, pattern); err != nil {
		return err
	}
	if err := checkQueue(fs, *queue); err != nil {
		return err
	}

	p := newPrinter(stdout, stderr, *asJSON, pattern, *queue)
	cl, err := cf.connect(ctx, fs, clientHooks{
		reconnect:    true,
		onLoss:       func(le *herald.LossError) { p.loss(le, *queue) },
		onDisconnect: func(err error) { p.note("disconnected from %s: %s; reconnecting", cf.url, oneLine(err)) },
		onReconnect:  func() { p.note("reconnected to %s", cf.url) },
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	err = receive(ctx, cl, p, pattern, *queue, *count)
	cl.close()
	if werr := p.flush(); err == nil && werr != nil {
		err = fmt.Errorf("writing stdout: %w", werr)
	}
	return err
}

// receive subscribes and prints until count messages (0: no end), an
// interrupt (nil) or a failure.
func receive(ctx context.Context, cl *client, p *printer, pattern, queue string, count int) error {
	var opts []herald.SubOption
	if queue != "" {
		opts = append(opts, herald.WithQueueGroup(queue))
	}
	sub, err := cl.nc.SubscribePull(pattern, opts...)
	if err != nil {
		return err
	}
	defer sub.Unsubscribe()
	// A member of a rotation set has the broker stop at seq count (6.8), so
	// that it takes no work it would not print; losses count towards it. A
	// fan-out subscriber takes nothing from anyone: it counts what it prints.
	rotates := queue != "" || wire.IsQueuePattern([]byte(pattern))
	if count > 0 && rotates {
		if err := sub.AutoUnsubscribe(count); err != nil {
			return err
		}
	}
	// The barrier makes the subscription in effect, or refused, before the
	// "subscribed" line.
	if err := cl.nc.Flush(cl.ctx); err != nil {
		return ended(ctx, cl, sub, err)
	}
	if err := sub.Err(); err != nil {
		return ended(ctx, cl, sub, err)
	}
	where := pattern
	if queue != "" {
		where += " in queue " + queue
	}
	p.note("subscribed to %s at %s", where, cl.url)
	n := 0
	for count == 0 || n < count {
		m, err := sub.Next(cl.ctx)
		if err != nil {
			if errors.Is(err, herald.ErrSubscriptionClosed) && sub.Err() == herald.ErrSubscriptionClosed && count > 0 && rotates {
				lost := sub.Dropped().Total()
				return fmt.Errorf("the subscription ended at seq %d after %d of %d messages: %d lost (reported above)", count, n, count, lost)
			}
			return ended(ctx, cl, sub, err)
		}
		pending, _ := sub.Pending()
		n++
		if err := p.msg(m, pending == 0 || n == count); err != nil {
			return fmt.Errorf("writing stdout: %w", err)
		}
	}
	return nil
}

// ended says why receiving stopped early: nil for an interrupt, else the
// failure or the subscription's error, one line naming it.
func ended(ctx context.Context, cl *client, sub *herald.Subscription, err error) error {
	if ctx.Err() != nil {
		return nil // Ctrl-C is how sub normally ends
	}
	if f := cl.failure(); f != nil {
		return f
	}
	if serr := sub.Err(); serr != nil {
		return refusal(serr)
	}
	return refusal(err)
}
