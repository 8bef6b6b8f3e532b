package main

import (
	"context"
	"testing"

	herald "github.com/heraldmq/herald/sdk/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connectSDK connects the Go SDK to url until the test ends.
func connectSDK(t *testing.T, url string) *herald.Conn {
	t.Helper()
	nc, err := herald.Connect(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	return nc
}

// responder answers requests on channel with "pong: " and the request, and
// the request's "trace" header when it has one.
func responder(t *testing.T, url, channel string) {
	t.Helper()
	nc := connectSDK(t, url)
	_, err := nc.Subscribe(channel, func(m *herald.Msg) {
		reply := "pong: " + string(m.Data)
		if tr, ok := m.Header["trace"]; ok {
			reply += " trace=" + tr
		}
		m.Respond([]byte(reply))
	})
	require.NoError(t, err)
	require.NoError(t, nc.Flush(context.Background()))
}

func TestReqPrintsTheReply(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	responder(t, url, "/svc/time")
	code, out, errOut := runIn(t, "", "req", "/svc/time", "now", "--timeout", "2s", "--url", url)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "pong: now\n", out)
	assert.Empty(t, errOut)

	code, out, errOut = runIn(t, "", "req", "--url", url, "--header", "trace=t1", "/svc/time", "again")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "pong: again trace=t1\n", out)
}

func TestReqTimeout(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	nc := connectSDK(t, url)
	got := make(chan struct{}, 1)
	_, err := nc.Subscribe("/svc/mute", func(*herald.Msg) { got <- struct{}{} })
	require.NoError(t, err)
	require.NoError(t, nc.Flush(context.Background()))

	code, out, errOut := runIn(t, "", "req", "/svc/mute", "hello?", "--timeout", "150ms", "--url", url)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "herald req: timeout: no reply on /svc/mute within 150ms\n", errOut)
	waitChan(t, got, "the request at the subscriber")
}

func TestReqNoResponders(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	code, out, errOut := runIn(t, "", "req", "/svc/nobody", "hello?", "--timeout", "1m", "--url", url)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "herald req: no responders on /svc/nobody: no subscriber received the request\n", errOut)
}

func TestReqInterrupted(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	nc := connectSDK(t, url)
	got := make(chan struct{}, 1)
	_, err := nc.Subscribe("/svc/mute", func(*herald.Msg) { got <- struct{}{} })
	require.NoError(t, err)
	require.NoError(t, nc.Flush(context.Background()))

	r := startCLI(t, nil, "req", "/svc/mute", "hello?", "--timeout", "1m", "--url", url)
	waitChan(t, got, "the request at the subscriber")
	r.interrupt()
	assert.Equal(t, 130, r.wait(t))
	assert.Equal(t, "herald req: interrupted\n", r.stderr.String())
	assert.Empty(t, r.stdout.String())
}
