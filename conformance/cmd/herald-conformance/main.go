// Command herald-conformance checks a running Herald server against the
// conformance suite: every promise of spec/PROTOCOL.md, over raw TCP.
//
//	herald-conformance --addr 127.0.0.1:7420 [--classic-addr 127.0.0.1:25000] [--tags EXPR]
//	                   [--format pretty|progress|junit|cucumber]
//	                   [--out FILE] [--timeout-scale F] [--user U --token T]
//	                   [--restricted-user U --restricted-token T] [--list]
//
// It exits 0 if and only if at least one scenario ran and none failed; a
// skipped scenario prints why. The last line is "N passed, N failed, N skipped".
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/heraldmq/herald/conformance"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// options are the command line.
type options struct {
	addr, tags, format, out string
	classicAddr             string
	user, token             string
	ruser, rtoken           string
	scale                   float64
	list                    bool
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("herald-conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "", "the server under test, HOST:PORT (required unless --list or --classic-addr)")
	fs.StringVar(&o.classicAddr, "classic-addr", "", "the server's classic-profile port, HOST:PORT: runs the @classic scenarios (those tagged @cross-protocol need --addr too)")
	fs.StringVar(&o.tags, "tags", "", "a tag expression selecting scenarios, e.g. '@rotation && ~@prefetch' (default: all)")
	fs.StringVar(&o.format, "format", "pretty", "report format: "+strings.Join(conformance.Formats, ", "))
	fs.StringVar(&o.out, "out", "", "write the report to this file instead of standard output")
	fs.Float64Var(&o.scale, "timeout-scale", 1, "multiply every time limit by this factor (at least 1)")
	fs.StringVar(&o.user, "user", "", "user sent in HELLO, for a server that requires credentials")
	fs.StringVar(&o.token, "token", "", "token sent in HELLO, for a server that requires credentials")
	fs.StringVar(&o.ruser, "restricted-user", "", "a user the server refuses every channel whose second segment is \"forbidden\" (publish and subscribe), for the @restricted-user scenarios")
	fs.StringVar(&o.rtoken, "restricted-token", "", "the token of --restricted-user")
	fs.BoolVar(&o.list, "list", false, "print every selected scenario with its tags, and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: herald-conformance --addr HOST:PORT [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	case !o.list && o.addr == "" && o.classicAddr == "":
		return o, errors.New("--addr is required (or --classic-addr, for the classic profile alone)")
	case o.scale < 1:
		return o, fmt.Errorf("--timeout-scale must be at least 1, not %v", o.scale)
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "herald-conformance:", err)
		}
		return 2
	}
	if o.list {
		return list(o.tags, stdout, stderr)
	}
	report := stdout
	if o.out != "" {
		f, err := os.Create(o.out)
		if err != nil {
			fmt.Fprintln(stderr, "herald-conformance:", err)
			return 2
		}
		defer f.Close()
		report = f
	}
	// Notes and the summary share standard output with a human report, and
	// keep out of a machine-readable one written there.
	notes := stdout
	if o.out == "" && (o.format == "junit" || o.format == "cucumber") {
		notes = stderr
	}
	res, err := conformance.Run(conformance.Config{
		Addr: o.addr, ClassicAddr: o.classicAddr, Tags: o.tags, Format: o.format, Output: report, Notes: notes,
		TimeoutScale: o.scale, User: o.user, Token: o.token,
		RestrictedUser: o.ruser, RestrictedToken: o.rtoken,
	})
	if err != nil {
		fmt.Fprintln(stderr, "herald-conformance:", err)
		return 2
	}
	fmt.Fprintln(notes)
	for _, s := range res.Scenarios {
		switch s.Status {
		case "failed":
			first, _, _ := strings.Cut(s.Detail, "\n")
			fmt.Fprintf(notes, "FAILED  %s (%s): %s\n", s.Name, s.File, first)
		case "skipped":
			fmt.Fprintf(notes, "SKIPPED %s (%s): %s\n", s.Name, s.File, s.Detail)
		}
	}
	if res.Passed+res.Failed == 0 {
		fmt.Fprintln(notes, "no scenario ran: check --tags and what the server announces")
	}
	fmt.Fprintln(notes, res.Summary())
	if !res.OK() {
		return 1
	}
	return 0
}

func list(tags string, stdout, stderr io.Writer) int {
	entries, err := conformance.List(tags)
	if err != nil {
		fmt.Fprintln(stderr, "herald-conformance:", err)
		return 2
	}
	for _, e := range entries {
		fmt.Fprintf(stdout, "%s: %s\n    %s\n", e.File, e.Name, strings.Join(e.Tags, " "))
	}
	fmt.Fprintf(stdout, "%d scenarios\n", len(entries))
	return 0
}
