package soak

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker"
)

// inProcess starts a broker with fast timers and small buffers on
// 127.0.0.1:0 and returns an env for it.
func inProcess(t *testing.T, policy broker.Overflow) (*env, *broker.Server) {
	t.Helper()
	cfg := broker.DefaultConfig()
	cfg.Overflow = policy
	cfg.HelloTimeout = 500 * time.Millisecond
	cfg.PingInterval = 200 * time.Millisecond
	cfg.MaxPingsOut = 2
	cfg.MaxPendingBytes = 64 << 10
	cfg.MaxPendingTotal = 4 << 20
	srv, err := broker.New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &env{addr: ln.Addr().String(), disconnect: policy == broker.OverflowDisconnect,
		hello: cfg.HelloTimeout, ping: cfg.PingInterval, pings: cfg.MaxPingsOut, slack: time.Second,
		maxMessages: 300, maxPayload: 512, stallMin: 100 * time.Millisecond, stallMax: 300 * time.Millisecond,
		t: newTally()}, srv
}

// TestScenariosPassAgainstTheBroker runs every scenario many times at once
// against an in-process broker under each policy, with a firehose: a
// correct broker passes them all, accounts for every message, and is left
// with no connection.
func TestScenariosPassAgainstTheBroker(t *testing.T) {
	for _, policy := range []broker.Overflow{broker.OverflowDrop, broker.OverflowDisconnect} {
		t.Run(string(policy), func(t *testing.T) {
			e, srv := inProcess(t, policy)
			ctx := context.Background()
			fire, err := e.startFirehose(ctx, 2, 2000, 256, time.Now().Add(time.Minute))
			require.NoError(t, err)
			var wg sync.WaitGroup
			for _, k := range kinds {
				for range 12 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						e.t.run(k.name, k.run(e, ctx))
					}()
				}
			}
			wg.Wait()
			a, err := fire.finish()
			require.NoError(t, err)
			e.t.account(a)
			for k, s := range e.t.samples {
				t.Errorf("%s: %v", k, s)
			}
			assert.Zero(t, e.t.failures(), "%v", e.t.summary())
			assert.Zero(t, e.t.dialErrs, e.t.dialErr)
			acct := e.t.acct
			assert.True(t, acct.ok(), "%+v", acct)
			assert.Greater(t, acct.Subscribers, uint64(2*12), "every cell's subscribers and the firehose readers were checked")
			assert.Positive(t, acct.Delivered)
			assert.Eventually(t, func() bool { return srv.Stats().Connections == 0 }, 10*time.Second, 10*time.Millisecond,
				"every connection ends: %+v", srv.Stats())
		})
	}
}

// TestMuteFailsAgainstABrokerThatNeverCloses: a listener that accepts and
// never answers must fail the half-open check, not hang it.
func TestMuteFailsAgainstABrokerThatNeverCloses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}()
	e := &env{addr: ln.Addr().String(), hello: 100 * time.Millisecond, ping: 50 * time.Millisecond, pings: 1,
		slack: 200 * time.Millisecond, t: newTally()}
	start := time.Now()
	assert.Error(t, e.mute(context.Background()))
	assert.Error(t, e.silent(context.Background()))
	assert.Less(t, time.Since(start), 5*time.Second)
}
