package steps

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec"
	"github.com/heraldmq/herald/spec/wire"
)

func (w *world) registerErrorSteps(sc *godog.ScenarioContext) {
	sc.Step(`^"([^"]+)" gets the error "([^"]+)"$`, w.getsError)
	sc.Step(`^"([^"]+)" gets the error "([^"]+)" about (PUB|SUB|UNSUB|ACK|op \d+)(?: sid (\d+|max_subscriptions \+ 1))?(?: on "([^"]*)")?$`, w.getsErrorAbout)
	sc.Step(`^"([^"]+)" gets the error "([^"]+)" as vector "([^"]+)" says$`, w.getsErrorAsVector)
	sc.Step(`^"([^"]+)" gets the error "unsupported_version" naming version 1 among the supported versions$`, w.getsUnsupportedVersion)
	sc.Step(`^"([^"]+)" gets the error "stale_connection" no sooner than ping_interval_ms × max_pings_out and no later than ping_interval_ms × \(max_pings_out \+ 1\) \+ 2 s after its HELLO$`, w.getsStale)
}

// nextError takes the next ERR from the inbox and checks its code and
// whether the connection is what the code says (10.2 and the table).
func (w *world) nextError(name, code string) (wire.Error, error) {
	f, err := w.nextErrorWithin(name, code, w.timeout())
	return f.Err, err
}

func (w *world) nextErrorWithin(name, code string, d time.Duration) (probe.Frame, error) {
	c, err := w.conn(name)
	if err != nil {
		return probe.Frame{}, err
	}
	f, err := c.NextWithin("ERR "+code, probe.Op(wire.OpErr), d)
	if err != nil {
		return f, err
	}
	if string(f.Err.Code) != code {
		return f, fmt.Errorf("%s expected ERR %s and got %s", name, code, f)
	}
	return f, nil
}

func (w *world) getsError(name, code string) error {
	_, err := w.nextError(name, code)
	return err
}

var refOps = map[string]wire.Op{"PUB": wire.OpPub, "SUB": wire.OpSub, "UNSUB": wire.OpUnsub, "ACK": wire.OpAck}

func (w *world) getsErrorAbout(name, code, op, sid, channel string) error {
	e, err := w.nextError(name, code)
	if err != nil {
		return err
	}
	want, ok := refOps[op]
	if !ok {
		n, err := strconv.Atoi(strings.TrimPrefix(op, "op "))
		if err != nil {
			return err
		}
		want = wire.Op(n)
	}
	var bad []string
	if e.RefOp != want {
		bad = append(bad, fmt.Sprintf("ref_op %d, expected %d (%s)", e.RefOp, want, op))
	}
	if sid != "" {
		id, err := w.sid(sid)
		if err != nil {
			return err
		}
		if e.RefSid != id {
			bad = append(bad, fmt.Sprintf("ref_sid %d, expected %d", e.RefSid, id))
		}
	}
	if channel != "" {
		ch, err := w.name(channel)
		if err != nil {
			return err
		}
		if e.RefChannel != ch {
			bad = append(bad, fmt.Sprintf("ref_channel %q, expected %q", e.RefChannel, ch))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("ERR %s names the wrong frame (10.1): %s", code, strings.Join(bad, "; "))
	}
	return nil
}

func (w *world) getsErrorAsVector(name, code, vector string) error {
	e, err := w.nextError(name, code)
	if err != nil {
		return err
	}
	for _, v := range spec.Invalid().Vectors {
		if v.Name != vector {
			continue
		}
		var bad []string
		if v.Error != code {
			return fmt.Errorf("vector %s expects %s, not %s", vector, v.Error, code)
		}
		if want := deref(v.RefOp); int(e.RefOp) != want {
			bad = append(bad, fmt.Sprintf("ref_op %d, expected %d", e.RefOp, want))
		}
		if want := deref(v.RefSid); int(e.RefSid) != want {
			bad = append(bad, fmt.Sprintf("ref_sid %d, expected %d", e.RefSid, want))
		}
		if v.RefChannel != nil && e.RefChannel != *v.RefChannel {
			bad = append(bad, fmt.Sprintf("ref_channel %q, expected %q", e.RefChannel, *v.RefChannel))
		}
		if len(bad) > 0 {
			return fmt.Errorf("ERR %s names the wrong frame (10.1): %s", code, strings.Join(bad, "; "))
		}
		return nil
	}
	return fmt.Errorf("spec/vectors/invalid.json has no vector named %q", vector)
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (w *world) getsUnsupportedVersion(name string) error {
	e, err := w.nextError(name, string(wire.CodeUnsupportedVersion))
	if err != nil {
		return err
	}
	i := strings.LastIndex(e.Message, "supported: ")
	if i < 0 {
		return fmt.Errorf("the message %q does not end with \"supported: \" and the versions (4.3)", e.Message)
	}
	for _, v := range strings.Split(e.Message[i+len("supported: "):], ",") {
		if strings.TrimSpace(v) == "1" {
			return nil
		}
	}
	return fmt.Errorf("the message %q does not list version 1 among the supported versions (4.3)", e.Message)
}

func (w *world) getsStale(name string) error {
	interval := time.Duration(w.welcome.PingIntervalMs) * time.Millisecond
	pings := time.Duration(w.welcome.MaxPingsOut)
	earliest := interval * pings
	latest := w.env.scale(interval*(pings+1) + 2*time.Second)
	start := w.helloAt[name]
	f, err := w.nextErrorWithin(name, string(wire.CodeStaleConnection), time.Until(start.Add(latest))+w.timeout())
	if err != nil {
		return err
	}
	took := f.At.Sub(start)
	w.env.Notef("keepalive: stale_connection after %v (window %v to %v)", took.Round(time.Millisecond), earliest, latest)
	if took < earliest {
		return fmt.Errorf("stale_connection came %v after HELLO, before ping_interval_ms × max_pings_out = %v (13.2)", took, earliest)
	}
	if took > latest {
		return fmt.Errorf("stale_connection came %v after HELLO, later than ping_interval_ms × (max_pings_out + 1) + 2 s = %v (13.2)", took, latest)
	}
	return nil
}
