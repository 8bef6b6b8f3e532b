package broker

import (
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/heraldmq/herald/spec/wire"
)

// BenchmarkFanOut measures the whole broker on loopback: one publisher, S
// subscribers reading with the codec, 128-byte payloads, the publisher kept
// at most 4 MiB ahead of the slowest subscriber. b.N counts published
// messages. It reports delivered messages per second, CPU time per delivered
// message (broker and clients: the figure to compare on a shared machine)
// and messages per writev. Run with e.g. -benchtime=2000000x.
func BenchmarkFanOut(b *testing.B) {
	for _, subs := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subs=%d", subs), func(b *testing.B) { benchFanOut(b, subs, 128) })
	}
}

func benchFanOut(b *testing.B, subs, size int) {
	cfg := DefaultConfig()
	cfg.MaxPendingBytes = 64 << 20
	srv, addr := startServer(b, cfg)
	var got []atomic.Int64
	got = make([]atomic.Int64, subs)
	var wg sync.WaitGroup
	total := b.N
	for i := 0; i < subs; i++ {
		c := connect(b, addr)
		c.sub(1, "/bench/fan")
		c.sync()
		wg.Add(1)
		go func(i int, c *rawClient) {
			defer wg.Done()
			c.nc.SetReadDeadline(time.Time{})
			for got[i].Load() < int64(total) {
				body, err := c.rd.Next()
				if err != nil {
					return
				}
				if len(body) > 1 && body[1] == byte(wire.OpMsg) {
					got[i].Add(1)
				}
			}
		}(i, c)
	}
	pub := connect(b, addr)
	frame := (&wire.Pub{Channel: []byte("/bench/fan"), Payload: make([]byte, size)}).Append(nil)
	const chunk = 256
	buf := make([]byte, 0, chunk*len(frame))
	for i := 0; i < chunk; i++ {
		buf = append(buf, frame...)
	}
	window := int64((4 << 20) / len(frame))
	minGot := func() int64 {
		m := int64(total)
		for i := range got {
			m = min(m, got[i].Load())
		}
		return m
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for sent := 0; sent < total; sent += chunk {
		for int64(sent)-minGot() > window {
			time.Sleep(50 * time.Microsecond) // pacing, not synchronisation
		}
		n := min(chunk, total-sent)
		if _, err := pub.nc.Write(buf[:n*len(frame)]); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	el := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	b.ReportMetric(float64(total*subs)/el.Seconds(), "delivered/s")
	// CPU time (user+system, broker and clients together) per delivered
	// message: steadier than wall time on a shared machine.
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(total*subs), "cpu-ns/delivered")
	b.ReportMetric(float64(total*subs)/float64(max(srv.Stats().WriteFlushes, 1)), "msgs/writev")
}

// cpuTime returns the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
