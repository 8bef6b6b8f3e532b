// Package bench runs `herald bench`: the workloads (fanout, queue, latency,
// slowsub, conns), each against every target in turn over several rounds,
// and the figures they produce, as a table or as JSON.
//
// Every system is driven through driver.Conn by the same client loop
// (loop.go): one publisher goroutine that stamps each payload with a send time
// and a sequence number, and one goroutine per subscriber that counts what
// arrives. A sketch:
//
//	cfg := bench.DefaultConfig()
//	cfg.Rounds = 3
//	targets := []bench.Target{{System: driver.Herald("127.0.0.1:7420", driver.HeraldOptions{})}}
//	figs, err := bench.Run(ctx, cfg, []string{"fanout"}, targets, nil)
//	bench.WriteTable(os.Stdout, figs)
package bench
