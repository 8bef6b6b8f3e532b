package monitor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/broker/auth"
	"github.com/heraldmq/herald/broker/monitor"
	"github.com/heraldmq/herald/spec/wire"
)

const waitFor = 5 * time.Second

// startBroker runs a broker with cfg on 127.0.0.1:0, and its monitor on
// another port; it returns the broker, its address and the monitor's base
// URL.
func startBroker(t *testing.T, cfg broker.Config) (*broker.Server, string, *monitor.Monitor, string) {
	t.Helper()
	srv, err := broker.New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	m := monitor.New(srv)
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{Handler: m, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(mln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, hs.Shutdown(ctx))
		require.NoError(t, srv.Shutdown(ctx))
		require.ErrorIs(t, <-served, broker.ErrServerClosed)
	})
	return srv, ln.Addr().String(), m, "http://" + mln.Addr().String()
}

func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// scrape fetches /metrics and parses it as the Prometheus server would.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	code, ctype, body := get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, ctype, "text/plain")
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	require.NoError(t, err)
	return fams
}

// value returns the value of the series of family name whose labels include
// the given label pairs.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	f, ok := fams[name]
	require.True(t, ok, "metric %s missing", name)
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.Label {
				found = found || (lp.GetName() == labels[i] && lp.GetValue() == labels[i+1])
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

// rawConn is a client speaking the wire protocol through the codec.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	rd *wire.Reader
}

func dial(t *testing.T, addr, user, token string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	c := &rawConn{t: t, nc: nc, rd: wire.NewReader(nc, 64<<20)}
	c.write((&wire.Hello{Version: wire.Version, Name: "mon-" + user, User: user, Token: token, Echo: true, Headers: true}).Append(nil))
	return c
}

func (c *rawConn) write(b []byte) {
	c.t.Helper()
	_, err := c.nc.Write(b)
	require.NoError(c.t, err)
}

func (c *rawConn) next() wire.Op {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(waitFor))
	body, err := c.rd.Next()
	require.NoError(c.t, err)
	op, err := wire.PeekOp(body)
	require.NoError(c.t, err)
	return op
}

// expectEOF requires the server to have closed the connection.
func (c *rawConn) expectEOF() {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(waitFor))
	_, err := c.rd.Next()
	require.ErrorIs(c.t, err, io.EOF)
}

// ping waits for PONG, skipping other frames: every earlier frame of this
// connection has been processed (PROTOCOL.md 9.2).
func (c *rawConn) ping() {
	c.t.Helper()
	c.write(wire.AppendPing(nil))
	for c.next() != wire.OpPong {
	}
}

func TestHealthzAndIndex(t *testing.T) {
	_, _, m, base := startBroker(t, broker.DefaultConfig())
	code, _, body := get(t, base+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)
	m.SetUnhealthy("shutting down")
	code, _, body = get(t, base+"/healthz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "shutting down\n", body)

	code, _, body = get(t, base+"/")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "/metrics")
	code, _, _ = get(t, base+"/nope")
	assert.Equal(t, http.StatusNotFound, code)
	resp, err := http.Post(base+"/healthz", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

// TestMetricsCountTraffic drives a broker through deliveries, drops, an
// auth failure and a permission denial, and reads each back from /metrics.
func TestMetricsCountTraffic(t *testing.T) {
	a, err := auth.New(&auth.File{Users: []auth.User{
		{Name: "pub", Token: "p", Publish: &auth.Rules{Deny: []string{"/secret"}}},
		{Name: "sub", Token: "s"},
	}})
	require.NoError(t, err)
	cfg := broker.DefaultConfig()
	cfg.Auth = a
	cfg.MaxPendingBytes = 4096
	srv, addr, _, base := startBroker(t, cfg)

	reader := dial(t, addr, "sub", "s")
	require.Equal(t, wire.OpWelcome, reader.next())
	reader.write((&wire.Sub{Sid: 1, Pattern: []byte("/t")}).Append(nil))
	stalled := dial(t, addr, "sub", "s")
	require.Equal(t, wire.OpWelcome, stalled.next())
	stalled.write((&wire.Sub{Sid: 1, Pattern: []byte("/big")}).Append(nil))
	stalled.ping()
	bad := dial(t, addr, "pub", "wrong")
	pub := dial(t, addr, "pub", "p")
	require.Equal(t, wire.OpWelcome, pub.next())

	var frames []byte
	for range 10 {
		frames = (&wire.Pub{Channel: []byte("/t"), Payload: []byte("0123456789")}).Append(frames)
	}
	frames = (&wire.Pub{Channel: []byte("/secret"), Payload: []byte("x")}).Append(frames)
	pub.write(frames)
	require.Equal(t, wire.OpErr, pub.next(), "permission_denied")
	for range 10 {
		require.Equal(t, wire.OpMsg, reader.next())
	}
	// The stalled subscriber never reads: 16 MiB in 1 KiB messages outgrows
	// its 4 KiB buffer plus the kernel's socket buffers, so some are dropped.
	big := (&wire.Pub{Channel: []byte("/big"), Payload: make([]byte, 1024)}).Append(nil)
	for range 16 {
		pub.write(bytes.Repeat(big, 1024))
	}
	pub.ping()
	require.Equal(t, wire.OpErr, bad.next(), "auth_failed")
	bad.expectEOF()
	bad.nc.Close()
	require.Eventually(t, func() bool { return srv.Stats().Connections == 3 }, waitFor, time.Millisecond)

	fams := scrape(t, base)
	st := srv.Stats()
	assert.Equal(t, 3.0, value(t, fams, "herald_connections"))
	assert.Equal(t, 2.0, value(t, fams, "herald_subscriptions"))
	assert.Equal(t, 4.0, value(t, fams, "herald_connections_accepted_total"))
	assert.Equal(t, 0.0, value(t, fams, "herald_connections_refused_total"))
	assert.Equal(t, 16394.0, value(t, fams, "herald_messages_in_total"), "10 to /t and 16384 to /big")
	assert.GreaterOrEqual(t, value(t, fams, "herald_bytes_in_total"), float64(16<<20))
	assert.GreaterOrEqual(t, value(t, fams, "herald_messages_out_total"), 10.0)
	assert.GreaterOrEqual(t, value(t, fams, "herald_bytes_out_total"), float64(st.OutBytes)*0.99)
	drops := value(t, fams, "herald_dropped_messages_total", "reason", "slow_consumer")
	assert.Greater(t, drops, 0.0)
	assert.Equal(t, float64(st.DropsSlow), drops)
	for _, r := range []string{"queue_full", "lost_on_leave", "invalid_classic_channel"} {
		assert.Equal(t, 0.0, value(t, fams, "herald_dropped_messages_total", "reason", r))
	}
	assert.GreaterOrEqual(t, value(t, fams, "herald_slow_consumers_total"), 1.0)
	assert.Equal(t, 1.0, value(t, fams, "herald_auth_failures_total"))
	assert.Equal(t, 1.0, value(t, fams, "herald_permission_denied_total"))
	assert.Equal(t, 1.0, value(t, fams, "herald_errors_sent_total"), "the permission_denied")
	assert.Equal(t, 1.0, value(t, fams, "herald_info", "server_id", srv.ID(), "overflow", "drop", "version", broker.Version))
	assert.Equal(t, float64(st.PendingBytes), value(t, fams, "herald_pending_bytes"))
	assert.Greater(t, value(t, fams, "herald_process_resident_memory_bytes"), 0.0)
	assert.Greater(t, value(t, fams, "herald_go_goroutines"), 0.0)
	for name := range fams {
		assert.True(t, strings.HasPrefix(name, "herald_"), "%s lacks the herald_ prefix", name)
	}
}

func TestConnz(t *testing.T) {
	_, addr, _, base := startBroker(t, broker.DefaultConfig())
	a := dial(t, addr, "", "")
	a.write((&wire.Sub{Sid: 3, Pattern: []byte("/a/*")}).Append(nil))
	a.write((&wire.Sub{Sid: 9, Pattern: []byte("/queue/jobs"), Prefetch: 2}).Append(nil))
	a.ping()
	b := dial(t, addr, "", "")
	b.ping()

	code, ctype, body := get(t, base+"/connz")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "application/json", ctype)
	var doc monitor.Connz
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	assert.Equal(t, 2, doc.Total)
	require.Len(t, doc.Connections, 2)
	c := doc.Connections[0]
	assert.Equal(t, "mon-", c.Name)
	require.Len(t, c.Subscriptions, 2)
	assert.Equal(t, uint32(3), c.Subscriptions[0].Sid)
	assert.Equal(t, "/a/*", c.Subscriptions[0].Pattern)
	assert.True(t, c.Subscriptions[1].Rotating)
	assert.Equal(t, uint32(2), c.Subscriptions[1].Credit)
	assert.Contains(t, body, `"pending_bytes": 0`)
	assert.Contains(t, body, `"subscriptions": []`, "a connection without subscriptions shows [], not null")

	_, _, body = get(t, base+"/connz?offset=1&limit=5")
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	assert.Equal(t, 2, doc.Total)
	require.Len(t, doc.Connections, 1)
	assert.Equal(t, 1, doc.Offset)
	assert.Equal(t, 5, doc.Limit)
	_, _, body = get(t, base+"/connz?offset=7")
	assert.Contains(t, body, `"connections": []`)
	for _, q := range []string{"limit=-1", "limit=x", "offset=-3", "limit=1000001"} {
		code, _, body = get(t, base+"/connz?"+q)
		assert.Equal(t, http.StatusBadRequest, code, q)
		assert.Contains(t, body, "want an integer", q)
	}
}

// fakeSource lets a test set the counters a scrape sees.
type fakeSource struct{ st broker.Stats }

func (f *fakeSource) ID() string               { return "fake" }
func (f *fakeSource) Stats() broker.Stats      { return f.st }
func (f *fakeSource) Connz() []broker.ConnInfo { return nil }

// Every Stats field reaches its metric: each is given a distinct value.
func TestEveryStatReachesItsMetric(t *testing.T) {
	src := &fakeSource{st: broker.Stats{Connections: 1, Subscriptions: 2, Accepted: 3, Refused: 4,
		InMsgs: 5, InBytes: 6, OutMsgs: 7, OutBytes: 8, DropsSlow: 9, DropsQueueFull: 10, LostOnLeave: 11,
		SlowConsumers: 12, ErrorsSent: 13, AuthFailures: 14, PermissionDenied: 15, ClassicDropped: 16,
		PendingBytes: 17, Shed: 18, DropsShed: 19, HeldBytes: 20, QueueDelivered: 21, QueueSkipped: 22,
		QueueCharged: 23, ServerID: "S", Policy: "disconnect"}}
	base := serve(t, monitor.New(src))
	fams := scrape(t, base)
	for name, want := range map[string]float64{
		"herald_connections": 1, "herald_subscriptions": 2, "herald_connections_accepted_total": 3,
		"herald_connections_refused_total": 4, "herald_messages_in_total": 5, "herald_bytes_in_total": 6,
		"herald_messages_out_total": 7, "herald_bytes_out_total": 8, "herald_slow_consumers_total": 12,
		"herald_errors_sent_total": 13, "herald_auth_failures_total": 14, "herald_permission_denied_total": 15,
		"herald_pending_bytes": 17, "herald_shed_total": 18, "herald_held_bytes": 20,
		"herald_queue_deliveries_total": 21, "herald_queue_skips_total": 22, "herald_queue_charges_total": 23,
	} {
		assert.Equal(t, want, value(t, fams, name), name)
	}
	for reason, want := range map[string]float64{"slow_consumer": 9, "queue_full": 10, "lost_on_leave": 11, "invalid_classic_channel": 16, "pending_total": 19} {
		assert.Equal(t, want, value(t, fams, "herald_dropped_messages_total", "reason", reason), reason)
	}
	assert.Equal(t, 1.0, value(t, fams, "herald_info", "server_id", "S", "overflow", "disconnect"))
	assert.Equal(t, dto.MetricType_COUNTER, fams["herald_messages_in_total"].GetType())
	assert.Equal(t, dto.MetricType_GAUGE, fams["herald_connections"].GetType())
}

// serve runs h on 127.0.0.1:0 until the test ends and returns its base URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// A closing connection's counts can be missing from one snapshot; counters
// must not go backwards meanwhile (Prometheus would read a reset).
func TestCountersNeverGoBackwards(t *testing.T) {
	src := &fakeSource{st: broker.Stats{InMsgs: 100, OutBytes: 50, Connections: 3}}
	base := serve(t, monitor.New(src))

	fams := scrape(t, base)
	assert.Equal(t, 100.0, value(t, fams, "herald_messages_in_total"))
	src.st = broker.Stats{InMsgs: 90, OutBytes: 60, Connections: 1}
	fams = scrape(t, base)
	assert.Equal(t, 100.0, value(t, fams, "herald_messages_in_total"), "held")
	assert.Equal(t, 60.0, value(t, fams, "herald_bytes_out_total"))
	assert.Equal(t, 1.0, value(t, fams, "herald_connections"), "gauges follow the snapshot")
	src.st.InMsgs = 120
	fams = scrape(t, base)
	assert.Equal(t, 120.0, value(t, fams, "herald_messages_in_total"))
}
