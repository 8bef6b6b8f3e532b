// Command herald is Herald's command-line client: publish, subscribe,
// request, and benchmark a broker beside NATS, Redis and Mosquitto.
//
//	herald bench fanout --subscribers 10
//	herald bench all --compare nats://127.0.0.1:4222,redis://127.0.0.1:6379 --baseline
//
// Each subcommand lives in its own file (bench.go, pub.go, sub.go, req.go)
// and is listed in the commands table below; `herald CMD --help` shows its
// flags and an example.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order help shows them.
var commands = []command{
	{"pub", "publish a message, lines from stdin, or a generated stream", runPub},
	{"sub", "subscribe to a pattern and print what arrives", runSub},
	{"req", "send a request and print the reply", runReq},
	{"bench", "benchmark Herald, alone or beside NATS, Redis and Mosquitto", runBench},
}

// errUsage marks an error in the command line (exit status 2); the message
// has been printed with the usage.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
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
		err := c.run(ctx, args[1:], stdout, stderr)
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

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: herald COMMAND [flags] [args]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-6s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'herald COMMAND --help' for a command's flags and an example.")
}
