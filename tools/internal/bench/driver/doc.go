// Package driver holds the benchmark's minimal protocol clients: one per
// system (Herald over raw TCP with the spec codec, the NATS text protocol,
// Redis RESP, MQTT 3.1.1, and the length-prefixed frames of the baseline
// forwarder), all behind the one Conn interface, so that every system is
// driven by the same client loop and a comparison is of brokers, not of
// client libraries.
//
// Every driver buffers writes in the same 64 KiB output buffer and parses
// reads in place from the same 64 KiB input buffer. A sketch:
//
//	sys, _ := driver.Parse("nats://127.0.0.1:4222")
//	sub, _ := sys.Dial(ctx)
//	_ = sub.Subscribe(sys.Topic("demo"), "")
//	_ = driver.Sync(sub, 5*time.Second)
//	pub, _ := sys.Dial(ctx)
//	_ = pub.Publish(sys.Topic("demo"), []byte("hi"))
//	_ = pub.Flush()
//	kind, payload, _ := sub.Read() // driver.KindMsg, "hi"
package driver
