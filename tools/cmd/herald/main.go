// Command herald is Herald's command-line client: publish, subscribe,
// request, and benchmark a broker beside NATS, Redis and Mosquitto.
//
//	herald sub '/orders/>'
//	herald pub /orders/eu/new 'order 1'
//	herald req /svc/time now --timeout 1s
//	herald bench fanout --subscribers 10
//	herald bench all --compare nats://127.0.0.1:4222,redis://127.0.0.1:6379 --baseline
//
// Each subcommand lives in its own file (bench.go, pub.go, sub.go, req.go)
// and is listed in the commands table below; `herald CMD --help` shows its
// flags and an example. pub, sub and req are built on the Go SDK (sdk/go).
//
// Exit status: 0 success, and `herald sub` ended by Ctrl-C or SIGTERM (how
// a subscriber normally stops); 1 a runtime error (broker unreachable, auth
// failed, permission denied, request timeout, no responders, ...); 2 a
// usage error (unknown command or flag, missing or invalid argument, an
// invalid channel or pattern), found before connecting; 130 pub, req or
// bench interrupted. Every error is one line on stderr, "herald CMD: ...".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order help shows them.
var commands = []command{
	{"pub", "publish a message, lines from stdin, or a generated stream", oneLineErrors(runPub)},
	{"sub", "subscribe to a pattern and print what arrives, and what is lost", oneLineErrors(runSub)},
	{"req", "send a request and print the reply", oneLineErrors(runReq)},
	{"bench", "benchmark Herald, alone or beside NATS, Redis and Mosquitto",
		func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
			return runBench(ctx, args, stdout, stderr)
		}},
}

// errUsage marks an error in the command line (exit status 2); the message
// has been printed with the usage.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runWith(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command line args, with an empty stdin, and returns the exit
// status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWith(ctx, args, strings.NewReader(""), stdout, stderr)
}

// runWith runs the command line args and returns the exit status.
func runWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdin, stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		case ctx.Err() != nil:
			fmt.Fprintf(stderr, "herald %s: interrupted\n", c.name)
			return 130
		}
		fmt.Fprintf(stderr, "herald %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "herald: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

// oneLineErrors makes the errors of run print on one line, without the
// SDK's "herald: " prefix (the command already names itself).
func oneLineErrors(run func(context.Context, []string, io.Reader, io.Writer, io.Writer) error) func(context.Context, []string, io.Reader, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
		if err := run(ctx, args, stdin, stdout, stderr); err != nil {
			return lineError{err}
		}
		return nil
	}
}

// lineError is an error printed on one line.
type lineError struct{ err error }

func (e lineError) Error() string { return oneLine(e.err) }
func (e lineError) Unwrap() error { return e.err }

// oneLine returns err's message without a leading "herald: ", its
// whitespace runs (newlines included) made single spaces.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "herald: ")), " ")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: herald COMMAND [flags] [args]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-6s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Every command reaches the broker at --url (default herald://127.0.0.1:7420, or
$HERALD_URL), with --token ($HERALD_TOKEN), --user ($HERALD_USER, not bench)
and the TLS flags --tls-ca, --tls-cert, --tls-key, --tls-insecure.

Exit status:
  0    success; also herald sub stopped by Ctrl-C or SIGTERM, its normal end
  1    runtime error: broker unreachable, auth failed, permission denied,
       request timeout, no responders, ...
  2    usage error: unknown command or flag, missing or invalid argument,
       invalid channel or pattern (checked before connecting)
  130  herald pub, req or bench interrupted (pub first flushes and reports
       what it published)
Errors are one line on stderr: "herald COMMAND: what went wrong".

Run 'herald COMMAND --help' for a command's flags and an example.`)
}
