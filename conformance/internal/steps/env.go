package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/conformance/internal/probe"
	"github.com/heraldmq/herald/spec/wire"
)

// BaseTimeout is the deadline of every event wait (PROTOCOL.md 13.3) before
// the runner's --timeout-scale multiplies it.
const BaseTimeout = 5 * time.Second

// Settings configure one run of the suite.
type Settings struct {
	// Addr is the server under test, HOST:PORT.
	Addr string
	// ClassicAddr is the server's classic-profile port (PROTOCOL.md 14), for
	// the @classic scenarios; they are skipped when it is empty, as are the
	// other scenarios when Addr is.
	ClassicAddr string
	// TimeoutScale multiplies every time limit; values below 1 are raised to 1.
	TimeoutScale float64
	// Notes receives skip reasons and measured figures as they happen; nil
	// discards them.
	Notes io.Writer
	// User and Token are sent in every HELLO when non-empty, for servers that
	// require credentials (capability auth).
	User, Token string
	// RestrictedUser and RestrictedToken name a user the server refuses every
	// channel whose second segment is "forbidden", for the @restricted-user
	// scenarios; they are skipped when RestrictedUser is empty.
	RestrictedUser, RestrictedToken string
}

// Status is the outcome of one scenario.
type Status string

// Outcomes a scenario can have. Undefined and pending steps count as failed.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Outcome is what happened to one scenario.
type Outcome struct {
	Name string
	// URI is the feature file, e.g. "features/rotation.feature".
	URI  string
	Tags []string
	// Status is Passed, Failed or Skipped.
	Status Status
	// Detail is the skip reason or the failure.
	Detail   string
	Duration time.Duration
}

// Env is one run of the suite against one server: its settings, what the
// server announced, and the outcome of every scenario.
type Env struct {
	s       Settings
	timeout time.Duration

	mu       sync.Mutex
	welcome  *wire.Welcome
	outcomes []*Outcome
}

// NewEnv prepares a run.
func NewEnv(s Settings) *Env {
	if s.TimeoutScale < 1 {
		s.TimeoutScale = 1
	}
	if s.Notes == nil {
		s.Notes = io.Discard
	}
	return &Env{s: s, timeout: time.Duration(float64(BaseTimeout) * s.TimeoutScale)}
}

// Outcomes returns the outcome of every scenario that started, in order. A
// scenario whose end was never reported counts as failed.
func (e *Env) Outcomes() []Outcome {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Outcome, len(e.outcomes))
	for i, o := range e.outcomes {
		out[i] = *o
		if out[i].Status == "" {
			out[i].Status, out[i].Detail = Failed, "the scenario never finished"
		}
	}
	return out
}

// Notef writes one line to the notes.
func (e *Env) Notef(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fmt.Fprintf(e.s.Notes, format+"\n", args...)
}

// scale multiplies a time limit by --timeout-scale.
func (e *Env) scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) * e.s.TimeoutScale)
}

// Welcome returns the WELCOME the server sends a plain HELLO, fetched once
// per run with a connection of its own.
func (e *Env) Welcome() (wire.Welcome, error) {
	e.mu.Lock()
	w := e.welcome
	e.mu.Unlock()
	if w != nil {
		return *w, nil
	}
	c, err := probe.Dial(e.s.Addr, "capabilities", probe.Options{Timeout: e.timeout})
	if err != nil {
		return wire.Welcome{}, err
	}
	defer c.Close()
	if err := c.Handshake(e.hello("capabilities")); err != nil {
		return wire.Welcome{}, err
	}
	e.mu.Lock()
	e.welcome = &c.Welcome
	e.mu.Unlock()
	return c.Welcome, nil
}

func (e *Env) hello(name string) wire.Hello {
	return wire.Hello{
		Version: wire.Version,
		Name:    "herald-conformance " + name,
		User:    e.s.User,
		Token:   e.s.Token,
		Echo:    true,
		Headers: true,
	}
}

// InitScenario is the godog scenario initialiser: it registers the hooks
// and every step for one scenario, with state of its own.
func (e *Env) InitScenario(sc *godog.ScenarioContext) {
	w := newWorld(e)
	sc.Before(w.before)
	sc.After(w.after)
	w.registerConnSteps(sc)
	w.registerErrorSteps(sc)
	w.registerPubSubSteps(sc)
	w.registerReceiveSteps(sc)
	w.registerEncodingSteps(sc)
	w.registerRotationSteps(sc)
	w.registerFlowSteps(sc)
	w.registerIsolationSteps(sc)
	w.registerKeepaliveSteps(sc)
	w.registerAuthSteps(sc)
	w.registerClassicSteps(sc)
}

func (w *world) before(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	o := &Outcome{Name: sc.Name, URI: sc.Uri}
	for _, t := range sc.Tags {
		o.Tags = append(o.Tags, t.Name)
	}
	w.outcome = o
	w.started = time.Now()
	w.env.mu.Lock()
	w.env.outcomes = append(w.env.outcomes, o)
	w.env.mu.Unlock()

	reason := ClassicSkipReason(o.Tags, w.env.s)
	if reason == "" && w.env.s.Addr != "" {
		wel, err := w.env.Welcome()
		if err != nil {
			return ctx, fmt.Errorf("cannot learn the server's capabilities: %w", err)
		}
		w.welcome = wel
		reason = SkipReason(o.Tags, wel)
	}
	if reason != "" {
		w.skip = reason
		w.env.Notef("SKIP %q: %s", o.Name, reason)
		return ctx, fmt.Errorf("%w: %s", godog.ErrSkip, reason)
	}
	return ctx, nil
}

func (w *world) after(ctx context.Context, sc *godog.Scenario, err error) (context.Context, error) {
	hookErr := w.leftovers(err)
	for _, name := range w.order {
		w.conns[name].Close()
	}
	o := w.outcome
	o.Duration = time.Since(w.started)
	switch {
	case w.skip != "" && (err == nil || errors.Is(err, godog.ErrSkip)):
		o.Status, o.Detail = Skipped, w.skip
	case err != nil && !errors.Is(err, godog.ErrSkip):
		o.Status, o.Detail = Failed, err.Error()
	case hookErr != nil:
		o.Status, o.Detail = Failed, hookErr.Error()
	default:
		o.Status = Passed
	}
	return ctx, hookErr
}

// leftovers fails a scenario that passed its steps but left an unexpected
// ERR in an inbox, or during which the server broke the protocol.
func (w *world) leftovers(stepErr error) error {
	if stepErr != nil || w.skip != "" {
		return nil
	}
	var problems []string
	for _, name := range w.order {
		c := w.conns[name]
		if f := c.Fault(); f != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, f))
		}
		for _, f := range c.Pending(probe.Op(wire.OpErr)) {
			problems = append(problems, fmt.Sprintf("%s received an unexpected %s", name, f))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}
