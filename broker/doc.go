// Package broker is Herald's reference broker as a library: everything
// spec/PROTOCOL.md says a server does. The heraldd command (cmd/heraldd) is
// a thin wrapper around it; embed it to run a broker inside your own binary:
//
//	srv, err := broker.New(broker.DefaultConfig())
//	if err != nil {
//		return err
//	}
//	ln, err := net.Listen("tcp", "127.0.0.1:7420")
//	if err != nil {
//		return err
//	}
//	go srv.Serve(ln)
//	defer srv.Shutdown(context.Background())
//
// Each connection has one reader goroutine, which parses frames in place and
// routes each batch of consecutive PUBs to one channel with a single trie walk
// (package router), and one writer goroutine, which drains a byte-budgeted
// queue of pooled blocks with one writev per flush. Publishing never waits
// for a subscriber: a full outbound buffer drops whole messages (reported by
// NOTICE) or disconnects the subscriber, as Config.Overflow says.
package broker
