package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	herald "github.com/heraldmq/herald/sdk/go"
)

const pubAbout = `Publishes to CHANNEL: DATA once (or --count times); without DATA, each line of
stdin as one message (an empty line is an empty message); without DATA and
with --count or --size, generated payloads of --size bytes holding the
message's number. --rate paces any of them. pub waits until the broker has
routed everything it sent (a PING/PONG barrier), then prints on stdout how
many messages it published. There is no acknowledgement beyond that:
delivery is at most once. pub does not reconnect: a lost connection is an
error.`

var pubExamples = []string{
	"herald pub /orders/eu/new 'order 1'",
	"herald pub /orders/eu/new 'order 1' --header trace=abc --reply-to /orders/acks",
	"printf 'a\\nb\\n' | herald pub /orders/eu/new          # two messages",
	"herald pub /queue/jobs --count 6 --size 16 --rate 100  # 6 numbered payloads at 100 msg/s",
}

// pubFlags are pub's own flags.
type pubFlags struct {
	headers headerFlag
	replyTo string
	count   int
	size    int
	rate    float64
}

// runPub is `herald pub CHANNEL [DATA]`.
func runPub(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newCmdFlagSet("pub", "CHANNEL [DATA] [flags]", pubAbout, pubExamples, stderr)
	var cf connFlags
	cf.register(fs)
	cf.registerUser(fs)
	pf := pubFlags{headers: headerFlag{}}
	fs.Var(pf.headers, "header", "a header `KEY=VALUE` on every message (repeatable)")
	fs.StringVar(&pf.replyTo, "reply-to", "", "the `CHANNEL` receivers should reply to")
	fs.IntVar(&pf.count, "count", 0, "publish `N` messages: DATA N times, or N generated payloads (default: DATA once, or stdin)")
	fs.IntVar(&pf.size, "size", 16, "bytes of each generated payload, when DATA is absent")
	fs.Float64Var(&pf.rate, "rate", 0, "publish at most `R` messages per second (0: as fast as possible)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case len(pos) == 0:
		return usageError(fs, "missing CHANNEL (usage: herald pub CHANNEL [DATA] [flags])")
	case len(pos) > 2:
		return usageError(fs, "%d arguments: want CHANNEL [DATA] (quote DATA that holds spaces)", len(pos))
	case set["count"] && pf.count < 1:
		return usageError(fs, "--count must be at least 1")
	case pf.size < 0:
		return usageError(fs, "--size must not be negative")
	case pf.rate < 0:
		return usageError(fs, "--rate must not be negative")
	case len(pos) == 2 && set["size"]:
		return usageError(fs, "--size is for generated payloads; it goes without DATA")
	}
	channel := pos[0]
	if err := checkChannel(fs, "channel", channel); err != nil {
		return err
	}
	if pf.replyTo != "" {
		if err := checkChannel(fs, "--reply-to", pf.replyTo); err != nil {
			return err
		}
	}

	cl, err := cf.connect(ctx, fs, clientHooks{})
	if err != nil {
		return err
	}
	var src source
	stop := make(chan struct{})
	defer close(stop)
	switch {
	case len(pos) == 2:
		src = repeated([]byte(pos[1]), max(pf.count, 1))
	case set["count"] || set["size"]:
		src = generated(pf.size, max(pf.count, 1))
	default:
		src = lines(stdin, int(min(cl.nc.ServerInfo().MaxPayload, 1<<30)), stop)
	}
	start := time.Now()
	n, err := publish(cl, channel, src, pf)
	elapsed := time.Since(start)
	cl.close()
	if f := cl.failure(); f != nil {
		return f
	}
	interrupted := ctx.Err() != nil
	if err != nil && !interrupted {
		if n > 0 {
			return fmt.Errorf("%w (%s published before)", err, plural(n, "message"))
		}
		return err
	}
	fmt.Fprintf(stdout, "published %s to %s", plural(n, "message"), channel)
	if len(pos) == 1 && (set["count"] || set["size"]) {
		fmt.Fprintf(stdout, " (%d bytes each) in %.3fs", pf.size, elapsed.Seconds())
	}
	fmt.Fprintln(stdout)
	if interrupted {
		return ctx.Err()
	}
	return nil
}

// publish publishes what src yields, paced, then flushes: once it returns
// nil, the broker has routed every message counted. Interrupted, it still
// flushes what it has published (for up to flushGrace).
func publish(cl *client, channel string, src source, pf pubFlags) (int, error) {
	var opts []herald.PubOption
	if h := pf.headers.orNil(); h != nil {
		opts = append(opts, herald.WithHeaders(h))
	}
	if pf.replyTo != "" {
		opts = append(opts, herald.WithReplyTo(pf.replyTo))
	}
	pace := newPacer(pf.rate)
	n := 0
	var perr error
	for {
		data, ok, err := src(cl.ctx)
		if err != nil || !ok {
			perr = err
			break
		}
		if err := pace.wait(cl.ctx); err != nil {
			perr = err
			break
		}
		if err := cl.nc.Publish(cl.ctx, channel, data, opts...); err != nil {
			perr = err
			break
		}
		n++
	}
	fctx := cl.ctx
	if cl.ctx.Err() != nil && cl.failure() == nil {
		// Interrupted: what was accepted still reaches the broker.
		var cancel context.CancelFunc
		fctx, cancel = context.WithTimeout(context.Background(), flushGrace)
		defer cancel()
	}
	if err := cl.nc.Flush(fctx); err != nil && perr == nil {
		perr = fmt.Errorf("waiting for the broker to route %s: %w", plural(n, "message"), err)
	}
	return n, perr
}

// flushGrace bounds the flush of an interrupted pub.
const flushGrace = 5 * time.Second
