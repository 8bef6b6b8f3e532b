package main

import (
	"context"
	"io"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/heraldmq/herald/broker"
	"github.com/heraldmq/herald/examples/internal/lines"
)

// startBroker runs a broker serving Herald and the classic profile on
// loopback ports, and returns its Herald URL and classic port.
func startBroker(t *testing.T) (*broker.Server, string, int) {
	t.Helper()
	srv, err := broker.New(broker.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 2)
	go func() { served <- srv.Serve(ln) }()
	go func() { served <- srv.ServeClassic(cln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("broker shutdown: %v", err)
		}
		<-served
		<-served
	})
	return srv, "herald://" + ln.Addr().String(), cln.Addr().(*net.TCPAddr).Port
}

// python starts a script of this folder with python3, its output going to
// out. A missing python3 fails the test: every machine here has one.
func python(t *testing.T, ctx context.Context, out io.Writer, args ...string) *exec.Cmd {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is required to run the classic clients: %v", err)
	}
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// TestClassicClients runs the README's commands: the Go SDK subscriber, the
// Python listener, the Python sender and the Go publisher, against one
// broker. The listener gets the sender's and the publisher's messages as bare
// data; the Go subscriber, on a wildcard, gets them as Herald messages.
func TestClassicClients(t *testing.T) {
	srv, url, port := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p := strconv.Itoa(port)

	subOut := lines.New()
	cfg, err := parseFlags([]string{"-url", url, "-pattern", "/topic/>", "-count", "6"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	subDone := make(chan error, 1)
	go func() { subDone <- run(ctx, cfg, subOut) }()
	subOut.Wait(t, `^subscribed to /topic/>$`)

	listenOut := lines.New()
	listener := python(t, ctx, listenOut, "listener.py", "--port", p, "--channel", "/topic/foo", "--count", "6")
	listenOut.Wait(t, `^listening on /topic/foo$`)
	// A classic client cannot tell when its subscription is made: ask the
	// broker.
	deadline := time.Now().Add(10 * time.Second)
	for srv.Router().Count() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the listener's subscription was never made")
		}
		time.Sleep(time.Millisecond)
	}

	sendOut := lines.New()
	sender := python(t, ctx, sendOut, "sender.py", "--port", p, "--channel", "/topic/foo", "--count", "3")
	if err := sender.Wait(); err != nil {
		t.Fatalf("sender.py: %v\n%s", err, sendOut)
	}
	sendOut.Wait(t, `^sent 3 messages to /topic/foo$`)

	pubOut := lines.New()
	cfg, err = parseFlags([]string{"-url", url, "-publish", "/topic/foo", "-count", "3"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, cfg, pubOut); err != nil {
		t.Fatal(err)
	}
	pubOut.Wait(t, `^published 3 messages to /topic/foo$`)

	if err := listener.Wait(); err != nil {
		t.Fatalf("listener.py: %v\n%s", err, listenOut)
	}
	if err := <-subDone; err != nil {
		t.Fatal(err)
	}
	t.Log("listener.py:\n" + listenOut.String())
	t.Log("Go subscriber:\n" + subOut.String())
	want := []string{"hello from Python 1", "hello from Python 2", "hello from Python 3",
		"hello from Herald 1", "hello from Herald 2", "hello from Herald 3"}
	gotListen, gotSub := listenOut.Lines()[1:], subOut.Lines()[1:]
	if len(gotListen) != len(want) || len(gotSub) != len(want) {
		t.Fatalf("the listener printed %d messages and the subscriber %d, want %d each", len(gotListen), len(gotSub), len(want))
	}
	for i, w := range want {
		if l := "/topic/foo: " + w; gotListen[i] != l {
			t.Errorf("listener line %d: %q, want %q", i+1, gotListen[i], l)
		}
		if l := "/topic/foo #" + strconv.Itoa(i+1) + ": " + w; gotSub[i] != l {
			t.Errorf("subscriber line %d: %q, want %q", i+1, gotSub[i], l)
		}
	}
}
