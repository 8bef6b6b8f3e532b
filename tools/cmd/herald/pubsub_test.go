package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
	herald "github.com/heraldmq/herald/sdk/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPubThenSubRoundTrip(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	sub := startSub(t, "/orders/>", "--count", "3", "--url", url)

	code, out, errOut := runIn(t, "", "pub", "/orders/eu/new", "order 1", "--header", "trace=abc", "--header", "k=v 2", "--url", url)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "published 1 message to /orders/eu/new\n", out)
	assert.Empty(t, errOut)
	code, out, errOut = runIn(t, "", "pub", "--url", url, "--reply-to", "/orders/acks", "/orders/us/new", "two  words")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "published 1 message to /orders/us/new\n", out)
	code, _, errOut = runIn(t, "", "pub", "--url", url, "/orders/us/new", "tab\there")
	require.Equal(t, 0, code, errOut)

	require.Equal(t, 0, sub.wait(t), sub.stderr.String())
	assert.Equal(t, `#1 /orders/eu/new {k="v 2", trace=abc} order 1
#2 /orders/us/new (reply-to /orders/acks) two  words
#3 /orders/us/new "tab\there"
`, sub.stdout.String())
	assert.Equal(t, "herald sub: subscribed to /orders/> at "+url+"\n", sub.stderr.String())
}

func TestSubJSON(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	sub := startSub(t, "/orders/*", "--json", "--count", "3", "--url", url)
	for _, args := range [][]string{
		{"/orders/eu", "order <1> & co", "--header", "trace=abc", "--reply-to", "/acks/1"},
		{"/orders/eu", "\xff\x00binary"},
		{"/orders/us", ""},
	} {
		code, _, errOut := runIn(t, "", append([]string{"pub", "--url", url}, args...)...)
		require.Equal(t, 0, code, errOut)
	}
	require.Equal(t, 0, sub.wait(t), sub.stderr.String())
	assert.Equal(t, `{"type":"msg","channel":"/orders/eu","seq":1,"reply_to":"/acks/1","headers":{"trace":"abc"},"payload":"order <1> & co","payload_encoding":"utf-8"}
{"type":"msg","channel":"/orders/eu","seq":2,"payload":"/wBiaW5hcnk=","payload_encoding":"base64"}
{"type":"msg","channel":"/orders/us","seq":3,"payload":"","payload_encoding":"utf-8"}
`, sub.stdout.String())
	for _, l := range strings.Split(strings.TrimSpace(sub.stdout.String()), "\n") {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &v), l)
	}
}

func TestPubLinesFromStdin(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	sub := startSub(t, "/lines", "--count", "4", "--url", url)
	code, out, errOut := runIn(t, "first\n\nthird line\r\nlast without newline", "pub", "/lines", "--url", url)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "published 4 messages to /lines\n", out)
	require.Equal(t, 0, sub.wait(t), sub.stderr.String())
	assert.Equal(t, "#1 /lines first\n#2 /lines \"\"\n#3 /lines third line\n#4 /lines last without newline\n", sub.stdout.String())
}

func TestPubStdinLineTooLong(t *testing.T) {
	cfg := broker.DefaultConfig()
	cfg.MaxPayload = 10
	_, url := startBrokerWith(t, cfg)
	code, out, errOut := runIn(t, "short\n0123456789\n0123456789X\nnever\n", "pub", "/lines", "--url", url)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "herald pub: line 3 of stdin is longer than the broker's max_payload (10 bytes) (2 messages published before)\n", errOut)
}

func TestPubCountSizeRate(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	sub := startSub(t, "/gen", "--count", "5", "--url", url)
	start := time.Now()
	code, out, errOut := runIn(t, "", "pub", "/gen", "--count", "5", "--size", "4", "--rate", "50", "--url", url)
	elapsed := time.Since(start)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^published 5 messages to /gen \(4 bytes each\) in \d+\.\d{3}s\n$`, out)
	assert.GreaterOrEqual(t, elapsed, 80*time.Millisecond, "5 messages at 50 msg/s span 4 intervals of 20ms")
	require.Equal(t, 0, sub.wait(t), sub.stderr.String())
	assert.Equal(t, "#1 /gen 0001\n#2 /gen 0002\n#3 /gen 0003\n#4 /gen 0004\n#5 /gen 0005\n", sub.stdout.String())
}

func TestPubDataCountTimes(t *testing.T) {
	url := brokerURL(t)
	sub := startSub(t, "/rep", "--count", "3", "--url", url)
	code, out, errOut := runIn(t, "", "pub", "/rep", "same", "--count", "3", "--url", url)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "published 3 messages to /rep\n", out)
	require.Equal(t, 0, sub.wait(t))
	assert.Equal(t, "#1 /rep same\n#2 /rep same\n#3 /rep same\n", sub.stdout.String())
}

func TestGeneratedPayloads(t *testing.T) {
	src := generated(1, 12)
	var got []string
	for {
		b, ok, err := src(t.Context())
		require.NoError(t, err)
		if !ok {
			break
		}
		got = append(got, string(b))
	}
	assert.Equal(t, strings.Split("1 2 3 4 5 6 7 8 9 0 1 2", " "), got, "the last digit when the number is longer than --size")
	b, ok, _ := generated(0, 1)(t.Context())
	assert.True(t, ok)
	assert.Empty(t, b)
}

func TestQueueRotationFromTheCLI(t *testing.T) {
	url := brokerURL(t)
	checkGoroutines(t)
	a := startSub(t, "/queue/jobs", "--count", "3", "--url", url)
	b := startSub(t, "/queue/jobs", "--count", "3", "--url", url)
	code, _, errOut := runIn(t, "", "pub", "/queue/jobs", "--count", "6", "--size", "16", "--url", url)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 0, a.wait(t))
	require.Equal(t, 0, b.wait(t))
	line := func(seq, n int) string { return fmt.Sprintf("#%d /queue/jobs %016d\n", seq, n) }
	assert.Equal(t, line(1, 1)+line(2, 3)+line(3, 5), a.stdout.String())
	assert.Equal(t, line(1, 2)+line(2, 4)+line(3, 6), b.stdout.String())
}

func TestSubQueueGroupNamesItself(t *testing.T) {
	url := brokerURL(t)
	sub := startSub(t, "/jobs", "--queue", "workers", "--count", "1", "--url", url)
	assert.Equal(t, "herald sub: subscribed to /jobs in queue workers at "+url+"\n", sub.stderr.String())
	code, _, errOut := runIn(t, "", "pub", "/jobs", "x", "--url", url)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 0, sub.wait(t))
	assert.Equal(t, "#1 /jobs x\n", sub.stdout.String())
}

func TestTextLine(t *testing.T) {
	var re = regexp.MustCompile(`^#\d+ `)
	for _, tc := range []struct{ data, want string }{
		{"plain words", "plain words"},
		{"", `""`},
		{"two\nlines", `"two\nlines"`},
		{"\xff", `"\xff"`},
		{"héllo", "héllo"},
	} {
		got := textLine(msgOf("/c", tc.data))
		assert.Equal(t, "#7 /c "+tc.want+"\n", got, tc.data)
		assert.Regexp(t, re, got)
	}
}

func msgOf(channel, data string) *herald.Msg {
	return &herald.Msg{Channel: channel, Data: []byte(data), Seq: 7}
}
