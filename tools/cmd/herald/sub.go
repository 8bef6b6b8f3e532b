package main

import (
	"context"
	"io"
)

// runSub is `herald sub PATTERN [--queue GROUP] [--count N] [--json]`. It
// is built on the Go SDK (sdk/go).
func runSub(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sub", "PATTERN [flags]", "herald sub '/orders/>' --count 10", stderr)
	var cf connFlags
	cf.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return errSDKMissing
}
