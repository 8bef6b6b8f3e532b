// Package auth authenticates Herald clients from an auth file and checks
// what each user may publish and subscribe to (PROTOCOL.md 4.6, 6.6). It is
// what heraldd --auth-file uses; embed it with broker.Config.Auth:
//
//	a, err := auth.Load("/etc/herald/auth.yaml")
//	if err != nil {
//		return err
//	}
//	cfg := broker.DefaultConfig()
//	cfg.Auth = a
//	srv, err := broker.New(cfg)
//	...
//	// later, e.g. on SIGHUP: live connections get the new permissions
//	if a, err := auth.Load("/etc/herald/auth.yaml"); err == nil {
//		srv.SetAuthenticator(a)
//	}
//
// # The auth file
//
// JSON, or YAML (a file whose first non-blank byte is '{' is read as JSON):
//
//	users:
//	  - user: orders-service
//	    token: "s3cret-token"            # compared in constant time
//	    publish:
//	      allow: ["/orders/>", "/_inbox/>"]
//	    subscribe:
//	      allow: ["/orders/*/new", "/_inbox/>"]
//	  - user: auditor
//	    token_bcrypt: "$2a$10$..."       # a bcrypt hash of the token
//	    publish:
//	      allow: []                      # publishes nothing
//	    subscribe:
//	      deny: ["/orders/*/secrets/>"]  # everything else
//
// Each user has exactly one of token (the token itself) or token_bcrypt (a
// bcrypt hash of it, cost 4 to 16; make one with `htpasswd -nbBC 10 "" TOKEN`
// and drop the leading colon, or with golang.org/x/crypto/bcrypt). Unknown
// fields are errors, so a misspelt "alow" cannot silently grant everything.
//
// Permissions: publish and subscribe each have an allow list and a deny list
// of patterns in the channel grammar (PROTOCOL.md 5.2, with * and >). A
// missing section, or a missing or null allow list, allows every channel
// ("/>"); an empty allow list allows none. Deny wins over allow.
//
//   - A user may publish to channel C when some allow pattern matches C and no
//     deny pattern does.
//   - A user may subscribe to pattern P when every channel P matches is one
//     the subscribe lists permit: the allow patterns together cover P (one
//     may cover a part and another the rest: allow "/a/*" and "/a/*/>"
//     together permit "/a/>"), and no deny pattern matches any channel P
//     matches. So a wildcard subscription is refused when it reaches into a
//     denied part: with deny "/orders/eu/secret", SUB "/orders/*/secret" and
//     SUB "/>" are refused, while SUB "/orders/us/secret" is permitted. The
//     server never filters a subscription's messages one by one; it decides
//     once, at SUB, and again when the file is reloaded.
//
// Request/reply through the Go SDK uses reply channels under /_inbox/: a
// requester needs subscribe permission on "/_inbox/>" (its inbox is
// "/_inbox/<id>/>") and a responder publish permission on it.
//
// # Security
//
// HELLO names the user, so at most one bcrypt hash is checked per HELLO. An
// unknown user costs the same work as a known one of the file's most costly
// kind (a bcrypt check at the file's highest cost when the file has bcrypt
// users), so timing does not tell which users exist; a file that mixes token
// and bcrypt users lets timing tell the two kinds apart, so prefer one kind
// per file. Tokens are hashed with SHA-256 before a constant-time comparison,
// so not even their length leaks, and are never logged or kept in errors. At
// most half the CPUs (at least one) run bcrypt at once, so a flood of HELLOs
// cannot take every core from routing. That bounds the rate of bcrypt HELLOs
// too: a check at cost 10 takes about 100 ms of a core, so a 2-core broker
// admits about 10 such HELLOs a second (BenchmarkAuthenticate). Give clients
// that connect often a token user, or a low cost.
//
// A reload keeps live connections: each gets its user's new permissions,
// loses any subscription they no longer permit (ERR permission_denied), and
// is closed (ERR auth_failed) if its user was removed. A connection made with
// a token that the reload changed stays connected: to cut off a leaked token,
// remove the user, reload, then add it back with a new token and reload
// again.
package auth
