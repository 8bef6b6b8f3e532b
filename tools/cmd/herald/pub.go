package main

import (
	"context"
	"io"
)

// runPub is `herald pub CHANNEL [DATA]`: DATA, or lines from stdin, or
// `--count N --size B --rate R`. It is built on the Go SDK (sdk/go).
func runPub(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("pub", "CHANNEL [DATA] [flags]", "herald pub /orders/eu/new 'hello'", stderr)
	var cf connFlags
	cf.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return errSDKMissing
}
