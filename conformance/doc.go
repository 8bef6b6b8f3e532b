// Package conformance is Herald's conformance suite: Gherkin scenarios, one
// per promise of spec/PROTOCOL.md, checked against a running server over raw
// TCP with nothing but the reference codec (spec/wire). The feature files
// are embedded, so the suite runs from any directory.
//
// Most users run the binary, bin/herald-conformance (see README.md). A Go
// server can also run the suite from its own tests:
//
//	func TestConformance(t *testing.T) {
//		addr := startMyServer(t) // "127.0.0.1:port"
//		res, err := conformance.Run(conformance.Config{Addr: addr, TestingT: t})
//		if err != nil {
//			t.Fatal(err)
//		}
//		t.Log(res.Summary())
//	}
//
// Scenarios tagged with a capability the server does not announce in
// WELCOME are skipped with the reason; Result counts passes, failures and
// skips itself, since under Config.TestingT godog reports a skipped scenario
// as a passing subtest.
package conformance
