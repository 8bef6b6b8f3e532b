package herald

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentPublishers(t *testing.T) {
	const publishers, each = 50, 1000
	b := startBroker(t)
	c := connect(t, b.URL())
	recv := connect(t, b.URL())
	ctx := ctxT(t, 30*time.Second)
	var next [publishers]uint32
	var got atomic.Int64
	var bad atomic.Value
	sub, err := recv.Subscribe("/conc/*", func(m *Msg) {
		g := binary.BigEndian.Uint32(m.Data)
		i := binary.BigEndian.Uint32(m.Data[4:])
		if i != next[g] {
			bad.Store(fmt.Sprintf("publisher %d: message %d arrived when %d was due", g, i, next[g]))
		}
		next[g] = i + 1
		got.Add(1)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := recv.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := fmt.Sprintf("/conc/p%d", g)
			for i := range each {
				var buf [8]byte
				binary.BigEndian.PutUint32(buf[:], uint32(g))
				binary.BigEndian.PutUint32(buf[4:], uint32(i))
				if err := c.Publish(ctx, ch, buf[:]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "every message", func() bool { return got.Load() == publishers*each })
	if v := bad.Load(); v != nil {
		t.Fatal(v)
	}
	if d := sub.Dropped(); d != (Drops{}) {
		t.Fatalf("Dropped: %+v", d)
	}
}

func TestNoGoroutineLeaksAfterClose(t *testing.T) {
	checkNoLeaks(t) // what earlier tests left has gone
	b := startBroker(t)
	lc := newLifecycle()
	ctx := ctxT(t, 10*time.Second)
	c := connect(t, b.URL(), lc.options()...)
	c2 := connect(t, b.URL())
	if _, err := c.Subscribe("/leak/h", func(m *Msg) { m.Respond([]byte("ok")) }); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SubscribePull("/leak/p", WithContext(ctx)); err != nil {
		t.Fatal(err)
	}
	w, err := c2.NewWorker("/queue/leak", func(*Msg) {})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go w.Run(runCtx)
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Request(ctx, "/leak/h", nil); err != nil {
		t.Fatal(err)
	}
	c2.Publish(ctx, "/queue/leak", nil)
	b.Stop()
	waitChan(t, lc.disconnected, "disconnect")
	b.Start()
	waitChan(t, lc.reconnected, "reconnect")
	if len(sdkGoroutines()) == 0 {
		t.Fatal("the leak checker sees no goroutine of a live connection")
	}
	c.Close()
	c2.Close()
	checkNoLeaks(t)
}

// TestMain fails the run if any test left goroutines of this package behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for len(sdkGoroutines()) > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // bounded poll
		}
		if left := sdkGoroutines(); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "goroutines leaked after the tests:\n%v\n", left)
			code = 1
		}
	}
	os.Exit(code)
}
