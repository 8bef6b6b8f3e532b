package main

import (
	"context"
	"errors"
	"io"
)

// errSDKMissing is what pub, sub and req return until they are built on the
// Go SDK.
var errSDKMissing = errors.New("not yet available: this command needs the Herald Go SDK (sdk/go), which is not written yet; `herald bench` works without it")

// runReq is `herald req CHANNEL DATA [--timeout D]`. It is built on the Go
// SDK (sdk/go).
func runReq(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("req", "CHANNEL DATA [flags]", "herald req /svc/time now --timeout 2s", stderr)
	var cf connFlags
	cf.register(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return errSDKMissing
}
