package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	herald "github.com/heraldmq/herald/sdk/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInterruptedSubExitsCleanly(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	sub := startSub(t, "/orders/>", "--url", url)
	code, _, errOut := runIn(t, "", "pub", "/orders/eu/new", "one", "--url", url)
	require.Equal(t, 0, code, errOut)
	sub.stdout.waitContains(t, "#1 /orders/eu/new one\n")
	sub.interrupt()
	assert.Equal(t, 0, sub.wait(t), "Ctrl-C is how sub ends: status 0")
	assert.Equal(t, "#1 /orders/eu/new one\n", sub.stdout.String())
	assert.Equal(t, "herald sub: subscribed to /orders/> at "+url+"\n", sub.stderr.String())
}

func TestInterruptedPubFlushesAndReports(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	nc := connectSDK(t, url)
	got := make(chan string, 8)
	_, err := nc.Subscribe("/lines", func(m *herald.Msg) { got <- string(m.Data) })
	require.NoError(t, err)
	require.NoError(t, nc.Flush(context.Background()))

	stdin, feed := newPipe(t)
	pub := startCLI(t, stdin, "pub", "/lines", "--url", url)
	feed("one\ntwo\n")
	assert.Equal(t, "one", waitChan(t, got, "line one"))
	assert.Equal(t, "two", waitChan(t, got, "line two"))
	pub.interrupt()
	assert.Equal(t, 130, pub.wait(t))
	assert.Equal(t, "published 2 messages to /lines\n", pub.stdout.String())
	assert.Equal(t, "herald pub: interrupted\n", pub.stderr.String())
}

func TestInterruptedGeneratedPub(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	nc := connectSDK(t, url)
	got := make(chan string, 1000)
	_, err := nc.Subscribe("/slow", func(m *herald.Msg) { got <- string(m.Data) })
	require.NoError(t, err)
	require.NoError(t, nc.Flush(context.Background()))

	pub := startCLI(t, nil, "pub", "/slow", "--count", "1000", "--size", "2", "--rate", "20", "--url", url)
	assert.Equal(t, "01", waitChan(t, got, "the first message"))
	pub.interrupt()
	assert.Equal(t, 130, pub.wait(t))
	m := regexp.MustCompile(`^published ([1-9]\d*) messages? to /slow \(2 bytes each\) in \d+\.\d{3}s\n$`).FindStringSubmatch(pub.stdout.String())
	require.NotNil(t, m, pub.stdout.String())
	assert.Equal(t, "herald pub: interrupted\n", pub.stderr.String())
	n, _ := strconv.Atoi(m[1])
	for i := 2; i <= n; i++ { // every message counted was routed
		assert.Equal(t, fmt.Sprintf("%02d", i), waitChan(t, got, "a message counted"))
	}
}
