// Package soak is Herald's soak and chaos test: it runs the heraldd binary
// as a separate process and attacks it with churning loopback clients,
// then checks that nothing leaked, nothing panicked, and every well-behaved
// subscriber got every message or was told exactly how many it lost. A
// second phase holds 1,000 subscribers that never read against
// --max-pending-total and measures the broker's VmRSS.
//
// The clients speak the wire protocol through the spec's codec
// (spec/wire) and judge the broker by the bytes it sends. Everything is
// bounded in count (connections open at once) and in time (phase length,
// and a deadline on every read).
//
// Use it through cmd/herald-soak (`make soak`):
//
//	res, err := soak.Run(ctx, soak.DefaultConfig("bin/heraldd", os.TempDir()))
//	soak.WriteMarkdown(os.Stdout, res, "herald-soak")
package soak
