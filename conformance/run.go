package conformance

import (
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/cucumber/godog"

	"github.com/heraldmq/herald/conformance/internal/steps"
)

// Formats lists the report formats Run writes.
var Formats = []string{"pretty", "progress", "junit", "cucumber"}

// Config configures a run of the suite.
type Config struct {
	// Addr is the server under test, HOST:PORT. Required unless ClassicAddr
	// is set; without it only @classic scenarios can run.
	Addr string
	// ClassicAddr is the server's classic-profile port, HOST:PORT, for the
	// @classic scenarios (PROTOCOL.md 14), which are skipped without it.
	// Those tagged @cross-protocol need Addr too.
	ClassicAddr string
	// Tags selects scenarios with a godog tag expression, e.g.
	// "@rotation && ~@prefetch". Empty selects every scenario.
	Tags string
	// Format is the report format, one of Formats. Defaults to "pretty".
	Format string
	// Output receives the report. Defaults to os.Stdout.
	Output io.Writer
	// Notes receives skip reasons and the figures the suite measures, as
	// they happen. Nil discards them.
	Notes io.Writer
	// TimeoutScale multiplies every time limit, for slow machines.
	// Defaults to 1.
	TimeoutScale float64
	// User and Token are sent in every HELLO, for a server that requires
	// credentials. Empty by default.
	User, Token string
	// RestrictedUser and RestrictedToken name a user the server refuses every
	// channel whose second segment is "forbidden" (publish and subscribe),
	// for the @restricted-user scenarios of auth.feature, which are skipped
	// without it. Empty by default.
	RestrictedUser, RestrictedToken string
	// TestingT, when set, runs every scenario as a subtest of it.
	TestingT *testing.T
}

// Scenario is the outcome of one scenario.
type Scenario struct {
	Name string
	// Feature is the feature's title; File its path in Features().
	Feature, File string
	Tags          []string
	// Status is "passed", "failed" or "skipped".
	Status string
	// Detail is the reason for a skip or the failure.
	Detail  string
	Seconds float64
}

// Result is the outcome of a run.
type Result struct {
	Scenarios               []Scenario
	Passed, Failed, Skipped int
	// Status is godog's own exit status (0 when it saw no failure).
	Status int
}

// OK reports whether at least one scenario ran and none failed, was
// undefined or was pending.
func (r Result) OK() bool { return r.Passed+r.Failed > 0 && r.Failed == 0 && r.Status == 0 }

// Summary is the runner's last line: "N passed, N failed, N skipped".
func (r Result) Summary() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", r.Passed, r.Failed, r.Skipped)
}

// Run runs the selected scenarios against cfg.Addr and cfg.ClassicAddr.
func Run(cfg Config) (Result, error) {
	if cfg.Addr == "" && cfg.ClassicAddr == "" {
		return Result{}, errors.New("conformance: no server address")
	}
	if cfg.Format == "" {
		cfg.Format = "pretty"
	}
	if cfg.Output == nil {
		cfg.Output = os.Stdout
	}
	features, err := featureTitles(cfg.Tags)
	if err != nil {
		return Result{}, err
	}
	// godog's junit marks a skipped scenario as an error; the suite writes
	// its own from the outcomes it counted.
	godogFormat, godogOut := cfg.Format, cfg.Output
	switch cfg.Format {
	case "pretty", "progress", "cucumber":
	case "junit":
		godogFormat, godogOut = "progress", io.Discard
	default:
		return Result{}, fmt.Errorf("conformance: unknown format %q (use one of %v)", cfg.Format, Formats)
	}
	env := steps.NewEnv(steps.Settings{
		Addr: cfg.Addr, ClassicAddr: cfg.ClassicAddr, TimeoutScale: cfg.TimeoutScale, Notes: cfg.Notes,
		User: cfg.User, Token: cfg.Token,
		RestrictedUser: cfg.RestrictedUser, RestrictedToken: cfg.RestrictedToken,
	})
	suite := godog.TestSuite{
		Name:                "herald-conformance",
		ScenarioInitializer: env.InitScenario,
		Options: &godog.Options{
			Format:      godogFormat,
			Output:      godogOut,
			NoColors:    true,
			Strict:      true,
			Tags:        cfg.Tags,
			FS:          featureFS,
			Paths:       []string{"features"},
			Concurrency: 1,
			TestingT:    cfg.TestingT,
		},
	}
	res := Result{Status: suite.Run()}
	for _, o := range env.Outcomes() {
		res.Scenarios = append(res.Scenarios, Scenario{
			Name: o.Name, Feature: features[o.URI], File: o.URI, Tags: o.Tags,
			Status: string(o.Status), Detail: o.Detail, Seconds: o.Duration.Seconds(),
		})
		switch o.Status {
		case steps.Passed:
			res.Passed++
		case steps.Skipped:
			res.Skipped++
		default:
			res.Failed++
		}
	}
	if cfg.Format == "junit" {
		if err := writeJUnit(cfg.Output, res); err != nil {
			return res, err
		}
	}
	return res, nil
}
