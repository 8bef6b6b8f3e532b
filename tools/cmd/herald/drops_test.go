package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
	herald "github.com/heraldmq/herald/sdk/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noticeLine is sub's stderr line for a NOTICE.
var noticeLine = regexp.MustCompile(`^herald sub: /stall/>: (\d+) messages? dropped by the broker \(seq (\d+)-(\d+), slow_consumer\)( \[\d+ reports merged\])?$`)

// TestSubReportsDropsOfAStalledSubscriber stalls the connection of a
// `herald sub --json` (a proxy stops reading from the broker), publishes
// until the broker drops messages for it, lets it read again, and checks
// that every seq is either printed or inside a reported loss, on stderr and
// as a JSON event.
func TestSubReportsDropsOfAStalledSubscriber(t *testing.T) {
	cfg := broker.DefaultConfig()
	cfg.MaxPendingBytes = 16 << 10
	srv, url := startBrokerWith(t, cfg)
	proxy := startStallProxy(t, strings.TrimPrefix(url, "herald://"))
	checkGoroutines(t)
	sub := startSub(t, "/stall/>", "--json", "--url", proxy.URL())

	proxy.stall()
	pub := connectSDK(t, url)
	payload := make([]byte, 512)
	published := 0
	deadline := time.Now().Add(waitLimit)
	for srv.Stats().DropsSlow == 0 {
		require.True(t, time.Now().Before(deadline), "no drop after %d messages", published)
		for range 64 {
			published++
			copy(payload, fmt.Sprintf("%08d", published))
			require.NoError(t, pub.Publish(context.Background(), "/stall/x", payload))
		}
		require.NoError(t, pub.Flush(context.Background()))
	}
	dropped := srv.Stats().DropsSlow
	t.Logf("%d published, %d dropped", published, dropped)
	proxy.flow()

	// Every seq is accounted for once the last message or the last loss is
	// printed.
	out := sub.stdout.waitFor(t, "all messages accounted for", func(s string) bool {
		return strings.Contains(s, fmt.Sprintf(`"seq":%d,`, published)) ||
			strings.Contains(s, fmt.Sprintf(`"last_seq":%d,`, published))
	})
	sub.interrupt()
	require.Equal(t, 0, sub.wait(t))
	out = sub.stdout.String()

	printed := make([]bool, published+1)
	var lossEvents []lossJSON
	var lost uint64
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var typ struct{ Type string }
		require.NoError(t, json.Unmarshal([]byte(l), &typ), l)
		switch typ.Type {
		case "msg":
			var m msgJSON
			require.NoError(t, json.Unmarshal([]byte(l), &m))
			require.LessOrEqual(t, m.Seq, uint64(published))
			require.False(t, printed[m.Seq], "seq %d printed twice", m.Seq)
			printed[m.Seq] = true
			assert.Equal(t, fmt.Sprintf("%08d", m.Seq), m.Payload[:8], "seq %d carries message %d", m.Seq, m.Seq)
		case "loss":
			var e lossJSON
			require.NoError(t, json.Unmarshal([]byte(l), &e))
			assert.Equal(t, "/stall/>", e.Subscription)
			assert.Equal(t, "notice", e.Source)
			assert.Equal(t, "slow_consumer", e.Reason)
			require.NotNil(t, e.Count)
			if e.Reports == 0 {
				assert.Equal(t, e.LastSeq-e.FirstSeq+1, *e.Count)
			}
			lost += *e.Count
			lossEvents = append(lossEvents, e)
		default:
			t.Fatalf("unknown line %s", l)
		}
	}
	require.NotEmpty(t, lossEvents)
	assert.Equal(t, dropped, lost, "the broker's drops are all reported")
	n := 0
	for s := 1; s <= published; s++ {
		if printed[s] {
			n++
			continue
		}
		inside := false
		for _, e := range lossEvents {
			inside = inside || (uint64(s) >= e.FirstSeq && uint64(s) <= e.LastSeq)
		}
		assert.True(t, inside, "seq %d is neither printed nor reported lost", s)
	}
	assert.Equal(t, published, n+int(lost), "every message printed or counted lost")

	// stderr: the subscribed line, then one line per loss event, naming the
	// subscription, count and range.
	errLines := strings.Split(strings.TrimSpace(sub.stderr.String()), "\n")
	require.Len(t, errLines, 1+len(lossEvents), sub.stderr.String())
	assert.Equal(t, "herald sub: subscribed to /stall/> at "+proxy.URL(), errLines[0])
	for i, e := range lossEvents {
		m := noticeLine.FindStringSubmatch(errLines[1+i])
		require.NotNil(t, m, errLines[1+i])
		assert.Equal(t, []string{strconv.FormatUint(*e.Count, 10), strconv.FormatUint(e.FirstSeq, 10), strconv.FormatUint(e.LastSeq, 10)}, m[1:4])
	}
}

// TestSubReportsAReconnect cuts sub's connection: it says so, reconnects,
// reports the loss of unknown size, and carries on.
func TestSubReportsAReconnect(t *testing.T) {
	url := brokerURL(t)
	proxy := startStallProxy(t, strings.TrimPrefix(url, "herald://"))
	checkGoroutines(t)
	sub := startSub(t, "/r", "--json", "--url", proxy.URL())
	proxy.cut()
	sub.stderr.waitContains(t, "herald sub: reconnected to "+proxy.URL()+"\n")
	sub.stdout.waitContains(t, `{"type":"loss","subscription":"/r","source":"reconnect","count":null}`+"\n")
	pub := connectSDK(t, url)
	require.NoError(t, pub.Publish(context.Background(), "/r", []byte("after")))
	sub.stdout.waitContains(t, `"payload":"after"`)
	sub.interrupt()
	require.Equal(t, 0, sub.wait(t))
	assert.Equal(t, `{"type":"loss","subscription":"/r","source":"reconnect","count":null}
{"type":"msg","channel":"/r","seq":1,"payload":"after","payload_encoding":"utf-8"}
`, sub.stdout.String())
	assert.Regexp(t, `^herald sub: subscribed to /r at herald://127.0.0.1:\d+
herald sub: disconnected from herald://127.0.0.1:\d+: .+; reconnecting
herald sub: reconnected to herald://127.0.0.1:\d+
herald sub: /r: messages lost while reconnecting, count unknown
$`, sub.stderr.String())
}

// TestPubReportsALostConnection cuts pub's connection while it reads
// stdin: pub does not reconnect, and says the connection was lost.
func TestPubReportsALostConnection(t *testing.T) {
	url := brokerURL(t)
	proxy := startStallProxy(t, strings.TrimPrefix(url, "herald://"))
	checkGoroutines(t)
	nc := connectSDK(t, url)
	got := make(chan string, 1)
	_, err := nc.Subscribe("/lines", func(m *herald.Msg) { got <- string(m.Data) })
	require.NoError(t, err)
	require.NoError(t, nc.Flush(context.Background()))

	stdin, feed := newPipe(t)
	pub := startCLI(t, stdin, "pub", "/lines", "--url", proxy.URL())
	feed("one\n")
	assert.Equal(t, "one", waitChan(t, got, "line one"))
	proxy.cut()
	assert.Equal(t, 1, pub.wait(t))
	assert.Empty(t, pub.stdout.String())
	assert.Regexp(t, `^herald pub: lost the connection to herald://127.0.0.1:\d+: .+\n$`, pub.stderr.String())
}

// stalledSub starts `herald sub PATTERN ARGS...` behind a stall proxy on a
// broker with small outbound buffers, stalls it, publishes 2 KiB messages
// to channel until the broker drops some, lets it read again, and waits
// for the NOTICE line. It returns the sub and the publisher, and how many
// messages were published.
func stalledSub(t *testing.T, pattern, channel string, args ...string) (*cliRun, *herald.Conn, int) {
	t.Helper()
	cfg := broker.DefaultConfig()
	cfg.MaxPendingBytes = 16 << 10
	srv, url := startBrokerWith(t, cfg)
	proxy := startStallProxy(t, strings.TrimPrefix(url, "herald://"))
	sub := startSub(t, append([]string{pattern, "--url", proxy.URL()}, args...)...)
	proxy.stall()
	pub := connectSDK(t, url)
	published := 0
	deadline := time.Now().Add(waitLimit)
	for st := srv.Stats(); st.DropsSlow+st.DropsQueueFull == 0; st = srv.Stats() {
		require.True(t, time.Now().Before(deadline), "no drop after %d messages", published)
		for range 8 {
			published++
			require.NoError(t, pub.Publish(context.Background(), channel, payloadOf(published)))
		}
		require.NoError(t, pub.Flush(context.Background()))
	}
	proxy.flow()
	sub.stderr.waitContains(t, " dropped by the broker (seq ")
	return sub, pub, published
}

// payloadOf is the 2 KiB payload of message n: its number, then dots.
func payloadOf(n int) []byte {
	return []byte(fmt.Sprintf("%08d", n) + strings.Repeat(".", 2040))
}

// TestSubCountOfAFanOutSubscriberWithLosses: a fan-out subscriber counts
// the messages it prints, losses or not.
func TestSubCountOfAFanOutSubscriberWithLosses(t *testing.T) {
	checkGoroutines(t)
	const count = 100
	sub, pub, published := stalledSub(t, "/stall/>", "/stall/x", "--count", strconv.Itoa(count))
	require.Less(t, published, count)
	for n := published + 1; ; n++ { // one at a time, so that none is dropped
		require.NoError(t, pub.Publish(context.Background(), "/stall/x", payloadOf(n)))
		if strings.Count(sub.stdout.waitContains(t, fmt.Sprintf("#%d ", n)), "\n") == count {
			break
		}
	}
	assert.Equal(t, 0, sub.wait(t), sub.stderr.String())
	assert.Equal(t, count, strings.Count(sub.stdout.String(), "\n"))
}

// TestSubCountOfAQueueMemberWithLosses: the broker stops a rotation-set
// member at seq N, losses included, so sub prints fewer than N and says
// how many were lost.
func TestSubCountOfAQueueMemberWithLosses(t *testing.T) {
	checkGoroutines(t)
	const count = 100
	sub, pub, published := stalledSub(t, "/stall/>", "/stall/x", "--queue", "q", "--count", strconv.Itoa(count))
	require.Less(t, published, count)
	for n := published + 1; n <= count; n++ { // one at a time, so that none is dropped
		require.NoError(t, pub.Publish(context.Background(), "/stall/x", payloadOf(n)))
		sub.stdout.waitContains(t, fmt.Sprintf("#%d ", n))
	}
	assert.Equal(t, 1, sub.wait(t))
	printed := strings.Count(sub.stdout.String(), "\n")
	errLines := strings.Split(strings.TrimSpace(sub.stderr.String()), "\n")
	require.GreaterOrEqual(t, len(errLines), 3, sub.stderr.String())
	var lost int
	for _, l := range errLines[1 : len(errLines)-1] {
		m := regexp.MustCompile(`^herald sub: /stall/> \(queue q\): (\d+) messages? dropped by the broker \(seq \d+-\d+, queue_full\)`).FindStringSubmatch(l)
		require.NotNil(t, m, l)
		n, _ := strconv.Atoi(m[1])
		lost += n
	}
	assert.Equal(t, count, printed+lost)
	assert.Equal(t, fmt.Sprintf("herald sub: the subscription ended at seq %d after %d of %d messages: %d lost (reported above)", count, printed, count, lost), errLines[len(errLines)-1])
}
