package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker/monitor"
	"github.com/heraldmq/herald/spec/wire"
)

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestMonitorIsOffUnlessGiven(t *testing.T) {
	d := startDaemon(t)
	assert.NotContains(t, d.logs(), "monitoring")
}

// TestMonitorAddr: --monitor-addr serves /healthz, /metrics and /connz;
// /healthz fails once heraldd drains (here: a subscriber that never reads
// holds queued data, so the drain lasts --drain-timeout).
func TestMonitorAddr(t *testing.T) {
	d := startDaemon(t, "--monitor-addr", "127.0.0.1:0", "--drain-timeout", "2s", "--max-pending-bytes", "1048576", "--max-payload", "262144")
	base := "http://" + d.waitLog(`msg=monitoring addr=(\S+)`)[1]

	code, body := httpGet(t, base+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)

	// The stalled subscriber never reads, and its small receive buffer keeps
	// what the kernels absorb small.
	nc, err := (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}).Dial("tcp", d.addr)
	require.NoError(t, err)
	stalled := &peer{t: t, nc: nc, rd: wire.NewReader(nc, 64<<20)}
	stalled.send((&wire.Hello{Version: wire.Version, Echo: true, Headers: true}).Append(nil))
	stalled.expect(wire.OpWelcome)
	stalled.send((&wire.Sub{Sid: 1, Pattern: []byte("/flood")}).Append(nil))
	stalled.ping()
	pub := dialPeer(t, d.addr, nil, "", "")
	pub.expect(wire.OpWelcome)

	// Publish until the broker holds data for the subscriber and has written
	// nothing more to it during a whole batch: its writes are blocked.
	frame := (&wire.Pub{Channel: []byte("/flood"), Payload: make([]byte, 64<<10)}).Append(nil)
	batch := bytes.Repeat(frame, 4)
	var doc monitor.Connz
	written := uint64(1<<64 - 1)
	for sent := 0; ; sent += len(batch) {
		require.Less(t, sent, 256<<20, "the broker never held data for a subscriber that does not read")
		pub.send(batch)
		pub.ping()
		code, body = httpGet(t, base+"/connz")
		require.Equal(t, http.StatusOK, code)
		require.NoError(t, json.Unmarshal([]byte(body), &doc))
		require.Len(t, doc.Connections, 2)
		c := doc.Connections[0]
		if c.PendingBytes > 0 && c.OutBytes-uint64(c.PendingBytes) == written {
			break
		}
		written = c.OutBytes - uint64(c.PendingBytes)
	}
	assert.Equal(t, "/flood", doc.Connections[0].Subscriptions[0].Pattern)
	assert.Greater(t, doc.Connections[0].Subscriptions[0].Delivered, uint64(0))

	code, body = httpGet(t, base+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "\nherald_connections 2\n")
	assert.Contains(t, body, "\nherald_subscriptions 1\n")
	assert.Contains(t, body, "# TYPE herald_messages_in_total counter")

	d.cancel()
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusServiceUnavailable
	}, waitFor, 10*time.Millisecond, "/healthz fails while heraldd drains")
	stalled.nc.Close() // so that the drain ends at --drain-timeout, not 10 s later
	d.stop()
	_, err = http.Get(base + "/healthz")
	assert.Error(t, err, "the monitoring server stops with heraldd")
}
