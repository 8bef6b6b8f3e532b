package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/tools/internal/bench"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startBroker runs an in-process heraldd on 127.0.0.1:0 until the test ends.
func startBroker(t *testing.T) string {
	t.Helper()
	srv, err := broker.New(broker.DefaultConfig())
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		<-served
	})
	return ln.Addr().String()
}

// checkGoroutines fails the test when goroutines started during it are still
// running once it ends (waiting up to 5 s for them to finish).
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			t.Errorf("%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}

// tiny are the flags that keep a run to a fraction of a second.
var tiny = []string{"--count", "3000", "--rounds", "2", "--duration", "200ms", "--subscribers", "3", "--workers", "3", "--rate", "2000", "--conns", "50", "--size", "64", "--progress=false"}

// runCLI runs the herald command line and returns its exit status and
// output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// figureIndex maps "workload/system/metric" to figures.
func figureIndex(t *testing.T, out string) map[string]bench.Figure {
	t.Helper()
	figs, err := bench.ReadJSON(strings.NewReader(out))
	require.NoError(t, err)
	idx := map[string]bench.Figure{}
	for _, f := range figs {
		idx[f.Workload+"/"+f.System+"/"+f.Metric] = f
	}
	return idx
}

func TestBenchAllWorkloadsAgainstHeraldAndBaseline(t *testing.T) {
	addr := startBroker(t)
	checkGoroutines(t)
	// conns weighs this very process (the broker runs in it): the figure is
	// meaningless here, but the workload's path is exercised.
	args := append([]string{"bench", "all", "--json", "--baseline", "--url", "herald://" + addr, "--pid", fmt.Sprint(os.Getpid())}, tiny...)
	code, out, errOut := runCLI(t, args...)
	require.Equal(t, 0, code, errOut)
	idx := figureIndex(t, out)

	for _, sys := range []string{"herald", "baseline"} {
		f, ok := idx["fanout/"+sys+"/delivered"]
		require.True(t, ok, "%s has a fan-out figure", sys)
		assert.Positive(t, f.Median)
		assert.Equal(t, 2, f.Rounds)
		assert.Len(t, f.Values, 2)
		assert.LessOrEqual(t, f.Min, f.Median)
		assert.GreaterOrEqual(t, f.Max, f.Median)
		assert.Equal(t, "msg/s", f.Unit)
		assert.Equal(t, 3, int(f.Params["subscribers"].(float64)))
		assert.Zero(t, idx["fanout/"+sys+"/lost"].Max, "%s lost messages", sys)

		p50, p999 := idx["latency/"+sys+"/p50"], idx["latency/"+sys+"/p99.9"]
		assert.Positive(t, p50.Median)
		assert.GreaterOrEqual(t, p999.Median, p50.Median)
		assert.Zero(t, idx["latency/"+sys+"/lost"].Max)
	}

	q := idx["queue/herald/delivered"]
	assert.Positive(t, q.Median)
	assert.Zero(t, idx["queue/herald/lost"].Max)
	assert.LessOrEqual(t, idx["queue/herald/share spread"].Max, 1.0, "Herald's rotation keeps shares within one message")
	assert.InDelta(t, 100.0/3, idx["queue/herald/smallest share"].Median, 0.1)

	assert.Positive(t, idx["slowsub/herald/fast subs, one stalled"].Median)
	assert.Positive(t, idx["slowsub/herald/paced M/2: achieved stalled/free"].Median)
	assert.Contains(t, idx, "slowsub/herald/paced M/2: publish p99.9, stalled")

	c := idx["conns/herald/memory per idle conn"]
	assert.Equal(t, 1, c.Rounds, "conns runs one round")
	assert.Equal(t, "KiB", c.Unit)

	for _, w := range []string{"queue", "slowsub", "conns"} {
		f, ok := idx[w+"/baseline/*"]
		require.True(t, ok, "%s on the baseline is reported as skipped", w)
		assert.Contains(t, f.Skipped, "not applicable")
	}
}

func TestBenchTableShowsRatios(t *testing.T) {
	addr := startBroker(t)
	checkGoroutines(t)
	args := append([]string{"bench", "fanout", "--baseline", "--url", "herald://" + addr}, tiny...)
	code, out, errOut := runCLI(t, args...)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(out, "\n")
	assert.Regexp(t, `^WORKLOAD +PARAMS +METRIC +UNIT +HERALD +BASELINE +herald/baseline`, lines[0])
	assert.Regexp(t, `^fanout .* delivered +msg/s +[0-9.]+[kM]? +[0-9.]+[kM]? +[0-9.]+$`, lines[1])
	assert.Contains(t, out, "Medians of 2 rounds")
}

func TestBenchSDKDrivesHeraldThroughTheGoSDK(t *testing.T) {
	addr := startBroker(t)
	checkGoroutines(t)
	args := append([]string{"bench", "fanout", "queue", "--json", "--sdk", "--url", "herald://" + addr}, tiny...)
	code, out, errOut := runCLI(t, args...)
	require.Equal(t, 0, code, errOut)
	idx := figureIndex(t, out)
	assert.Positive(t, idx["fanout/herald-sdk/delivered"].Median)
	assert.Positive(t, idx["queue/herald-sdk/delivered"].Median)
}

func TestBenchErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		code int
		msg  string
	}{
		"unreachable":      {[]string{"bench", "--url", "herald://127.0.0.1:1"}, 1, "herald bench: cannot reach herald at 127.0.0.1:1: dial tcp"},
		"unknown workload": {[]string{"bench", "nope"}, 1, `unknown workload "nope"`},
		"bad compare":      {[]string{"bench", "--compare", "ftp://x:1"}, 1, `unknown scheme "ftp"`},
		"herald in compare": {[]string{"bench", "--compare", "herald://127.0.0.1:1"}, 1,
			"--compare takes peers"},
		"nothing":   {[]string{"bench", "--url="}, 1, "nothing to measure"},
		"bad size":  {[]string{"bench", "--size", "8"}, 1, "--size must be at least 16"},
		"bad flag":  {[]string{"bench", "--nope"}, 2, "flag provided but not defined"},
		"not a url": {[]string{"bench", "--url", "nats://127.0.0.1:4222"}, 1, "not a Herald URL"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			assert.Equal(t, tc.code, code, errOut)
			assert.Contains(t, out+errOut, tc.msg)
		})
	}
}

func TestCommandsHaveHelpWithAnExample(t *testing.T) {
	for _, c := range commands {
		code, _, errOut := runCLI(t, c.name, "--help")
		assert.Equal(t, 0, code, c.name)
		assert.Regexp(t, `Examples?:\n  herald `+c.name+` `, errOut, c.name)
		assert.Contains(t, errOut, "-url", c.name)
	}
	code, _, errOut := runCLI(t, "frobnicate")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown command "frobnicate"`)
}

func TestInterruptStopsBench(t *testing.T) {
	addr := startBroker(t)
	checkGoroutines(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"bench", "latency", "--url", "herald://" + addr, "--duration", "1m", "--rounds", "1", "--progress=false"}, &stdout, &stderr)
	}()
	time.AfterFunc(300*time.Millisecond, cancel)
	select {
	case code := <-done:
		assert.Equal(t, 130, code)
		assert.Contains(t, stderr.String(), "interrupted")
	case <-time.After(10 * time.Second):
		t.Fatal("bench did not stop within 10 s of the interrupt")
	}
	assert.False(t, errors.Is(ctx.Err(), context.DeadlineExceeded))
}
