package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/spec/wire"
)

func TestFlagsDefaultsAndOverrides(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, broker.DefaultConfig().Addr, o.cfg.Addr)
	assert.Equal(t, "127.0.0.1:7420", o.cfg.Addr)
	assert.Equal(t, 8<<20, o.cfg.MaxPendingBytes)
	assert.Equal(t, broker.OverflowDrop, o.cfg.Overflow)

	o, err = parseFlags([]string{"--addr", "127.0.0.1:9", "--max-payload", "100", "--max-pending-bytes", "70000",
		"--overflow", "disconnect", "--ping-interval", "5s", "--drain-timeout", "1s", "--log-level", "debug"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9", o.cfg.Addr)
	assert.Equal(t, 100, o.cfg.MaxPayload)
	assert.Equal(t, 70000, o.cfg.MaxPendingBytes)
	assert.Equal(t, broker.OverflowDisconnect, o.cfg.Overflow)
	assert.Equal(t, 5*time.Second, o.cfg.PingInterval)
	assert.Equal(t, time.Second, o.cfg.DrainTimeout)
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"--help"}, &out))
	for _, f := range []string{"--addr", "--max-payload", "--max-pending-bytes", "--overflow", "--ping-interval", "--drain-timeout", "--log-level"} {
		assert.Contains(t, out.String(), f[1:], "help mentions %s", f)
	}
	assert.Contains(t, out.String(), "Example")
}

func TestBadInputNamesTheProblem(t *testing.T) {
	for args, want := range map[string][]string{
		"overflow policy \"sometimes\"":                              {"--overflow", "sometimes"},
		"--log-level \"loud\"":                                       {"--log-level", "loud"},
		"unexpected argument \"extra\"":                              {"extra"},
		"listen on 256.0.0.1:1":                                      {"--addr", "256.0.0.1:1"},
		"--max-pending-bytes 4096 is smaller than a largest message": {"--max-pending-bytes", "4096"},
	} {
		err := run(context.Background(), want, io.Discard)
		require.Error(t, err)
		assert.Contains(t, err.Error(), args)
	}
}

// TestServesUntilCancelled starts the command as make run does (on a free
// port), subscribes and receives with a raw client, then stops it as SIGTERM
// would.
func TestServesUntilCancelled(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--drain-timeout", "1s"}, pw); pw.Close() }()
	addrRE := regexp.MustCompile(`msg=listening addr=(\S+)`)
	lines := bufio.NewScanner(pr)
	var addr string
	for addr == "" && lines.Scan() {
		if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
			addr = m[1]
		}
	}
	require.NotEmpty(t, addr)
	go io.Copy(io.Discard, pr)

	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	var out []byte
	out = (&wire.Hello{Version: wire.Version, Echo: true, Headers: true}).Append(out)
	out = (&wire.Sub{Sid: 1, Pattern: []byte("/hello")}).Append(out)
	out = (&wire.Pub{Channel: []byte("/hello"), Payload: []byte("world")}).Append(out)
	_, err = nc.Write(out)
	require.NoError(t, err)
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := wire.NewReader(nc, 1<<20)
	body, err := r.Next()
	require.NoError(t, err)
	op, _ := wire.PeekOp(body)
	require.Equal(t, wire.OpWelcome, op)
	body, err = r.Next()
	require.NoError(t, err)
	var m wire.Msg
	require.NoError(t, m.Decode(body))
	assert.Equal(t, "world", string(m.Payload))

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("heraldd did not stop")
	}
	body, err = r.Next()
	require.NoError(t, err)
	var e wire.Error
	require.NoError(t, e.Decode(body))
	assert.Equal(t, wire.CodeShuttingDown, e.Code)
}

func TestMemoryLimitFollowsPendingTotal(t *testing.T) {
	lim, ok := memoryLimit(128<<20, "")
	assert.True(t, ok)
	assert.Equal(t, int64(128<<20+64<<20), lim)
	_, ok = memoryLimit(128<<20, "1GiB")
	assert.False(t, ok, "GOMEMLIMIT wins")
	_, ok = memoryLimit(0, "")
	assert.False(t, ok, "no bound, no limit")
}
