// Command report turns the JSON figures of `herald bench --json` into
// tools/bench/RESULTS.md and an SVG chart of the fan-out figures. It is run by
// tools/bench/compare.sh (`make bench-compare`):
//
//	go run ./bench/report --in figures.json --out bench/RESULTS.md --svg bench/fanout.svg \
//	    --cmd "herald bench all ..." --fact "nats-server=v2.9.10"
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/heraldmq/herald/tools/internal/bench"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	var ins, cmds, facts listFlag
	fs.Var(&ins, "in", "a file of JSON figures from herald bench --json (repeatable)")
	out := fs.String("out", "RESULTS.md", "the Markdown report to write")
	svg := fs.String("svg", "fanout.svg", "the fan-out chart to write (linked from the report by its file name)")
	fs.Var(&cmds, "cmd", "a command that produced the figures (repeatable)")
	fs.Var(&facts, "fact", "a machine fact NAME=VALUE (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(ins) == 0 {
		return errors.New("no --in file")
	}
	var figs []bench.Figure
	for _, in := range ins {
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		got, err := bench.ReadJSON(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		figs = append(figs, got...)
	}
	chart := fanoutChart(figs)
	if err := os.WriteFile(*svg, []byte(chart), 0o644); err != nil {
		return err
	}
	md := markdown(figs, report{
		commands: cmds,
		facts:    facts,
		chart:    filepath.Base(*svg),
		when:     time.Now().UTC(),
	})
	return os.WriteFile(*out, []byte(md), 0o644)
}
