// Package monitor serves a broker's health, metrics and connections over
// HTTP; it is what heraldd --monitor-addr runs:
//
//	m := monitor.New(srv) // srv is a *broker.Server
//	ln, err := net.Listen("tcp", "127.0.0.1:7421")
//	if err != nil {
//		return err
//	}
//	go http.Serve(ln, m)
//
// Endpoints (GET):
//
//   - /healthz: 200 "ok" while the broker serves; 503 with the reason once
//     SetUnhealthy was called (heraldd does when it starts draining).
//   - /metrics: Prometheus text format. Every name starts with herald_: the
//     broker's counters (see Collector), and the Go runtime's and the
//     process's (herald_go_*, herald_process_*, e.g.
//     herald_process_resident_memory_bytes).
//   - /connz: JSON, every connection with its user, pending bytes, drops,
//     message counts and subscriptions, ordered by id. Query parameters
//     offset (default 0) and limit (default 1024, at most 100,000) page
//     through many connections; total says how many there are.
//
// Metrics are read from Server.Stats when scraped, so monitoring costs the
// broker nothing per message.
package monitor
