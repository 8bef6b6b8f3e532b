package forwarder_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldmq/herald/tools/internal/bench/driver"
	"github.com/heraldmq/herald/tools/internal/bench/forwarder"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForwardsEveryFrameToEverySubscriberInOrder(t *testing.T) {
	f, err := forwarder.Start("127.0.0.1:0")
	require.NoError(t, err)
	defer f.Close()
	sys := driver.Baseline(f.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	const n = 20000 // several 64 KiB reads
	var subs []driver.Conn
	for range 3 {
		c, err := sys.Dial(ctx)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Subscribe("x", ""))
		require.NoError(t, driver.Sync(c, 5*time.Second))
		subs = append(subs, c)
	}
	// The subscribers read while the forwarder writes: their sockets could
	// not hold everything.
	errs := make(chan error, len(subs))
	for _, s := range subs {
		go func() {
			for i := range n {
				k, p, err := s.Read()
				if err != nil {
					errs <- err
					return
				}
				if k != driver.KindMsg || len(p) != 100 || p[0] != byte(i>>8) || p[1] != byte(i) {
					errs <- assert.AnError
					return
				}
			}
			errs <- nil
		}()
	}
	pub, err := sys.Dial(ctx)
	require.NoError(t, err)
	defer pub.Close()
	payload := make([]byte, 100)
	for i := range n {
		payload[0], payload[1] = byte(i>>8), byte(i)
		require.NoError(t, pub.Publish("x", payload))
	}
	require.NoError(t, pub.Ping())

	for range subs {
		require.NoError(t, <-errs, "every subscriber gets every frame, in order")
	}
	k, _, err := pub.Read()
	require.NoError(t, err)
	assert.Equal(t, driver.KindPong, k, "the forwarder answers an empty frame")
}

func TestCloseEndsConnections(t *testing.T) {
	f, err := forwarder.Start("127.0.0.1:0")
	require.NoError(t, err)
	c, err := driver.Baseline(f.Addr()).Dial(context.Background())
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Subscribe("x", ""))
	require.NoError(t, driver.Sync(c, 5*time.Second))
	require.NoError(t, f.Close())
	_, _, err = c.Read()
	assert.Error(t, err, "the subscriber sees the connection end")
}
