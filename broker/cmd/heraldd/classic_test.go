package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/heraldmq/herald/spec/wire"
)

func TestClassicAddrFlag(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Empty(t, o.cfg.ClassicAddr, "the classic listener is off unless given")
	o, err = parseFlags([]string{"--classic-addr", "127.0.0.1:25000"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:25000", o.cfg.ClassicAddr)
}

// TestServesClassicClients starts the command with --classic-addr: a classic
// listener gets a Herald client's message as a bare data frame, and the
// listener is closed without an ERR when heraldd stops.
func TestServesClassicClients(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--classic-addr", "127.0.0.1:0", "--drain-timeout", "1s"}, pw)
		pw.Close()
	}()
	addrRE := regexp.MustCompile(`msg=listening addr=(\S+)`)
	classicRE := regexp.MustCompile(`msg="listening for classic clients" addr=(\S+)`)
	connRE := regexp.MustCompile(`msg="classic client connected"`)
	lines := bufio.NewScanner(pr)
	var addr, classicAddr string
	for (addr == "" || classicAddr == "") && lines.Scan() {
		if m := addrRE.FindStringSubmatch(lines.Text()); m != nil {
			addr = m[1]
		}
		if m := classicRE.FindStringSubmatch(lines.Text()); m != nil {
			classicAddr = m[1]
		}
	}
	require.NotEmpty(t, addr)
	require.NotEmpty(t, classicAddr)

	cl, err := net.Dial("tcp", classicAddr)
	require.NoError(t, err)
	defer cl.Close()
	_, err = cl.Write(append(binary.BigEndian.AppendUint32(nil, 6), "/hello"...))
	require.NoError(t, err)
	for lines.Scan() && !connRE.MatchString(lines.Text()) {
	}
	go io.Copy(io.Discard, pr)

	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	var out []byte
	out = (&wire.Hello{Version: wire.Version, Echo: true, Headers: true}).Append(out)
	out = (&wire.Pub{Channel: []byte("/hello"), Payload: []byte("world")}).Append(out)
	_, err = nc.Write(out)
	require.NoError(t, err)

	cl.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := wire.NewReader(cl, 1<<20)
	body, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, "world", string(body))

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("heraldd did not stop")
	}
	_, err = r.Next()
	assert.ErrorIs(t, err, io.EOF, "closed without an ERR")
}
